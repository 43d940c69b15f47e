// LHS §3.1 Hello (client → server).
using System.Text.Json;

namespace Conformance.Model.Lhs;

/// <summary>A validated hello. <see cref="Json"/> is the frame exactly as parsed: the seal signs it.</summary>
public sealed record Hello(
    JsonElement Json,
    string LriVersion,
    int Major,
    IReadOnlyList<string> Encodings,
    IReadOnlyList<string> Features,
    int MaxFrameBytes)
{
    // "Required fields: lri_version, encodings, features, max_frame_bytes"
    public static Checked<Hello> Validate(ControlFrame frame)
    {
        var required = ValidateRequired(frame);
        if (!required.IsOk) return required;
        return SessionProblem(frame) is { } se ? Checked.Fail<Hello>(se) : required;
    }

    /// <summary>The required fields alone: what a tester reads past a malformed optional session with.</summary>
    public static Checked<Hello> ValidateRequired(ControlFrame frame)
    {
        var r = new Fields.Reader(frame.Json, LhsErrorCode.InvalidFrame, LhsRules.HelloRequired);
        var version = r.String("lri_version");
        var encodings = r.StringArray("encodings");
        var features = r.StringArray("features");
        var max = r.PositiveInt("max_frame_bytes");
        if (r.Error is { } e) return Checked.Fail<Hello>(e);
        if (!Fields.TryVersionMajor(version, out var major))
            return Checked.Fail<Hello>(LhsErrorCode.InvalidFrame, $"lri_version \"{version}\" is not a major.minor[.patch] version", LhsRules.HelloRequired);
        return Checked.Ok(new Hello(frame.Json, version, major, encodings, features, max));
    }

    /// <summary>
    /// "Optional session metadata allows the client to communicate user agent hints": that it is an object is the
    /// project's reading of the example, judged apart from the required fields (SPEC-NOTES, "Hello session").
    /// </summary>
    public static LhsError? SessionProblem(ControlFrame frame)
    {
        var session = new Fields.Reader(frame.Json, LhsErrorCode.InvalidFrame, LhsRules.SessionShape);
        session.OptionalObject("session");
        return session.Error;
    }
}
