// LHS §3: "All LHS control frames are JSON objects". A control frame travels as one WebSocket text message
// (or, in the HTTP Upgrade profile, as a base64url header value) and names its step in "step".
using System.Text.Json;
using Conformance.Model.Ltp;

namespace Conformance.Model.Lhs;

public enum LhsStepName { Hello, Mirror, Bind, Seal, Error }

/// <summary>A parsed control frame: its step and the JSON object exactly as it arrived.</summary>
public sealed record ControlFrame(LhsStepName Step, JsonElement Json)
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    public static string WireName(LhsStepName step) => step switch
    {
        LhsStepName.Hello => "hello",
        LhsStepName.Mirror => "mirror",
        LhsStepName.Bind => "bind",
        LhsStepName.Seal => "seal",
        LhsStepName.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>Parses a control frame: a JSON object (no duplicate members) with a known string "step".</summary>
    public static Checked<ControlFrame> Parse(string text)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, Strict);
            root = doc.RootElement.Clone();
            // The seal signs frames by their JCS form, so every frame must be I-JSON from the start: no lone
            // surrogates, no numbers beyond double. Checking here keeps a later step from failing to sign.
            Jcs.EnsureIJson(root);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or JcsException)
        {
            return Checked.Fail<ControlFrame>(LhsErrorCode.InvalidFrame, "control frame is not I-JSON: " + e.Message, LhsRules.Json);
        }
        if (root.ValueKind != JsonValueKind.Object)
            return Checked.Fail<ControlFrame>(LhsErrorCode.InvalidFrame, "control frame is not a JSON object", LhsRules.Json);
        if (!root.TryGetProperty("step", out var step) || step.ValueKind != JsonValueKind.String)
            return Checked.Fail<ControlFrame>(LhsErrorCode.InvalidFrame, "control frame has no string \"step\"", LhsRules.Json);
        foreach (var name in Enum.GetValues<LhsStepName>())
            if (step.GetString() == WireName(name)) return Checked.Ok(new ControlFrame(name, root));
        return Checked.Fail<ControlFrame>(LhsErrorCode.InvalidFrame, $"unknown step \"{step.GetString()}\"", LhsRules.Json);
    }
}

/// <summary>A value or the validation error that prevented it.</summary>
public readonly record struct Checked<T>(T? Value, LhsError? Error)
{
    public bool IsOk => Error is null;
}

public static class Checked
{
    public static Checked<T> Ok<T>(T value) => new(value, null);
    public static Checked<T> Fail<T>(LhsErrorCode code, string detail, string rule) => new(default, new LhsError(code, detail, rule));
    public static Checked<T> Fail<T>(LhsError error) => new(default, error);
}
