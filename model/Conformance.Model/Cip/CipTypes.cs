// CIP wire registries (cip.md §2.1, §3, §5.1), spelled as in the spec.
namespace Conformance.Model.Cip;

public enum CipType { Hello, Intent, FactPropose, FactChallenge, FactConfirm, FactReject, DecisionShare, StateUpdate }

public enum TrustState { Untrusted, Probing, Trusted, Blacklisted }

public enum Presence { Focused, Diffuse, Overloaded, Engaged }

public static class CipNames
{
    public static string Wire(this CipType t) => t switch
    {
        CipType.Hello => "HELLO",
        CipType.Intent => "INTENT",
        CipType.FactPropose => "FACT_PROPOSE",
        CipType.FactChallenge => "FACT_CHALLENGE",
        CipType.FactConfirm => "FACT_CONFIRM",
        CipType.FactReject => "FACT_REJECT",
        CipType.DecisionShare => "DECISION_SHARE",
        CipType.StateUpdate => "STATE_UPDATE",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static string Wire(this TrustState t) => t.ToString().ToLowerInvariant();

    public static string Wire(this Presence p) => p.ToString().ToLowerInvariant();

    public static bool TryType(string? s, out CipType t) => TryEnum(s, Wire, out t);
    public static bool TryTrust(string? s, out TrustState t) => TryEnum(s, Wire, out t);
    public static bool TryPresence(string? s, out Presence p) => TryEnum(s, Wire, out p);

    private static bool TryEnum<T>(string? s, Func<T, string> wire, out T value) where T : struct, Enum
    {
        foreach (var v in Enum.GetValues<T>())
            if (wire(v) == s) { value = v; return true; }
        value = default;
        return false;
    }
}

/// <summary>Why the model refused a message: the rule (requirement ID in the CIP catalog) and a readable detail.
/// CIP has no error message on the wire (§3): a refused envelope is dropped, and the reason is observable.</summary>
public sealed record CipError(string Rule, string Detail)
{
    public override string ToString() => $"{Rule}: {Detail}";
}

/// <summary>Rule IDs the CIP model enforces; the CIP catalog names the same IDs.</summary>
public static class CipRules
{
    public const string Shape = "CIP-2-shape";
    public const string MsgId = "CIP-2.2-msg-id";
    public const string Timestamp = "CIP-2.2-timestamp";
    public const string Lri = "CIP-2.2-lri";
    public const string Receiver = "CIP-2.2-receiver";
    public const string Payload = "CIP-3-payload";
    public const string Sign = "CIP-7-sign";
    public const string Canonical = "CIP-7-canonical";
    public const string Replay = "CIP-7-replay";
    public const string TimestampWindow = "CIP-7-timestamp-window";
    public const string Session = "CIP-4-session";
    public const string Fingerprint = "CIP-4.2-fingerprint";
    public const string BadSignature = "CIP-4.2-bad-signature";
    public const string Defer = "CIP-4.2-defer";
    public const string Pinned = "CIP-4-pinned-key";
    public const string Size = "CIP-2-size";
}
