// vectors/cip/trust-fsm.json: the LTP-Peer trust FSM of cip.md §5 (TrustFsm in the model). Input: a start state and a
// sequence of events; expected: the state after each event. Exactly the six transitions of the §5.2 table exist; every
// other (state, event) pair leaves the state unchanged. Every single event from every state, every pair of events from
// every state, the lifecycles the table implies, and seeded random walks.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Suite.Vectors.Ltp;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class TrustFsmVectors : IVectorTopic
{
    public string Spec => "cip";
    public string Topic => "trust-fsm";

    private static readonly Dictionary<(TrustState, TrustEvent), string> RowFlag = new()
    {
        [(TrustState.Untrusted, TrustEvent.ValidHandshake)] = "HandshakeToProbing",
        [(TrustState.Probing, TrustEvent.VerifiedKnowledge)] = "VerifiedToTrusted",
        [(TrustState.Probing, TrustEvent.ConflictOrUnverifiable)] = "ConflictToUntrusted",
        [(TrustState.Trusted, TrustEvent.SevereConflict)] = "SevereToBlacklisted",
        [(TrustState.Trusted, TrustEvent.TemporaryAnomaly)] = "AnomalyToProbing",
        [(TrustState.Blacklisted, TrustEvent.ManualOverride)] = "OverrideToProbing",
    };

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "trust-fsm.schema.json", seed,
            "The LTP-Peer trust FSM (cip.md §5): states untrusted, probing, trusted, blacklisted; the six transitions of the §5.2 table and nothing else.",
            "input: `initial` state and `events` in order. valid: after each event the state is `states[i]`; `final` is the last. "
            + "An event with no row for the current state leaves the state unchanged (SPEC-NOTES.md \"Trust events\", CIP-5-only-six).",
            "Events: valid_handshake, verified_knowledge (>=2 trusted confirmations), conflict_or_unverifiable (conflict or repeated unverifiable), "
            + "severe_conflict (severe conflict / malicious evidence), temporary_anomaly, manual_override (human authority). What produces each event "
            + "in an agent is the project's reading (SPEC-NOTES.md \"Trust events\"); these vectors test the table alone.")
            .Rule("HandshakeToProbing", VectorBugType.Basic, "CIP-4-trust-gate", "move untrusted to probing", null)
            .Rule("VerifiedToTrusted", VectorBugType.Basic, "CIP-5-verified-knowledge", "move probing to trusted", null)
            .Rule("ConflictToUntrusted", VectorBugType.Basic, "CIP-5-conflict", "move probing to untrusted", "The event is a conflict or a repeated unverifiable claim.")
            .Rule("SevereToBlacklisted", VectorBugType.Basic, "CIP-5-severe", "move trusted to blacklisted", null)
            .Rule("AnomalyToProbing", VectorBugType.Basic, "CIP-5-anomaly", "move trusted to probing", null)
            .Rule("OverrideToProbing", VectorBugType.Basic, "CIP-5-override", "move blacklisted to probing", null)
            .Rule("NoTransition", VectorBugType.EdgeCase, "CIP-5-only-six", "keep the state", "At least one event has no row for the state it meets.")
            .Rule("BlacklistedStays", VectorBugType.EdgeCase, "CIP-5-blacklisted-deny", "stay blacklisted", "An event other than manual override.")
            .Note("NoShortcut", VectorBugType.EdgeCase, "An event that would skip a state (untrusted straight to trusted, probing straight to blacklisted, untrusted to blacklisted) does nothing: trust moves one row at a time.", "keep the state: trust moves one row at a time", "CIP-5-only-six")
            .Note("Lifecycle", VectorBugType.Basic, "A hand-written path through the table (first contact to trust, demotion, blacklisting and reinstatement).", "end in the expected state after every event")
            .Note("RandomWalk", VectorBugType.Generated, "A seeded random sequence of 6 to 24 events.", "end in the expected state after every event");

        var shared = new JsonObject
        {
            ["states"] = new JsonArray([.. Enum.GetValues<TrustState>().Select(s => (JsonNode)s.Wire())]),
            ["events"] = new JsonArray([.. Enum.GetValues<TrustEvent>().Select(e => (JsonNode)e.Wire())]),
            ["table"] = new JsonArray([.. TrustFsm.Table.Select(t => (JsonNode)new JsonObject { ["from"] = t.From.Wire(), ["event"] = t.Event.Wire(), ["to"] = t.To.Wire() })]),
        };

        b.Group("SingleEvent", shared);
        foreach (var s in Enum.GetValues<TrustState>())
            foreach (var e in Enum.GetValues<TrustEvent>())
                Add(b, s, [e], null);

        b.Group("EventPairs", shared);
        foreach (var s in Enum.GetValues<TrustState>())
            foreach (var e1 in Enum.GetValues<TrustEvent>())
                foreach (var e2 in Enum.GetValues<TrustEvent>())
                    Add(b, s, [e1, e2], null);

        b.Group("Lifecycles", shared);
        var H = TrustEvent.ValidHandshake; var V = TrustEvent.VerifiedKnowledge; var C = TrustEvent.ConflictOrUnverifiable;
        var S = TrustEvent.SevereConflict; var A = TrustEvent.TemporaryAnomaly; var M = TrustEvent.ManualOverride;
        var paths = new (TrustState, TrustEvent[], string)[]
        {
            (TrustState.Untrusted, [H, V], "first contact to trusted: handshake, then verified knowledge"),
            (TrustState.Untrusted, [H, C, H, V], "cooldown and a second handshake before trust"),
            (TrustState.Untrusted, [H, V, A, V], "trusted, anomaly re-verifies it, verified again"),
            (TrustState.Untrusted, [H, V, S], "trusted peer blacklisted by a severe conflict"),
            (TrustState.Untrusted, [H, V, S, H, V], "blacklisted: a new handshake and verified knowledge do not reinstate it"),
            (TrustState.Untrusted, [H, V, S, M, V], "blacklisted, reinstated by the human authority to probing, trusted again"),
            (TrustState.Untrusted, [H, V, S, M, C], "reinstated to probing, then a conflict sends it to untrusted"),
            (TrustState.Untrusted, [H, V, A, C, H], "trusted → probing → untrusted → probing"),
            (TrustState.Untrusted, [H, V, A, S], "probing after an anomaly: a severe conflict does not blacklist a probing peer"),
            (TrustState.Untrusted, [H, V, A, A, A], "repeated anomalies: only the first one moves a trusted peer"),
            (TrustState.Untrusted, [V, V, V], "verified knowledge from untrusted: no shortcut to trusted"),
            (TrustState.Untrusted, [S, S, M], "an untrusted peer cannot be blacklisted or overridden"),
            (TrustState.Untrusted, [H, H, H, V], "repeated handshakes keep a probing peer probing"),
            (TrustState.Probing, [S, A, M, V], "from probing: only verified knowledge moves it up"),
            (TrustState.Trusted, [H, V, C, M, S], "from trusted: handshake, verified knowledge, conflict and override change nothing; severe conflict blacklists"),
            (TrustState.Blacklisted, [H, V, C, S, A, M], "from blacklisted: every event but the manual override is ignored"),
            (TrustState.Blacklisted, [M, M, V, V], "override twice (the second ignored), then trusted"),
            (TrustState.Untrusted, [H, V, S, M, V, S, M, V, A, C, H, V], "two blacklistings and reinstatements, demotion to untrusted and back to trusted"),
        };
        foreach (var (s, events, what) in paths) Add(b, s, events, what, "Lifecycle");

        b.Group("RandomWalks", shared);
        var r = new SeededBits(seed, "cip-trust-fsm");
        var all = Enum.GetValues<TrustEvent>();
        for (var i = 0; i < 60; i++)
        {
            var start = Enum.GetValues<TrustState>()[(int)(r.Next() % 4)];
            var events = Enumerable.Range(0, 6 + (int)(r.Next() % 19)).Select(_ => all[(int)(r.Next() % (ulong)all.Length)]).ToArray();
            Add(b, start, events, $"seeded random walk #{i + 1} from {start.Wire()}", "RandomWalk");
        }
        return b.Build();
    }

    private static void Add(VectorFileBuilder b, TrustState initial, TrustEvent[] events, string? comment, params string[] extraFlags)
    {
        var flags = new List<string>();
        var states = new JsonArray();
        var steps = new List<string>();
        var s = initial;
        foreach (var e in events)
        {
            var next = TrustFsm.Next(s, e);
            if (next != s) flags.Add(RowFlag[(s, e)]);
            else
            {
                flags.Add("NoTransition");
                if (s == TrustState.Blacklisted) flags.Add("BlacklistedStays");
                if ((s, e) is (TrustState.Untrusted, TrustEvent.VerifiedKnowledge) or (TrustState.Probing, TrustEvent.SevereConflict)
                    or (TrustState.Untrusted, TrustEvent.SevereConflict)) flags.Add("NoShortcut");
            }
            steps.Add($"{e.Wire()} → {next.Wire()}{(next == s ? " (unchanged)" : "")}");
            states.Add(next.Wire());
            s = next;
        }
        flags.AddRange(extraFlags);
        var auto = $"from {initial.Wire()}: " + string.Join("; ", steps);
        b.Test(comment is null ? auto : comment + " — " + auto, VectorResult.Valid, new JsonObject
        {
            ["initial"] = initial.Wire(),
            ["events"] = new JsonArray([.. events.Select(e => (JsonNode)e.Wire())]),
            ["states"] = states,
            ["final"] = s.Wire(),
        }, [.. flags.Distinct()]);
    }
}
