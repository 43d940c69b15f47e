// A change of a peer's trust as the agent's step reports it (CipStep.Transitions): who, from where to where, and why —
// the §5.2 row's event as the project reads it (SPEC-NOTES.md "Trust events"), or what first contact decided (§4.1, §4.2).
namespace Conformance.Model.Cip;

public enum TrustCause
{
    /// <summary>A configured trust anchor's first valid handshake: trusted at once.</summary>
    Anchor,
    /// <summary>§4.2 "fingerprint mismatch → drop and mark peer blacklisted", on a new peer's first HELLO.</summary>
    FirstContactFingerprint,
    /// <summary>§4.2 "signature invalid → drop and mark peer untrusted", on a new peer's first HELLO.</summary>
    FirstContactSignature,
    /// <summary>§5.2 valid handshake.</summary>
    Handshake,
    /// <summary>§5.2 verified knowledge: a claim the peer proposed was accepted.</summary>
    VerifiedKnowledge,
    /// <summary>§5.2 "conflict": a trusted peer contradicted the peer's claim.</summary>
    Conflict,
    /// <summary>§5.2 "repeated unverifiable": the peer's claims were unverifiable <see cref="CipAgentConfig.UnverifiableLimit"/> times.</summary>
    Unverifiable,
    /// <summary>§5.2 severe conflict: several trusted peers contradicted the peer's claim.</summary>
    SevereConflict,
    /// <summary>§5.2 temporary anomaly: the peer reported a critical kernel signal.</summary>
    Anomaly,
    /// <summary>§5.2 manual override by the human authority.</summary>
    Override,
}

/// <summary>One trust change; <see cref="From"/> is null for a peer the agent had no record of.</summary>
public sealed record TrustTransition(string AgentId, TrustState? From, TrustState To, TrustCause Cause, string Why)
{
    /// <summary>The §5.2 event behind the change, or null when first contact decided it.</summary>
    public TrustEvent? Event => Cause.Event();
}

public static class TrustCauses
{
    /// <summary>The §5.2 event a cause is an instance of, or null for what first contact decides.</summary>
    public static TrustEvent? Event(this TrustCause c) => c switch
    {
        TrustCause.Handshake => TrustEvent.ValidHandshake,
        TrustCause.VerifiedKnowledge => TrustEvent.VerifiedKnowledge,
        TrustCause.Conflict or TrustCause.Unverifiable => TrustEvent.ConflictOrUnverifiable,
        TrustCause.SevereConflict => TrustEvent.SevereConflict,
        TrustCause.Anomaly => TrustEvent.TemporaryAnomaly,
        TrustCause.Override => TrustEvent.ManualOverride,
        _ => null,
    };
}
