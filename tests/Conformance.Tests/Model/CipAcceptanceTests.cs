// The CIP acceptance order as one entry point (CipAcceptance.Judge): each check refuses with its own rule, an envelope
// with two defects is refused by the earlier check, a receiver that knows less makes fewer checks, and the agent's
// step drops exactly what the entry point refuses (CipStep.Dropped, the same as its cip.drop observation). Also the
// model's other oracles: the §6 verdict (KnowledgePolicy.Judge) and the trust names and first-contact trusts.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;
using static Conformance.Tests.Model.CipKit;

namespace Conformance.Tests.Model;

public static class CipAcceptanceTests
{
    private static readonly CipIdentity P = Identity("accept-p"), Q = Identity("accept-q");
    private static readonly CipIdentity Impostor = new(P.AgentId, Key("accept-impostor"));
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);
    private static readonly Random Rng = new(7);

    /// <summary>A receiver that knows everything the agent knows: P is pinned and in session, nothing seen yet.</summary>
    private static CipReceiving Full(Func<string, bool>? seen = null, bool inSession = true) => new()
    {
        Self = PeerOf(Agent),
        Pinned = id => id == P.AgentId ? P.Key.PublicKey : null,
        Clock = (T0, Window),
        SeenMsgId = seen ?? (_ => false),
        SeenNonce = seen ?? (_ => false),
        InSession = _ => inSession,
        Handshakes = true,
    };

    private static string From(CipIdentity who, CipType type, JsonObject payload, Action<JsonObject>? tamper = null, Ed25519Signer? signer = null,
        DateTimeOffset? ts = null, string? msgId = null) =>
        Signed(who, PeerOf(Agent), type, payload, msgId ?? Uuid(Rng), ts ?? T0, tamper: tamper, signer: signer);

    private static string IntentFromP(Action<JsonObject>? tamper = null, Ed25519Signer? signer = null, DateTimeOffset? ts = null, JsonObject? payload = null) =>
        From(P, CipType.Intent, payload ?? Intent(), tamper, signer, ts);

    private static JsonObject HelloPayload() => Hello([.. Enumerable.Repeat((byte)1, 16)], [.. Enumerable.Repeat((byte)2, 32)]);

    private static void Refused(CipVerdict v, CipCheck at, string rule, string what)
    {
        Expect.equal(v.FailedAt, at, what + ": the check that refused it");
        Expect.equal(v.Error?.Rule, rule, what + ": the rule");
        Expect.isFalse(v.Accepted, what + ": not accepted");
    }

    private static string MsgKeyOf(string text) => CipAcceptance.MsgKey(CipEnvelopes.Parse(text).Envelope!);

    private static readonly string Stale = IntentFromP(ts: T0.AddSeconds(-31));

    public static Test Tests() => TestList("model.cip.acceptance", new Test[]
    {
        TestCase("a valid INTENT from a pinned peer in session is accepted with its payload", () =>
        {
            var v = CipAcceptance.Judge(IntentFromP(), Full());
            Expect.isTrue(v.Accepted, $"accepted, got {v.Error}");
            Expect.isTrue(v.FailedAt is null, "no failed check");
            Expect.isTrue(v.Payload is IntentPayload { Goal: "ask" }, "the typed payload");
        }),
        TestCase("each check of the acceptance order refuses with its own rule", () =>
        {
            var text = IntentFromP();
            var helloQ = From(Q, CipType.Hello, HelloPayload());
            (string What, string Text, CipReceiving R, CipCheck At, string Rule)[] cases =
            [
                ("not JSON", "{\"cip\":", Full(), CipCheck.Parse, CipRules.Shape),
                ("over 256 KiB", IntentFromP(payload: Intent(topic: new string('x', 300 * 1024))), Full(), CipCheck.Parse, CipRules.Size),
                ("a msg_id that is not a UUID v4", From(P, CipType.Intent, Intent(), msgId: "msg-1"), Full(), CipCheck.Parse, CipRules.MsgId),
                ("addressed to another agent_id", IntentFromP(e => e["receiver"]!["agent_id"] = "someone-else"), Full(), CipCheck.Receiver, CipRules.Receiver),
                ("addressed to another fingerprint", IntentFromP(e => e["receiver"]!["fingerprint"] = Q.Fingerprint), Full(), CipCheck.Receiver, CipRules.Receiver),
                ("a fingerprint that is not its key's", IntentFromP(e => e["sender"]!["fingerprint"] = Q.Fingerprint), Full(), CipCheck.Signature, CipRules.Fingerprint),
                ("signed by another key", IntentFromP(signer: Q.Key), Full(), CipCheck.Signature, CipRules.Sign),
                ("a HELLO signed by another key, to a receiver that runs handshakes", From(Q, CipType.Hello, HelloPayload(), signer: P.Key), Full(), CipCheck.Signature, CipRules.BadSignature),
                ("the same HELLO to a receiver that does not", From(Q, CipType.Hello, HelloPayload(), signer: P.Key), CipReceiving.Anyone, CipCheck.Signature, CipRules.Sign),
                ("a pinned agent_id under another key", From(Impostor, CipType.Intent, Intent()), Full(), CipCheck.PinnedKey, CipRules.Pinned),
                ("an unknown sender to a receiver of pinned parties only", helloQ, Full() with { PinnedOnly = true }, CipCheck.PinnedKey, CipRules.Pinned),
                ("31 s in the past, window 30 s", Stale, Full(), CipCheck.Window, CipRules.TimestampWindow),
                ("31 s in the future", IntentFromP(ts: T0.AddSeconds(31)), Full(), CipCheck.Window, CipRules.TimestampWindow),
                ("a msg_id already seen", text, Full(seen: k => k == MsgKeyOf(text)), CipCheck.Replay, CipRules.Replay),
                ("an unknown goal", IntentFromP(payload: Intent(goal: "dance")), Full(), CipCheck.Payload, CipRules.Payload),
                ("a HELLO with a session_nonce already used", helloQ, Full(seen: k => k.StartsWith("nonce/", StringComparison.Ordinal)), CipCheck.Nonce, CipRules.Replay),
                ("an INTENT without a session", text, Full(inSession: false), CipCheck.Session, CipRules.Session),
            ];
            foreach (var (what, t, r, at, rule) in cases) Refused(CipAcceptance.Judge(t, r), at, rule, what);
        }),
        TestCase("an envelope with two defects is refused by the earlier check", () =>
        {
            Refused(CipAcceptance.Judge(IntentFromP(e => e["receiver"]!["agent_id"] = "x", ts: T0.AddMinutes(-5)), Full()), CipCheck.Receiver, CipRules.Receiver, "receiver before window");
            Refused(CipAcceptance.Judge(IntentFromP(signer: Q.Key, ts: T0.AddMinutes(-5)), Full()), CipCheck.Signature, CipRules.Sign, "signature before window");
            Refused(CipAcceptance.Judge(Stale, Full(seen: _ => true)), CipCheck.Window, CipRules.TimestampWindow, "window before replay");
            var bad = IntentFromP(payload: Intent(goal: "dance"));
            Refused(CipAcceptance.Judge(bad, Full(seen: _ => true)), CipCheck.Replay, CipRules.Replay, "replay before payload");
            Refused(CipAcceptance.Judge(bad, Full(inSession: false)), CipCheck.Payload, CipRules.Payload, "payload before session");
        }),
        TestCase("a receiver that knows nothing checks only parse, signature and payload", () =>
        {
            foreach (var (what, text) in new[] { ("stale", Stale), ("addressed elsewhere", IntentFromP(e => e["receiver"]!["agent_id"] = "x")), ("an impostor", From(Impostor, CipType.Intent, Intent())) })
                Expect.isTrue(CipAcceptance.Judge(text, CipReceiving.Anyone).Accepted, what + ": accepted by a receiver that cannot tell");
            Refused(CipAcceptance.Judge(IntentFromP(signer: Q.Key), CipReceiving.Anyone), CipCheck.Signature, CipRules.Sign, "a bad signature is still refused");
            Refused(CipAcceptance.Judge(IntentFromP(payload: Intent(goal: "dance")), CipReceiving.Anyone), CipCheck.Payload, CipRules.Payload, "a bad payload too");
        }),
        TestCase("an unenforced rule passes its check and only its check", () =>
        {
            var noFingerprint = CipReceiving.Anyone with { Unenforced = new HashSet<string> { CipRules.Fingerprint } };
            // Signed by Q's key but carrying Q's key: only the fingerprint is wrong.
            var wrongFingerprint = From(Q, CipType.Intent, Intent(), e => e["sender"]!["fingerprint"] = P.Fingerprint);
            Expect.isTrue(CipAcceptance.Judge(wrongFingerprint, noFingerprint).Accepted, "a wrong fingerprint passes");
            Refused(CipAcceptance.Judge(From(Q, CipType.Intent, Intent(), e => e["sender"]!["fingerprint"] = P.Fingerprint, signer: P.Key), noFingerprint),
                CipCheck.Signature, CipRules.Sign, "the signature is still checked");
            var noWindow = Full() with { Unenforced = new HashSet<string> { CipRules.TimestampWindow } };
            Expect.isTrue(CipAcceptance.Judge(Stale, noWindow).Accepted, "a stale envelope passes an agent without a window");
        }),
        TestCase("receiver.fingerprint names the receiver's key in either letter case, for every receiver; another key is refused", () =>
        {
            var upper = IntentFromP(e => e["receiver"]!["fingerprint"] = Agent.Fingerprint.ToUpperInvariant());
            Expect.isTrue(CipAcceptance.Judge(upper, Full()).Accepted, "upper case");
            var other = IntentFromP(e => e["receiver"]!["fingerprint"] = P.Fingerprint);
            Refused(CipAcceptance.Judge(other, Full()), CipCheck.Receiver, CipRules.Receiver, "another key's fingerprint");
        }),
        TestCase("the agent's step drops exactly what Judge refuses, with the same error, and reports it once", () =>
        {
            var cfg = new CipAgentConfig(Agent, new HashSet<string>(), null, Window);
            var env = new SeededEnvironment(3, T0, "acceptance");
            var s = CipAgentState.Initial;
            var nonce = Enumerable.Repeat((byte)9, 16).ToArray();
            var hello = Signed(P, PeerOf(Agent), CipType.Hello, Hello(nonce, [.. Enumerable.Repeat((byte)3, 32)]), Uuid(Rng), T0);
            var intent = IntentFromP();
            (int Conn, string Text)[] script =
            [
                (1, intent),                                                   // before any handshake
                (1, From(Q, CipType.Hello, HelloPayload(), signer: P.Key)),     // bad first HELLO: marks Q untrusted
                (1, hello),
                (1, IntentFromP()),
                (1, hello),                                                    // the same HELLO again
                (1, Signed(P, PeerOf(Agent), CipType.Hello, Hello(nonce, [.. Enumerable.Repeat((byte)4, 32)]), Uuid(Rng), T0)), // nonce reused
                (2, IntentFromP()),                                            // another connection
                (1, From(Impostor, CipType.Intent, Intent())),
                (1, Stale),
                (1, IntentFromP(e => e["receiver"]!["agent_id"] = "x")),
                (1, IntentFromP(payload: Intent(goal: "dance"))),
                (1, "[]"),
                (1, intent),                                                   // spent by its session drop: a replay now
                (1, intent),
            ];
            var drops = 0;
            var transitions = new List<TrustTransition>();
            foreach (var (conn, text) in script)
            {
                var v = CipAcceptance.Judge(text, CipAgent.Receiving(s, cfg, env.Now, conn));
                var step = CipAgent.Step(s, new CipInput.Message(conn, text), cfg, env);
                var observed = step.Outputs.OfType<CipOutput.Observe>().Where(o => o.Name == CipObservations.Drop).ToArray();
                if (v.Accepted) Expect.isNull(step.Dropped, $"accepted by Judge, not dropped: {step.Dropped}");
                else
                {
                    drops++;
                    Expect.equal(step.Dropped, v.Error, "the step's drop is Judge's error");
                    Expect.isFalse(step.Outputs.Any(o => o is CipOutput.Send), "nothing sent for a dropped envelope");
                }
                Expect.equal(observed.Length, step.Dropped is null ? 0 : 1, "one cip.drop observation per drop");
                if (step.Dropped is { } d) Expect.equal(Str(observed[0].Data, "rule"), d.Rule, "the observation names the same rule");
                // Every typed transition is the cip.trust observation telemetry sees.
                var trust = step.Outputs.OfType<CipOutput.Observe>().Where(o => o.Name == CipObservations.Trust).ToArray();
                Expect.sequenceEqual(step.Transitions.Select(t => (t.AgentId, t.From?.Wire() ?? "unknown", t.To.Wire(), t.Why)),
                    trust.Select(o => (Str(o.Data, "agent_id"), Str(o.Data, "from"), Str(o.Data, "to"), Str(o.Data, "why"))), "transitions as observed");
                transitions.AddRange(step.Transitions);
                s = step.State;
            }
            Expect.equal(drops, 12, "the script's drops");
            Expect.sequenceEqual(transitions, [
                new TrustTransition(Q.AgentId, null, TrustState.Untrusted, TrustCause.FirstContactSignature, "first contact: " + CipRules.Sign),
                new TrustTransition(P.AgentId, TrustState.Untrusted, TrustState.Probing, TrustCause.Handshake, "valid handshake"),
            ], "Q marked untrusted at first contact, P probing after its handshake");
        }),
        TestCase("a claim the agent decides is a typed resolution, the same as its cip.fact observation", () =>
        {
            var cfg = new CipAgentConfig(Agent, new HashSet<string>(), null, Window);
            var env = new SeededEnvironment(3, T0, "resolution");
            var hello = Signed(P, PeerOf(Agent), CipType.Hello, HelloPayload(), Uuid(Rng), T0);
            var s = CipAgent.Step(CipAgentState.Initial, new CipInput.Message(1, hello), cfg, env).State;
            var claimId = Uuid(Rng);
            var step = CipAgent.Step(s, new CipInput.Message(1, From(P, CipType.FactPropose, Claim("no provenance", Uuid(Rng), withTrace: false), msgId: claimId)), cfg, env);
            var r = step.Resolutions.Single();
            Expect.equal((r.FactRef, r.Status, r.Why.Rule), (claimId, FactStatus.Rejected, KnowledgePolicy.Dmp), "rejected for condition 2");
            var fact = step.Outputs.OfType<CipOutput.Observe>().Single(o => o.Name == CipObservations.Fact).Data;
            Expect.equal((Str(fact, "fact_ref"), Str(fact, "status"), Str(fact, "rule"), Str(fact, "reason")), (r.FactRef, r.Status.Wire(), r.Why.Rule, r.Why.Detail), "as observed");
            Expect.isTrue(step.Outputs.OfType<CipOutput.Send>().Any(o => o.Type == KnowledgePolicy.Message(r.Status)), "and sent to the proposer");
        }),
        TestCase("unreadable input is dropped, changes nothing, and says which kind it was", () =>
        {
            var cfg = new CipAgentConfig(Agent, new HashSet<string>(), null, Window);
            var env = new SeededEnvironment(3, T0, "unreadable");
            foreach (var (kind, rule) in new[] { (UnreadableKind.Binary, CipRules.Shape), (UnreadableKind.Oversize, CipRules.Size) })
            {
                var step = CipAgent.Step(CipAgentState.Initial, new CipInput.Unreadable(1, kind), cfg, env);
                Expect.equal(step.Dropped?.Rule, rule, kind + ": the rule");
                Expect.isTrue(step.State.Peers.IsEmpty && step.State.Seen.IsEmpty, kind + ": no state change");
                Expect.equal(step.Outputs.Length, 1, kind + ": only the drop observation");
            }
            var refused = CipAgent.Refuse(CipAgentState.Initial, new CipError(CipRules.Canonical, "host refused"));
            Expect.equal(refused.Dropped?.Rule, CipRules.Canonical, "Refuse: a typed drop");
            Expect.equal(Str(((CipOutput.Observe)refused.Outputs.Single()).Data, "rule"), CipRules.Canonical, "Refuse: observed");
        }),
        TestCase("KnowledgePolicy.Judge names the §6 condition or §6.1 resolution and the message the proposer gets", () =>
        {
            var good = new FactProposal("s", "d", 0.5, ["e1"], new DmpTrace("1d2c3b4a-5e6f-4a7b-9c8d-0e1f2a3b4c5d", ["observe"], ["e1"]), []);
            var noTrace = good with { Trace = null };
            var linked = good with { CausalLinks = ["6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b"] };
            (string Peer, TrustState Trust)[] two = [("t1", TrustState.Trusted), ("t2", TrustState.Trusted)];
            var none = new HashSet<string>();
            (string What, KnowledgeVerdict V, FactStatus Status, KnowledgeStage Stage, KnowledgeCondition? C, KnowledgeResolution? R, CipType? Sends)[] cases =
            [
                ("untrusted source", KnowledgePolicy.Judge(good, TrustState.Untrusted, null, none, two, [], false), FactStatus.Rejected, KnowledgeStage.Arrival, KnowledgeCondition.TrustGating, KnowledgeResolution.UntrustedReject, CipType.FactReject),
                ("no dmp_trace", KnowledgePolicy.Judge(noTrace, TrustState.Probing, null, none, two, [], false), FactStatus.Rejected, KnowledgeStage.Arrival, KnowledgeCondition.DmpTrace, null, CipType.FactReject),
                ("unknown causal link", KnowledgePolicy.Judge(linked, TrustState.Probing, null, none, two, [], false), FactStatus.Rejected, KnowledgeStage.Arrival, KnowledgeCondition.CausalMemory, null, CipType.FactReject),
                ("two trusted confirmations", KnowledgePolicy.Judge(good, TrustState.Probing, null, none, two, [], false), FactStatus.Accepted, KnowledgeStage.Resolution, null, KnowledgeResolution.Accept, CipType.FactConfirm),
                ("one trusted, one probing", KnowledgePolicy.Judge(good, TrustState.Probing, null, none, [two[0], ("p1", TrustState.Probing)], [], false), FactStatus.Pending, KnowledgeStage.Resolution, KnowledgeCondition.TrustedConfirmations, null, null),
                ("a trusted conflict", KnowledgePolicy.Judge(good, TrustState.Probing, null, none, two, [("t3", TrustState.Trusted)], false), FactStatus.Disputed, KnowledgeStage.Resolution, null, KnowledgeResolution.Disputed, CipType.FactChallenge),
                ("overloaded", KnowledgePolicy.Judge(good, TrustState.Probing, null, none, two, [], true), FactStatus.Pending, KnowledgeStage.Resolution, KnowledgeCondition.LocalState, null, null),
                ("proposer demoted before resolution", KnowledgePolicy.Judge(good, TrustState.Probing, TrustState.Untrusted, none, two, [], false), FactStatus.Rejected, KnowledgeStage.Resolution, KnowledgeCondition.TrustGating, KnowledgeResolution.UntrustedReject, CipType.FactReject),
                ("a link in causal memory", KnowledgePolicy.Judge(linked, TrustState.Probing, null, new HashSet<string>(linked.CausalLinks), two, [], false), FactStatus.Accepted, KnowledgeStage.Resolution, null, KnowledgeResolution.Accept, CipType.FactConfirm),
            ];
            foreach (var (what, v, status, stage, c, r, sends) in cases)
            {
                Expect.equal(v.Status, status, what + ": status");
                Expect.equal(v.Stage, stage, what + ": stage");
                Expect.equal(v.Condition, c, what + ": condition");
                Expect.equal(v.Resolution, r, what + ": resolution");
                Expect.equal(KnowledgePolicy.Message(v.Status), sends, what + ": message");
            }
            Expect.equal((int)KnowledgeCondition.LocalState, 5, "§6 numbering");
            Expect.equal(KnowledgeResolution.UntrustedReject.Wire(), "untrusted-reject", "resolution wire name");
        }),
        TestCase("trust event names round-trip, and first contact gives what §4.1/§4.2 say", () =>
        {
            foreach (var e in Enum.GetValues<TrustEvent>())
            {
                Expect.isTrue(TrustFsm.TryEvent(e.Wire(), out var back) && back == e, $"{e} round-trips");
            }
            Expect.equal(Enum.GetValues<TrustEvent>().Select(e => e.Wire()).Distinct().Count(), Enum.GetValues<TrustEvent>().Length, "distinct names");
            Expect.isFalse(TrustFsm.TryEvent("ValidHandshake", out _), "only the wire spelling");
            Expect.equal(TrustFsm.AfterHandshake(null, anchor: false), TrustState.Probing, "a new peer: probing");
            Expect.equal(TrustFsm.AfterHandshake(null, anchor: true), TrustState.Trusted, "a new anchor: trusted");
            Expect.equal(TrustFsm.AfterHandshake(TrustState.Untrusted, anchor: true), TrustState.Probing, "an anchor met before moves by the table");
            Expect.equal(TrustFsm.AfterHandshake(TrustState.Blacklisted, anchor: false), TrustState.Blacklisted, "a handshake does not reinstate");
            Expect.equal(TrustFsm.AfterRefusedFirstHello(CipRules.Fingerprint), TrustState.Blacklisted, "fingerprint mismatch: blacklisted");
            Expect.equal(TrustFsm.AfterRefusedFirstHello(CipRules.BadSignature), TrustState.Untrusted, "bad signature: untrusted");
            Expect.equal(TrustFsm.After(TrustState.Untrusted, TrustEvent.ValidHandshake, TrustEvent.VerifiedKnowledge, TrustEvent.SevereConflict), TrustState.Blacklisted, "After folds Next");
        }),
    });
}
