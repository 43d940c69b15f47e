// LHS §1 "Capability envelopes. Both hello and mirror contain capability maps so the client and server can converge
// on supported encodings, features and maximum payload sizes." Both directions live here: the server's choice and
// the client's check of that choice, so the two cannot drift apart.
using System.Text.Json;

namespace Conformance.Model.Lhs;

/// <summary>What a server supports.</summary>
public sealed record ServerCapabilities(string LriVersion, IReadOnlyList<string> Encodings, IReadOnlyList<string> Features, int MaxFrameBytes)
{
    public static readonly ServerCapabilities Reference = new("0.1", ["json", "cbor"], ["ltp", "lss", "telemetry"], 65536);

    public int Major => Fields.TryVersionMajor(LriVersion, out var m) ? m : throw new InvalidOperationException("bad server version");
}

public static class Negotiation
{
    /// <summary>The mirror a server sends for <paramref name="hello"/>, or the error that rejects the hello.</summary>
    public static Checked<string> MirrorFor(Hello hello, ServerCapabilities caps, string nonce)
    {
        // §3.1 "The server MUST compare against supported versions and reject unknown majors."
        if (hello.Major != caps.Major)
            return Checked.Fail<string>(LhsErrorCode.VersionMismatch, $"major {hello.Major} is not supported (server speaks {caps.LriVersion})", LhsRules.Version);
        // §3.2 "choose a single encoding": the first of the client's preference list the server supports.
        var encoding = hello.Encodings.FirstOrDefault(e => caps.Encodings.Contains(e, StringComparer.Ordinal));
        if (encoding is null)
            return Checked.Fail<string>(LhsErrorCode.EncodingNegotiationFailed,
                $"none of [{string.Join(", ", hello.Encodings)}] is supported (server: {string.Join(", ", caps.Encodings)})", LhsRules.Negotiation);
        var features = hello.Features.Where(f => caps.Features.Contains(f, StringComparer.Ordinal)).Distinct().ToArray();
        var mirror = new
        {
            step = "mirror",
            lri_version = caps.LriVersion,
            encoding,
            features,
            max_frame_bytes = Math.Min(hello.MaxFrameBytes, caps.MaxFrameBytes),
            nonce,
        };
        return Checked.Ok(LhsJson.Write(mirror));
    }

    /// <summary>
    /// The model-level reading a server's acceptance of <paramref name="hello"/> rests on, or null when the spec's own
    /// words require it: "reject unknown majors" does not say a known major of another minor must be answered.
    /// </summary>
    public static string? AcceptanceReading(Hello hello, ServerCapabilities caps) =>
        hello.Major == caps.Major && hello.LriVersion != caps.LriVersion ? LhsRules.MinorCompatible : null;

    /// <summary>Null when <paramref name="mirror"/> is a compatible answer to <paramref name="hello"/>.</summary>
    public static LhsError? CheckMirror(Hello hello, Mirror mirror) => MirrorProblems(hello, mirror).FirstOrDefault();

    /// <summary>Every way <paramref name="mirror"/> is not a compatible answer to <paramref name="hello"/>, in the order a client judges them.</summary>
    public static IEnumerable<LhsError> MirrorProblems(Hello hello, Mirror mirror)
    {
        // §3.2 "The server MUST echo a compatible version and choose a single encoding."
        if (mirror.Major != hello.Major)
            yield return new(LhsErrorCode.VersionMismatch, $"mirror version {mirror.LriVersion} is not of hello's major {hello.Major}", LhsRules.Version);
        if (!hello.Encodings.Contains(mirror.Contract.Encoding, StringComparer.Ordinal))
            yield return new(LhsErrorCode.EncodingNegotiationFailed, $"mirror chose \"{mirror.Contract.Encoding}\", which hello did not offer", LhsRules.Negotiation);
        var widened = mirror.Contract.Features.Where(f => !hello.Features.Contains(f, StringComparer.Ordinal)).ToArray();
        if (widened.Length > 0)
            yield return new(LhsErrorCode.FeatureNotNegotiated, $"mirror enables [{string.Join(", ", widened)}], which hello did not request", LhsRules.FeaturesSubset);
        if (mirror.Contract.MaxFrameBytes > hello.MaxFrameBytes)
            yield return new(LhsErrorCode.InvalidFrame, $"mirror max_frame_bytes {mirror.Contract.MaxFrameBytes} exceeds hello's {hello.MaxFrameBytes}", LhsRules.FeaturesSubset);
    }
}
