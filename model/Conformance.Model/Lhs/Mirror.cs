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
}

/// <summary>
/// What mirror fixes for the flow (§1: "Implementations MUST treat the negotiated result as binding"):
/// the single encoding, the enabled features (absent = disabled), and the frame limit for both directions.
/// </summary>
public sealed record FlowContract(string Encoding, IReadOnlyList<string> Features, int MaxFrameBytes)
{
    public bool Has(string feature) => Features.Contains(feature, StringComparer.Ordinal);
}
