// §5 Trust FSM (LTP-Peer). Exactly the six transitions of the table in §5.2, nothing else: any other (state, event)
// pair leaves the state as it is. What counts as each event is the project's reading (SPEC-NOTES.md "Trust events").
namespace Conformance.Model.Cip;

public enum TrustEvent
{
    /// <summary>"valid handshake": a HELLO that passed signature, fingerprint and replay checks.</summary>
    ValidHandshake,
    /// <summary>"verified knowledge (>=2 trusted confirmations)": a fact the peer proposed was accepted.</summary>
    VerifiedKnowledge,
    /// <summary>"conflict or repeated unverifiable": a trusted peer contradicted its fact, or its facts were unverifiable twice.</summary>
    ConflictOrUnverifiable,
    /// <summary>"severe conflict / malicious evidence": two or more trusted peers contradicted its fact.</summary>
    SevereConflict,
    /// <summary>"temporary anomaly": the peer itself signals a critical kernel signal.</summary>
    TemporaryAnomaly,
    /// <summary>"manual override": a signed override from the configured human authority.</summary>
    ManualOverride,
}

public static class TrustFsm
{
    /// <summary>The table of §5.2, row for row.</summary>
    public static readonly IReadOnlyList<(TrustState From, TrustEvent Event, TrustState To)> Table =
    [
        (TrustState.Untrusted, TrustEvent.ValidHandshake, TrustState.Probing),
        (TrustState.Probing, TrustEvent.VerifiedKnowledge, TrustState.Trusted),
        (TrustState.Probing, TrustEvent.ConflictOrUnverifiable, TrustState.Untrusted),
        (TrustState.Trusted, TrustEvent.SevereConflict, TrustState.Blacklisted),
        (TrustState.Trusted, TrustEvent.TemporaryAnomaly, TrustState.Probing),
        (TrustState.Blacklisted, TrustEvent.ManualOverride, TrustState.Probing),
    ];

    /// <summary>The next state, or <paramref name="from"/> itself when the table has no row for the pair.</summary>
    public static TrustState Next(TrustState from, TrustEvent ev)
    {
        foreach (var (f, e, to) in Table)
            if (f == from && e == ev) return to;
        return from;
    }
}
