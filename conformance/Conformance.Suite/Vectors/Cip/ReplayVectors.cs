// vectors/cip/replay.json: replay protection (cip.md §4.1 "replay protection (nonce + timestamp)", §7 "Nonce +
// timestamp protect against replay"). Each test is a sequence of envelopes arriving at one agent at given times; the
// model's agent (CipAgent, fresh per test, its clock set to each arrival time) decides for each whether it is accepted
// or dropped and why. The last envelope is the test's subject: `outcome` and `result` are its verdict; the earlier
// ones set the scene (handshakes, first copies) and carry their own verdicts too.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Suite.Vectors.Ltp;
using static Conformance.Suite.Vectors.Cip.CipVectorKit;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class ReplayVectors : IVectorTopic
{
    public string Spec => "cip";
    public string Topic => "replay";

    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly CipIdentity Agent = Identity("agent-under-test", "replay/agent");
    private static readonly CipIdentity A = Identity("peer-a", "replay/peer-a");
    private static readonly CipIdentity B = Identity("peer-b", "replay/peer-b");
    private static readonly CipIdentity C = Identity("peer-c", "replay/peer-c");

    /// <summary>One arrival: when (offset from T0), on which connection, what text.</summary>
    private sealed record Arrival(TimeSpan At, int Connection, string Text);

    /// <summary>Builds a scenario's envelopes; UUIDs and nonces come from the seeded stream.</summary>
    private sealed class Script(SeededBits r)
    {
        public readonly List<Arrival> Steps = [];
        public SeededBits R => r;

        public string Id() => Uuid(r);
        public byte[] Nonce() => r.Bytes(16);

        public static string Envelope(CipIdentity from, CipType type, JsonObject payload, string msgId, DateTimeOffset ts, Signal? state = null) =>
            Signed(CipCompose.Unsigned(from, PeerOf(Agent), type, payload, msgId, ts, TrustState.Probing.Wire(), "unknown", state ?? Calm), from.Key);

        public string Hello(CipIdentity from, DateTimeOffset ts, byte[]? nonce = null, string? msgId = null, Signal? state = null, byte[]? challenge = null) =>
            Envelope(from, CipType.Hello, CipVectorKit.Hello(nonce ?? Nonce(), challenge ?? r.Bytes(32)), msgId ?? Id(), ts, state);

        public string State(CipIdentity from, DateTimeOffset ts, string? msgId = null) =>
            Envelope(from, CipType.StateUpdate, StateUpdate(), msgId ?? Id(), ts);

        public string Intent(CipIdentity from, DateTimeOffset ts, string? msgId = null) =>
            Envelope(from, CipType.Intent, CipVectorKit.Intent(), msgId ?? Id(), ts);

        public string Propose(CipIdentity from, DateTimeOffset ts, string msgId) =>
            Envelope(from, CipType.FactPropose, Claim("a claim", Id(), ["obs:1"], []), msgId, ts);

        public Script At(double seconds, int connection, string text)
        {
            Steps.Add(new Arrival(Span(seconds), connection, text));
            return this;
        }
    }

    /// <summary>T0 + seconds, exact to the millisecond (AddSeconds on a double would lose it).</summary>
    private static DateTimeOffset T(double seconds) => T0 + Span(seconds);

    private static TimeSpan Span(double seconds) => TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "replay.schema.json", seed,
            "Replay protection at a CIP agent (cip.md §4.1 step 3, §7), as the project reads it (SPEC-NOTES.md \"Replay\"): an envelope is dropped when its "
            + "timestamp is more than `replayWindowSeconds` from the agent's clock (either side), when its msg_id (any case) was already accepted from the same "
            + "sender, or when a HELLO reuses a session_nonce the agent has already accepted from anyone; a FACT_PROPOSE may not reuse the msg_id of a claim "
            + "the agent holds, from any peer.",
            "input: `steps`, each an envelope arriving at the agent at time `at` on connection `connection`; the agent starts with no peers and no history. "
            + "expected: each step's verdict (`expected` accepted | dropped, with `rule` and `reason` when dropped). `outcome` is the last step's verdict; "
            + "result valid = the last envelope is accepted, invalid = it is dropped.",
            "Checks run in this order: shape, receiver, fingerprint and signature, pinned key, timestamp window, seen msg_id, payload, session_nonce; only an "
            + "envelope that passes them all is recorded (its msg_id and nonce). Every non-HELLO is sent after an accepted HELLO on the same connection (otherwise it would be dropped for CIP-4-session). "
            + "Envelopes are signed with the published keys of each group's `peers` and addressed to `agent`.")
            .Note("WindowInside", VectorBugType.EdgeCase, "The timestamp is within the window of the agent's clock (|timestamp − now| ≤ 30 s, the bound included): accepted.", "accept", "CIP-7-timestamp-window")
            .Rule("WindowPast", VectorBugType.Replay, "CIP-7-timestamp-window", "drop: no answer, no trust change", "The timestamp is before the agent's clock.")
            .Note("WindowFuture", VectorBugType.Replay, "The timestamp is more than 30 s after the agent's clock: dropped just the same (a future timestamp is how a replay is prepared).", "drop: no answer, no trust change", "CIP-7-timestamp-window")
            .Note("WindowBoundary", VectorBugType.EdgeCase, "Exactly at or one millisecond beyond the 30 s bound.", "accept at the bound, drop beyond it", "CIP-7-timestamp-window")
            .Rule("SeenMsgId", VectorBugType.Replay, "CIP-7-replay", "drop: no answer, no trust change", "A msg_id already accepted from the same sender (§2.2 msg_id is unique per message).")
            .Note("MsgIdCase", VectorBugType.Replay, "The same msg_id in another case: UUIDs compare case-insensitively (RFC 9562), so it is the same msg_id.", "drop: no answer, no trust change", "CIP-7-replay", "RFC 9562")
            .Note("OtherSender", VectorBugType.EdgeCase, "The same msg_id from another sender: msg_ids are remembered per sender, so it is accepted (except for claims).", "accept (a claim excepted)", "CIP-7-replay")
            .Note("ExactReplay", VectorBugType.Replay, "The very same envelope text again (a captured message replayed).", "drop: no answer, no trust change", "CIP-7-replay")
            .Note("NotRecorded", VectorBugType.EdgeCase, "The first copy was dropped (stale timestamp, bad signature, invalid payload), so its msg_id or nonce was never recorded: the later valid envelope is accepted.", "accept", "CIP-7-replay")
            .Note("WindowFirst", VectorBugType.Ordering, "A replay that is also outside the window is dropped for the window: that check comes first.", "drop, for the window", "CIP-7-timestamp-window")
            .Note("SignatureFirst", VectorBugType.Ordering, "A replayed msg_id on an envelope that fails verification is dropped for the signature: verification comes first.", "drop, for the signature", "CIP-7-sign")
            .Rule("NonceReuse", VectorBugType.Replay, "CIP-7-replay", "drop: no answer, no trust change", "A HELLO whose session_nonce the agent already accepted (from any peer, at any time).")
            .Note("FreshNonce", VectorBugType.Basic, "A new HELLO with a fresh session_nonce and msg_id (a re-handshake): accepted.", "accept", "CIP-7-replay")
            .Note("DeferredHello", VectorBugType.EdgeCase, "A HELLO from an overloaded peer is deferred (§4.2) but was accepted as a message: its nonce and msg_id are recorded.", "record its nonce and msg_id: a later copy is a replay", "CIP-4.2-defer", "CIP-7-replay")
            .Note("ClaimMsgId", VectorBugType.Replay, "A FACT_PROPOSE reusing the msg_id that already names a claim the agent holds, even from another peer: dropped (SPEC-NOTES.md \"Envelope fields\").", "drop: no answer, no trust change", "SPEC-NOTES.md#envelope-fields")
            .Note("RandomSequence", VectorBugType.Generated, "A seeded random sequence of fresh, replayed, stale and future envelopes.", "accept or drop each envelope as expected");

        var shared = new JsonObject
        {
            ["agent"] = Describe(Agent, "replay/agent"),
            ["peers"] = new JsonArray(Describe(A, "replay/peer-a"), Describe(B, "replay/peer-b"), Describe(C, "replay/peer-c")),
            ["replayWindowSeconds"] = Window.TotalSeconds,
            ["clockStart"] = CipCompose.Timestamp(T0),
        };
        var r = new SeededBits(seed, "cip-replay");
        var n = 0;
        void Run(string comment, Script s, params string[] flags) => Add(b, seed, ++n, comment, s, flags);

        // ---- the window ----
        var offsets = new (double Seconds, string What)[]
        {
            (0, "equal to the clock"), (-1, "1 s old"), (1, "1 s ahead"), (-15, "15 s old"), (15, "15 s ahead"), (-29.999, "29.999 s old"), (29.999, "29.999 s ahead"),
            (-30, "exactly 30 s old"), (30, "exactly 30 s ahead"), (-30.001, "30.001 s old"), (30.001, "30.001 s ahead"), (-31, "31 s old"), (31, "31 s ahead"),
            (-60, "1 min old"), (60, "1 min ahead"), (-300, "5 min old"), (300, "5 min ahead"), (-3600, "1 h old"), (3600, "1 h ahead"),
            (-86_400, "1 day old"), (86_400, "1 day ahead"), (-31_536_000, "1 year old"),
        };
        string[] WindowFlags(double d) => [Math.Abs(d) <= 30 ? "WindowInside" : d < 0 ? "WindowPast" : "WindowFuture", .. Math.Abs(Math.Abs(d) - 30) <= 0.001 ? new[] { "WindowBoundary" } : []];

        b.Group("WindowFirstContact", shared.DeepClone().AsObject());
        foreach (var (d, what) in offsets)
        {
            var s = new Script(r);
            var now = 1000.0;
            Run($"first HELLO, timestamp {what}", s.At(now, 1, s.Hello(A, T(now + d))), WindowFlags(d));
        }
        b.Group("WindowAfterHandshake", shared.DeepClone().AsObject());
        foreach (var (d, what) in offsets)
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(A, T(1000)));
            Run($"STATE_UPDATE after a handshake, timestamp {what}", s.At(1010, 1, s.State(A, T(1010 + d))), WindowFlags(d));
        }
        foreach (var (d, what) in offsets.Where((_, i) => i % 3 == 0))
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(B, T(1000)));
            Run($"INTENT after a handshake, timestamp {what}", s.At(1020.5, 1, s.Intent(B, T(1020.5 + d))), WindowFlags(d));
        }

        // ---- seen msg_ids ----
        b.Group("SeenMsgId", shared.DeepClone().AsObject());
        foreach (var (delay, kind) in new[] { (0.0, "at once"), (1, "1 s later"), (29, "29 s later"), (29.999, "29.999 s later") })
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(A, T(1000)));
            var text = s.State(A, T(1001));
            s.At(1001, 1, text);
            Run($"the same STATE_UPDATE replayed {kind}", s.At(1001 + delay, 1, text), "SeenMsgId", "ExactReplay");
        }
        {
            var s = new Script(r);
            var hello = s.Hello(A, T(1000));
            s.At(1000, 1, hello);
            Run("the same HELLO replayed 2 s later (its msg_id is seen before its nonce is checked)", s.At(1002, 1, hello), "SeenMsgId", "ExactReplay");
        }
        {
            var s = new Script(r);
            var text = s.Intent(A, T(1001));
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, text);
            Run("the same INTENT replayed 31 s after its timestamp: the window decides", s.At(1032, 1, text), "WindowFirst", "WindowPast", "ExactReplay");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("a new STATE_UPDATE reusing a msg_id, fresh timestamp", s.At(1005, 1, s.State(A, T(1005), id)), "SeenMsgId");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("an INTENT reusing the msg_id of a STATE_UPDATE (msg_ids are per message, not per type)", s.At(1003, 1, s.Intent(A, T(1003), id)), "SeenMsgId");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("the msg_id again in upper case", s.At(1002, 1, s.State(A, T(1002), id.ToUpperInvariant())), "SeenMsgId", "MsgIdCase");
        }
        {
            var s = new Script(r);
            var id = s.Id().ToUpperInvariant();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("first seen in upper case, again in lower case", s.At(1002, 1, s.State(A, T(1002), id.ToLowerInvariant())), "SeenMsgId", "MsgIdCase");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1000, 2, s.Hello(B, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("peer-b uses the msg_id peer-a used", s.At(1002, 2, s.State(B, T(1002), id)), "OtherSender");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000), msgId: id));
            Run("peer-b's HELLO uses the msg_id of peer-a's HELLO", s.At(1001, 2, s.Hello(B, T(1001), msgId: id)), "OtherSender");
        }
        {
            var s = new Script(r);
            var text = s.State(A, T(1001));
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, text).At(1010, 2, s.Hello(A, T(1010)));
            Run("replayed on a new connection after a re-handshake", s.At(1011, 2, text), "SeenMsgId", "ExactReplay");
        }
        {
            var s = new Script(r);
            var first = s.State(A, T(1001));
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, first);
            for (var i = 0; i < 10; i++) s.At(1002 + i, 1, s.State(A, T(1002 + i)));
            Run("the first STATE_UPDATE replayed after ten others", s.At(1015, 1, first), "SeenMsgId", "ExactReplay");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("a msg_id seen an hour ago, on an envelope with a fresh timestamp (msg_ids are remembered)", s.At(4601, 1, s.State(A, T(4601), id)), "SeenMsgId");
        }
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.State(A, T(1001)));
            Run("identical content under a new msg_id: not a replay", s.At(1002, 1, s.State(A, T(1001))), "WindowInside");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1060, 1, s.State(A, T(1000), id));
            Run("a msg_id first used on a stale envelope (dropped, not recorded), then on a fresh one", s.At(1061, 1, s.State(A, T(1061), id)), "NotRecorded");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            var forged = Edit(s.State(A, T(1001), id), o => At(o, "state")["lri"] = 99);
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, forged);
            Run("a msg_id first used on an envelope with a bad signature, then on a valid one", s.At(1002, 1, s.State(A, T(1002), id)), "NotRecorded");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            var bad = Script.Envelope(A, CipType.StateUpdate, StateUpdate(lri: 101), id, T(1001));
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, bad);
            Run("a msg_id first used on an envelope with an invalid payload, then on a valid one", s.At(1002, 1, s.State(A, T(1002), id)), "NotRecorded");
        }
        {
            var s = new Script(r);
            var text = s.State(A, T(1001));
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, text);
            Run("a replay tampered with (lri changed): the signature check decides", s.At(1002, 1, Edit(text, o => At(o, "state")["lri"] = 55)), "SignatureFirst");
        }

        // ---- session nonces ----
        b.Group("SessionNonce", shared.DeepClone().AsObject());
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce));
            Run("peer-a's second HELLO reuses its session_nonce (new msg_id)", s.At(1005, 1, s.Hello(A, T(1005), nonce)), "NonceReuse");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce));
            Run("peer-b's HELLO reuses peer-a's session_nonce", s.At(1001, 2, s.Hello(B, T(1001), nonce)), "NonceReuse");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce));
            Run("a session_nonce reused an hour later (fresh timestamp)", s.At(4600, 2, s.Hello(A, T(4600), nonce)), "NonceReuse");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce)).At(1001, 2, s.Hello(B, T(1001)));
            Run("peer-c reuses peer-a's session_nonce after peer-b's fresh HELLO", s.At(1002, 3, s.Hello(C, T(1002), nonce)), "NonceReuse");
        }
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(A, T(1000)));
            Run("peer-a re-handshakes with a fresh session_nonce", s.At(1005, 1, s.Hello(A, T(1005))), "FreshNonce");
        }
        {
            var s = new Script(r);
            var challenge = s.R.Bytes(32);
            s.At(1000, 1, s.Hello(A, T(1000), challenge: challenge));
            Run("the same challenge with a fresh session_nonce (only nonces are tracked)", s.At(1001, 2, s.Hello(B, T(1001), challenge: challenge)), "FreshNonce");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), challenge: nonce));
            Run("a session_nonce equal to an earlier HELLO's challenge", s.At(1001, 2, s.Hello(B, T(1001), nonce)), "FreshNonce");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(900), nonce));
            Run("a session_nonce first used on a stale HELLO (dropped, not recorded), then on a fresh one", s.At(1001, 1, s.Hello(A, T(1001), nonce)), "NotRecorded");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            var bad = Script.Envelope(A, CipType.Hello, Hello(nonce, new byte[4]), s.Id(), T(1000));
            s.At(1000, 1, bad);
            Run("a session_nonce first used on a HELLO with an invalid payload (4-byte challenge), then on a valid one", s.At(1001, 1, s.Hello(A, T(1001), nonce)), "NotRecorded");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce, state: new Signal(Presence.Overloaded, 95, [], null)));
            Run("a session_nonce first used on a deferred HELLO (peer overloaded), then again", s.At(1010, 1, s.Hello(A, T(1010), nonce)), "DeferredHello", "NonceReuse");
        }
        {
            var s = new Script(r);
            s.At(1000, 1, s.Hello(A, T(1000), state: new Signal(Presence.Overloaded, 95, [], null)));
            Run("a deferred HELLO, then a fresh HELLO once the load fell", s.At(1010, 1, s.Hello(A, T(1010))), "DeferredHello", "FreshNonce");
        }
        {
            var s = new Script(r);
            var nonce = s.Nonce();
            s.At(1000, 1, s.Hello(A, T(1000), nonce));
            Run("a session_nonce reused on a stale HELLO: the window decides", s.At(1100, 2, s.Hello(B, T(1000), nonce)), "WindowFirst", "WindowPast");
        }

        // ---- claims ----
        b.Group("ClaimMsgId", shared.DeepClone().AsObject());
        foreach (var (upper, what) in new[] { (false, "the same case"), (true, "upper case") })
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1000, 2, s.Hello(B, T(1000))).At(1001, 1, s.Propose(A, T(1001), id));
            Run($"peer-b proposes a claim under the msg_id of peer-a's pending claim ({what})", s.At(1002, 2, s.Propose(B, T(1002), upper ? id.ToUpperInvariant() : id)), "ClaimMsgId");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1000, 2, s.Hello(B, T(1000))).At(1001, 1, s.State(A, T(1001), id));
            Run("peer-b proposes a claim under the msg_id of peer-a's STATE_UPDATE (not a claim)", s.At(1002, 2, s.Propose(B, T(1002), id)), "OtherSender");
        }
        {
            var s = new Script(r);
            var id = s.Id();
            s.At(1000, 1, s.Hello(A, T(1000))).At(1001, 1, s.Propose(A, T(1001), id));
            Run("peer-a proposes again under its own claim's msg_id", s.At(1002, 1, s.Propose(A, T(1002), id)), "SeenMsgId");
        }

        // ---- random ----
        b.Group("RandomSequences", shared.DeepClone().AsObject());
        for (var i = 0; i < 40; i++)
        {
            var s = new Script(r);
            var peers = new[] { A, B, C };
            var sent = new List<(string Text, int Connection)>();
            var nonces = new List<byte[]>();
            var now = 1000.0;
            var connected = new Dictionary<CipIdentity, int>();
            var length = 5 + Pick(r, 8);
            for (var k = 0; k < length; k++)
            {
                now += Pick(r, 20) / 2.0;
                var who = peers[Pick(r, 3)];
                string text;
                if (!connected.TryGetValue(who, out var conn))
                {
                    // First contact: always a fresh, in-window HELLO, so the peer has a session for what follows.
                    conn = connected.Count + 1;
                    connected[who] = conn;
                    var nonce = s.Nonce();
                    nonces.Add(nonce);
                    text = s.Hello(who, T(now), nonce);
                }
                else if (Pick(r, 6) == 0)
                {
                    // A re-handshake on the same connection, sometimes reusing a nonce already seen.
                    var nonce = Pick(r, 2) == 0 ? nonces[Pick(r, nonces.Count)] : s.Nonce();
                    nonces.Add(nonce);
                    text = s.Hello(who, T(now + Skew(r)), nonce);
                }
                else if (sent.Count > 0 && Pick(r, 4) == 0)
                {
                    // A replay of an earlier envelope, on its sender's connection.
                    (text, conn) = sent[Pick(r, sent.Count)];
                }
                else
                    text = Pick(r, 2) == 0 ? s.State(who, T(now + Skew(r))) : s.Intent(who, T(now + Skew(r)));
                sent.Add((text, conn));
                s.At(now, conn, text);
            }
            Run($"seeded sequence #{i + 1} ({length} envelopes)", s, "RandomSequence");
        }
        return b.Build();
    }

    /// <summary>Mostly a small clock skew, sometimes one beyond the window either way.</summary>
    private static double Skew(SeededBits r) => Pick(r, 6) switch
    {
        0 => -(31 + Pick(r, 60)),
        1 => 31 + Pick(r, 60),
        _ => Pick(r, 41) - 20,
    };

    private static void Add(VectorFileBuilder b, ulong seed, int n, string comment, Script s, string[] flags)
    {
        var env = new SeededEnvironment(seed, T0, "cip-replay-agent-" + n);
        var cfg = new CipAgentConfig(Agent, new HashSet<string>(), null, Window);
        var state = CipAgentState.Initial;
        var steps = new JsonArray();
        JsonObject? last = null;
        foreach (var a in s.Steps)
        {
            var at = T0 + a.At;
            if (at < env.Now) throw new InvalidOperationException("cip/replay: time goes backwards in " + comment);
            env.Advance(at - env.Now);
            var step = CipAgent.Step(state, new CipInput.Message(a.Connection, a.Text), cfg, env);
            state = step.State;
            var o = new JsonObject { ["at"] = CipCompose.Timestamp(at), ["connection"] = a.Connection, ["envelope"] = a.Text };
            if (step.Dropped is not { } drop) o["expected"] = "accepted";
            else
            {
                o["expected"] = "dropped";
                o["rule"] = drop.Rule;
                o["reason"] = drop.Detail;
            }
            steps.Add(o);
            last = o;
        }
        var outcome = last!["expected"]!.GetValue<string>();
        var lastFlags = flags.ToList();
        // Guard: the flags say what the subject's verdict must be.
        var expectDropped = flags.Any(f => f is "WindowPast" or "WindowFuture" or "SeenMsgId" or "NonceReuse" or "ClaimMsgId" or "SignatureFirst");
        var expectAccepted = flags.Any(f => f is "WindowInside" or "OtherSender" or "NotRecorded" or "FreshNonce");
        if ((expectDropped && outcome != "dropped") || (expectAccepted && outcome != "accepted"))
            throw new InvalidOperationException($"cip/replay: \"{comment}\" gave {outcome}: {last.ToJsonString()[..Math.Min(400, last.ToJsonString().Length)]}");
        var verdict = outcome == "accepted" ? "accepted" : $"dropped, {last["rule"]}";
        b.Test($"{comment} → {verdict}", outcome == "accepted" ? VectorResult.Valid : VectorResult.Invalid,
            new JsonObject { ["steps"] = steps, ["outcome"] = outcome }, [.. lastFlags]);
    }
}
