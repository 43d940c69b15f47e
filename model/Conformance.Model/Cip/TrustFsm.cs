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
    /// <summary>The event's name in vectors and shim requests (snake case of the §5.2 wording).</summary>
    public static string Wire(this TrustEvent e) => e switch
    {
        TrustEvent.ValidHandshake => "valid_handshake",
        TrustEvent.VerifiedKnowledge => "verified_knowledge",
        TrustEvent.ConflictOrUnverifiable => "conflict_or_unverifiable",
        TrustEvent.SevereConflict => "severe_conflict",
        TrustEvent.TemporaryAnomaly => "temporary_anomaly",
        TrustEvent.ManualOverride => "manual_override",
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    public static bool TryEvent(string? s, out TrustEvent e)
    {
        foreach (var v in Enum.GetValues<TrustEvent>())
            if (v.Wire() == s) { e = v; return true; }
        e = default;
        return false;
    }

    /// <summary>The trust of a peer the agent has not met (§4.1 step 4 moves it to probing on a valid handshake).</summary>
    public const TrustState Initial = TrustState.Untrusted;

    /// <summary>
    /// The trust a valid handshake gives: a configured trust anchor met for the first time is trusted at once; any
    /// other peer moves by the table's valid-handshake row from where it stands (<see cref="Initial"/> if new).
    /// </summary>
    public static TrustState AfterHandshake(TrustState? before, bool anchor) =>
        before is null && anchor ? TrustState.Trusted : Next(before ?? Initial, TrustEvent.ValidHandshake);

    /// <summary>
    /// §4.2 on a new peer's first HELLO that failed verification: "fingerprint mismatch → drop and mark peer
    /// blacklisted", "signature invalid → drop and mark peer untrusted".
    /// </summary>
    public static TrustState AfterRefusedFirstHello(string rule) => rule == CipRules.Fingerprint ? TrustState.Blacklisted : TrustState.Untrusted;

    /// <summary>The state after <paramref name="events"/> in order, from <paramref name="from"/>.</summary>
    public static TrustState After(TrustState from, params TrustEvent[] events) => events.Aggregate(from, Next);

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
