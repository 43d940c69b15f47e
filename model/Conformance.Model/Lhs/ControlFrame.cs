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
    private static readonly JsonDocumentOptions Lenient = new() { AllowDuplicateProperties = true, MaxDepth = 64 };

    public static string WireName(LhsStepName step) => step switch
    {
        LhsStepName.Hello => "hello",
        LhsStepName.Mirror => "mirror",
        LhsStepName.Bind => "bind",
        LhsStepName.Seal => "seal",
        LhsStepName.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>True when the text is JSON (and I-JSON) but for a member name that occurs twice.</summary>
    private static bool OnlyDuplicates(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, Lenient);
            // Reading the names also throws on a lone surrogate in one: then the frame breaks more than duplicates.
            return Duplicated(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or JcsException) { return false; }
    }

    private static bool Duplicated(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().GroupBy(p => p.Name).Any(g => g.Count() > 1) || e.EnumerateObject().Any(p => Duplicated(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().Any(Duplicated),
        _ => false,
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
            // Only a duplicated member name keeps JSON from being I-JSON here: a reading of its own (model level), since
            // §3 says only "JSON objects" and the I-JSON constraint comes from the seal's JCS (SPEC-NOTES, "Duplicate members").
            return Checked.Fail<ControlFrame>(LhsErrorCode.InvalidFrame, "control frame is not I-JSON: " + e.Message,
                OnlyDuplicates(text) ? LhsRules.DuplicateMembers : LhsRules.Json);
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
