// LHS §3.2 Mirror (server → client).
using System.Text.Json;

namespace Conformance.Model.Lhs;

/// <summary>A validated mirror and the flow contract it fixes.</summary>
public sealed record Mirror(JsonElement Json, string LriVersion, int Major, FlowContract Contract, string Nonce)
{
    public static Checked<Mirror> Validate(ControlFrame frame)
    {
        var r = new Fields.Reader(frame.Json, LhsErrorCode.InvalidFrame, LhsRules.MirrorFields);
        var version = r.String("lri_version");
        var encoding = r.String("encoding");
        var features = r.StringArray("features");
        var max = r.PositiveInt("max_frame_bytes");
        // "The nonce MUST be a unique token bound into the Seal signature"
        var nonce = r.String("nonce");
        if (r.Error is { } e) return Checked.Fail<Mirror>(e);
        if (!Fields.TryVersionMajor(version, out var major))
            return Checked.Fail<Mirror>(LhsErrorCode.InvalidFrame, $"lri_version \"{version}\" is not a major.minor[.patch] version", LhsRules.MirrorFields);
        return Checked.Ok(new Mirror(frame.Json, version, major, new FlowContract(encoding, features, max), nonce));
    }

    /// <summary>
    /// The mirror as a tester reads past its defects (see LhsClient.Tolerant): a field that is missing or of the wrong
    /// type takes what the hello proposed (its version, its first encoding the model can speak, no features, its frame
    /// limit) and a missing nonce reads as "". Null when the flow cannot be read at all: an encoding the model has no
    /// codec for, or none the hello offered that it has.
    /// </summary>
    public static Mirror? ReadTolerant(ControlFrame frame, Hello hello)
    {
        var j = frame.Json;
        var version = Text(j, "lri_version") is { } v && Fields.TryVersionMajor(v, out _) ? v : hello.LriVersion;
        Fields.TryVersionMajor(version, out var major);
        var encoding = Text(j, "encoding") ?? hello.Encodings.FirstOrDefault(e => Codec.LceCodecs.Find(e) is not null);
        if (encoding is null || Codec.LceCodecs.Find(encoding) is null) return null;
        IReadOnlyList<string> features = j.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Array
            ? [.. f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : [];
        var max = j.TryGetProperty("max_frame_bytes", out var m) && m.ValueKind == JsonValueKind.Number && m.TryGetDouble(out var d)
                  && d == Math.Floor(d) && d >= 1 && d <= int.MaxValue ? (int)d : hello.MaxFrameBytes;
        return new Mirror(j, version, major, new FlowContract(encoding, features, max), Text(j, "nonce") ?? "");
    }

    private static string? Text(JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 ? v.GetString() : null;
}

/// <summary>
/// What mirror fixes for the flow (§1: "Implementations MUST treat the negotiated result as binding"):
/// the single encoding, the enabled features (absent = disabled), and the frame limit for both directions.
/// </summary>
public sealed record FlowContract(string Encoding, IReadOnlyList<string> Features, int MaxFrameBytes)
{
    public bool Has(string feature) => Features.Contains(feature, StringComparer.Ordinal);
}
