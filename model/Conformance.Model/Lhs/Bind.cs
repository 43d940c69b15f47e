// LHS §3.3 Bind (client → server).
using System.Text.Json;

namespace Conformance.Model.Lhs;

public sealed record Bind(JsonElement Json, string Thread, JsonElement? Auth, JsonElement? Context)
{
    public static Checked<Bind> Validate(ControlFrame frame) => Read(frame, tolerant: false).Bind;

    /// <summary>
    /// The bind, and when <paramref name="tolerant"/>, read past a malformed optional auth or context (the model-level
    /// shape reading): the problem is returned beside the bind instead of rejecting it.
    /// </summary>
    public static (Checked<Bind> Bind, LhsError? Tolerated) Read(ControlFrame frame, bool tolerant)
    {
        var strict = Strict(frame);
        if (strict.IsOk || !tolerant || strict.Error!.Rule != LhsRules.BindShape) return (strict, null);
        var r = new Fields.Reader(frame.Json, LhsErrorCode.InvalidBind, LhsRules.Thread);
        var thread = r.String("thread");
        if (r.Error is not null || !Fields.IsUuidOrUlid(thread)) return (strict, null);
        return (Checked.Ok(new Bind(frame.Json, thread, Object(frame.Json, "auth"), Object(frame.Json, "context"))), strict.Error);
    }

    private static JsonElement? Object(JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static Checked<Bind> Strict(ControlFrame frame)
    {
        // §4 table: lhs.invalid_bind — "session thread/auth data missing or invalid".
        const LhsErrorCode bad = LhsErrorCode.InvalidBind;
        var r = new Fields.Reader(frame.Json, bad, LhsRules.Thread);
        var thread = r.String("thread");
        if (r.Error is { } e) return Checked.Fail<Bind>(e);
        var shape = new Fields.Reader(frame.Json, bad, LhsRules.BindShape);
        var auth = shape.OptionalObject("auth");
        var context = shape.OptionalObject("context");
        if (shape.Error is { } se) return Checked.Fail<Bind>(se);
        // "thread MUST be a stable identifier (UUID or ULID)."
        if (!Fields.IsUuidOrUlid(thread)) return Checked.Fail<Bind>(bad, $"thread \"{Truncate(thread)}\" is neither a UUID nor a ULID", LhsRules.Thread);
        if (auth is { } a)
        {
            var ar = new Fields.Reader(a, bad, LhsRules.BindShape);
            ar.String("scheme");
            ar.String("token");
            if (ar.Error is { } ae) return Checked.Fail<Bind>(bad, "auth: " + ae.Detail, LhsRules.BindShape);
        }
        return Checked.Ok(new Bind(frame.Json, thread, auth, context));
    }

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
