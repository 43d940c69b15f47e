// The Liminal Communication Envelope as the model reads it (SPEC-NOTES.md, "LCE shape"): an object (JSON) or
// map (CBOR) with v = 1, intent.type and policy.consent as strings. Every other member passes through untouched;
// the model only needs the top-level member names to enforce feature negotiation.
namespace Conformance.Model.Codec;

public sealed record LceView(string IntentType, string PolicyConsent, IReadOnlyList<string> Members)
{
    public bool HasMember(string name) => Members.Contains(name, StringComparer.Ordinal);
}

/// <summary>A decoding failure of an LCE: not this encoding at all (<paramref name="WrongEncoding"/>), or the wrong shape.</summary>
public sealed record LceProblem(string Detail, bool WrongEncoding);

public interface ILceCodec
{
    /// <summary>The encoding name as negotiated in hello/mirror ("json", "cbor").</summary>
    string Name { get; }

    /// <summary>Encodes an LCE given as a JSON object.</summary>
    byte[] Encode(System.Text.Json.JsonElement lce);

    /// <summary>Decodes and checks the LCE shape; the bytes must hold exactly one value.</summary>
    (LceView? View, LceProblem? Problem) Decode(ReadOnlySpan<byte> bytes);
}

public static class LceCodecs
{
    public const string Json = "json";
    public const string Cbor = "cbor";

    public static readonly IReadOnlyList<ILceCodec> All = [new JsonLceCodec(), new CborLceCodec()];

    public static ILceCodec? Find(string encoding) => All.FirstOrDefault(c => c.Name == encoding);
}
