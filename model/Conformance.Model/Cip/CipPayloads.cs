// §3 Message types and payloads. Each payload is read into a typed record; a missing or mistyped field refuses the
// whole envelope (rule CIP-3-payload). Optional members are those the project reads as optional (SPEC-NOTES.md).
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conformance.Model.Cip;

public sealed record HelloPayload(IReadOnlyList<string> Protocols, byte[] SessionNonce, byte[] Challenge, byte[]? ChallengeResponse);
public sealed record IntentPayload(string Goal, string Topic, string Priority);
public sealed record DmpTrace(string DecisionId, IReadOnlyList<string> Steps, IReadOnlyList<string> Evidence);
public sealed record FactProposal(string Statement, string Domain, double Confidence, IReadOnlyList<string> Sources, DmpTrace? Trace, IReadOnlyList<string> CausalLinks);

public enum VerdictKind { Confirm, Reject, Challenge }

public sealed record FactVerdict(string FactRef, VerdictKind Kind, string? Reason);
public sealed record DecisionSharePayload(string Choice, string Outcome, string Context, DmpTrace Trace);
public sealed record StateUpdatePayload(Presence Presence, int Lri, TrustState PeerState, IReadOnlyList<string> KernelSignals, string? Intent);

public static partial class CipPayloads
{
    public static readonly IReadOnlyList<string> Goals = ["verify_knowledge", "ask", "learn", "propose_solution", "test_hypothesis"];
    public static readonly IReadOnlyList<string> Priorities = ["low", "normal", "high"];
    public static readonly IReadOnlyList<string> ChallengeReasons = ["conflict", "insufficient_evidence", "cannot_verify"];

    private sealed class PayloadException(string message) : Exception(message);

    /// <summary>The typed payload of <paramref name="e"/>, or the reason it is refused.</summary>
    public static (object? Payload, CipError? Error) Read(CipEnvelope e)
    {
        try
        {
            var p = e.Payload;
            object payload = e.Type switch
            {
                CipType.Hello => new HelloPayload(Strings(p, "protocols"), Bytes(p, "session_nonce", 8), Bytes(p, "challenge", 16),
                    p.TryGetProperty("challenge_response", out _) ? Bytes(p, "challenge_response", 64, 64) : null),
                CipType.Intent => new IntentPayload(OneOf(p, "goal", Goals), Str(p, "topic"), OneOf(p, "priority", Priorities)),
                CipType.FactPropose => Proposal(p),
                CipType.FactChallenge => new FactVerdict(Uuid(p, "fact_ref"), VerdictKind.Challenge, OneOf(p, "reason", ChallengeReasons)),
                CipType.FactConfirm => Decision(p, "confirm", VerdictKind.Confirm),
                CipType.FactReject => Decision(p, "reject", VerdictKind.Reject),
                CipType.DecisionShare => new DecisionSharePayload(Str(Obj(p, "decision"), "choice"), Str(Obj(p, "decision"), "outcome"),
                    Str(Obj(p, "decision"), "context"), Trace(Obj(p, "dmp_trace"))),
                CipType.StateUpdate => new StateUpdatePayload(
                    CipNames.TryPresence(Str(p, "presence"), out var pr) ? pr : throw new PayloadException("presence is not a presence"),
                    Int(p, "lri", 0, 100),
                    CipNames.TryTrust(Str(p, "ltppeerstate"), out var t) ? t : throw new PayloadException("ltppeerstate is not a trust state"),
                    Strings(p, "kernel_signals"), OptionalStr(p, "intent")),
                _ => throw new PayloadException("unknown type"),
            };
            if (payload is HelloPayload h && !h.Protocols.Contains("cip/1.0"))
                throw new PayloadException("protocols does not offer \"cip/1.0\"");
            return (payload, null);
        }
        catch (PayloadException ex) { return (null, new(CipRules.Payload, $"{e.Type.Wire()} payload: {ex.Message}")); }
    }

    /// <summary>A FACT_PROPOSE payload (§3.3) on its own, as the agent reads it, or the reason it is refused.</summary>
    public static (FactProposal? Proposal, CipError? Error) ReadProposal(JsonElement payload)
    {
        try { return (Proposal(payload.ValueKind == JsonValueKind.Object ? payload : throw new PayloadException("the payload is not an object")), null); }
        catch (PayloadException ex) { return (null, new(CipRules.Payload, $"{CipType.FactPropose.Wire()} payload: {ex.Message}")); }
    }

    private static FactProposal Proposal(JsonElement p)
    {
        var fact = Obj(p, "fact");
        var confidence = Number(fact, "confidence");
        if (confidence is < 0 or > 1) throw new PayloadException("fact.confidence must be from 0 to 1");
        var sources = Strings(fact, "sources");
        var trace = p.TryGetProperty("dmp_trace", out var t) ? Trace(t.ValueKind == JsonValueKind.Object ? t : throw new PayloadException("dmp_trace must be an object")) : null;
        var links = p.TryGetProperty("causal_links", out _) ? Strings(p, "causal_links") : [];
        return new FactProposal(Str(fact, "statement"), Str(fact, "domain"), confidence, sources, trace, links);
    }

    private static FactVerdict Decision(JsonElement p, string expected, VerdictKind kind)
    {
        var decision = OneOf(p, "decision", ["confirm", "reject"]);
        if (decision != expected) throw new PayloadException($"decision \"{decision}\" contradicts the message type");
        var confidence = Number(p, "confidence");
        if (confidence is < 0 or > 1) throw new PayloadException("confidence must be from 0 to 1");
        return new FactVerdict(Uuid(p, "fact_ref"), kind, null);
    }

    private static DmpTrace Trace(JsonElement t) => new(Uuid(t, "decision_id"), Strings(t, "steps"), Strings(t, "evidence"));

    private static JsonElement Obj(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw new PayloadException($"\"{name}\" is missing or not an object");

    private static string Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new PayloadException($"\"{name}\" is missing or not a string");

    private static string? OptionalStr(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) ? null : v.ValueKind == JsonValueKind.String ? v.GetString() : throw new PayloadException($"\"{name}\" must be a string");

    private static string OneOf(JsonElement o, string name, IReadOnlyList<string> allowed)
    {
        var s = Str(o, name);
        return allowed.Contains(s) ? s : throw new PayloadException($"\"{name}\" must be one of {string.Join(", ", allowed)}");
    }

    private static string Uuid(JsonElement o, string name)
    {
        var s = Str(o, name);
        return UuidPattern().IsMatch(s) ? s : throw new PayloadException($"\"{name}\" is not a UUID");
    }

    private static double Number(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) ? d : throw new PayloadException($"\"{name}\" is missing or not a number");

    private static int Int(JsonElement o, string name, int min, int max)
    {
        var d = Number(o, name);
        return d == Math.Floor(d) && d >= min && d <= max ? (int)d : throw new PayloadException($"\"{name}\" must be an integer from {min} to {max}");
    }

    private static IReadOnlyList<string> Strings(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) throw new PayloadException($"\"{name}\" is missing or not an array");
        return [.. v.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()! : throw new PayloadException($"\"{name}\" must hold only strings"))];
    }

    private static byte[] Bytes(JsonElement o, string name, int minLength, int maxLength = 1024)
    {
        var s = Str(o, name);
        try
        {
            var b = Convert.FromBase64String(s);
            return b.Length >= minLength && b.Length <= maxLength ? b : throw new PayloadException($"\"{name}\" must decode to {minLength}..{maxLength} bytes");
        }
        catch (FormatException) { throw new PayloadException($"\"{name}\" is not base64"); }
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z")]
    private static partial Regex UuidPattern();
}
