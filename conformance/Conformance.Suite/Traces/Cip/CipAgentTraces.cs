// Property traces against a CIP agent: the suite plays a fresh peer P (the subject), the trust anchors, a second
// fresh peer Q and the authority, each joining on first use. Steps are P's envelopes (HELLO, INTENT, STATE_UPDATE,
// FACT_PROPOSE) in valid and mutated variants, votes on P's latest claim, and overrides. The CIP agent model, fed the
// very same envelopes (addressed to a shadow of the agent: same agent_id, a key of the suite's) over a shadow state of
// this trace's peers, says what the agent must send on which connection; each reply is read in order and compared on
// what the model fixes: type, STATE_UPDATE intent and ltppeerstate, fact_ref. A step the model answers with nothing
// on its connection is followed by a sync INTENT (before P has a session, by one quiet wait at the trace's end), so
// nothing acted on in secret goes unseen. Mutated INTENTs carry an overloaded state signal: acted on, their answer would be "defer", not the sync's.
// A replay resends P's last envelope verbatim (its msg_id, and for a HELLO its session_nonce, already seen).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Cip;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces.Cip;

public sealed class CipAgentTraces : ITraceProtocol
{
    public static readonly CipAgentTraces Instance = new();

    public string Spec => CipCatalog.Spec;
    public IutRole Role => IutRole.Agent;
    public string CaseId => "CIP-A-traces";
    public string Section => "§2–§7";
    public Catalog Catalog => CipCatalog.Instance;

    public IReadOnlyList<string> Requirements { get; } =
        [CipWorld.Response, .. CipCatalog.Instance.Requirements.Where(r => r.Roles.Covers(IutRole.Agent) && r.Id != CipWorld.Response).Select(r => r.Id)];

    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["hello"] = (["overloaded", "odd", "keys"], ["bad-sig", "unsigned", "fingerprint", "stale", "replay-nonce", "other-receiver"]),
        ["intent"] = (["overloaded", "odd"], ["bad-sig", "unsigned", "tampered", "wrong-key", "fingerprint", "msg-id", "timestamp", "lri", "lri-string",
            "version", "unknown-type", "drop-sender", "goal", "stale", "replay", "other-receiver", "huge"]),
        ["signal"] = (["kernel"], []),
        ["propose"] = ([], ["no-trace", "bad-sources", "causal"]),
        ["confirm"] = ([], []),
        ["contradict"] = ([], []),
        ["override"] = (["not-authority"], []),
    }, maxN: 2);

    private static int _runs;

    /// <summary>
    /// A hello, then up to eight more steps: intents (often broken), claims and their confirmations or contradictions
    /// by the trust anchors (state: how many claims are out), kernel signals, another hello, an override.
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Choose(2, 9), 0, (claims, count) => count == 0 ? Hello : Next(claims));

    private static Gen<Move<int>> Hello =>
        from plain in TraceGen.Chance(80)
        from valid in TraceGen.Chance(50)
        from variant in plain ? Gen.Constant("") : Gen.Elements(valid ? Variants.Valid("hello") : Variants.Invalid("hello"))
        select new Move<int>([new("hello", variant)], 0);

    private static Gen<Move<int>> Next(int claims) =>
        from pick in Gen.Choose(0, 99)
        from a in TraceGen.Chance(60)
        from b in TraceGen.Chance(30)
        from c in TraceGen.Chance(50)
        from d in TraceGen.Chance(40)
        from e in TraceGen.Chance(20)
        from f in TraceGen.Chance(25)
        from n in Gen.Choose(0, 2)
        from invalidIntent in Gen.Elements(Variants.Invalid("intent"))
        from validIntent in Gen.Elements(Variants.Valid("intent"))
        from invalidPropose in Gen.Elements(Variants.Invalid("propose"))
        from anyHello in Gen.Elements([.. Variants.Valid("hello"), .. Variants.Invalid("hello")])
        select pick switch
        {
            < 30 => new Move<int>([new("intent", a ? invalidIntent : b ? validIntent : "")], claims),
            < 45 => new Move<int>([new("propose", d ? invalidPropose : "")], claims + 1),
            // A story: a claim confirmed by both anchors (P becomes trusted), sometimes by a peer that is not trusted.
            < 60 => new Move<int>([new("propose"), new("confirm", "", e ? 2 : 0), new("confirm", "", 1)], claims + 1),
            // Both anchors contradicting one claim: a severe conflict when its proposer is trusted.
            < 72 when claims > 0 && c => new Move<int>([new("propose"), new("contradict"), new("contradict", "", 1)], claims + 1),
            < 72 when claims > 0 => new Move<int>([new(a ? "contradict" : "confirm", "", n)], claims),
            < 82 => new Move<int>([new("signal", a ? "kernel" : "")], claims),
            < 90 => new Move<int>([new("hello", c ? "" : anyHello)], claims),
            // An override, half the time of a P just blacklisted by a HELLO whose fingerprint is not its key's.
            _ => new Move<int>([.. c ? [new TraceStep("hello", "fingerprint")] : Array.Empty<TraceStep>(), new("override", f ? "not-authority" : ""), new("hello")], claims),
        };

    public IEnumerable<TraceStep> Simpler(TraceStep s) => TraceVariants.Simpler(s);

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    public async Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps)
    {
        var run = new Run(ctx, checks, Interlocked.Increment(ref _runs));
        TraceStep? last = null;
        foreach (var step in steps)
        {
            if (checks.AnyFailed) break;
            await run.StepAsync(step);
            last = step;
        }
        await run.FinishAsync(last);
    }

    /// <summary>One member of the cast: its identity, its connection to the agent, and what it last sent.</summary>
    private sealed class Member(CipIdentity id, CipPeer conn, int connection)
    {
        public CipIdentity Id => id;
        public CipPeer Conn => conn;
        public int Connection => connection;
        public byte[] Challenge { get; set; } = [];
        public byte[]? Nonce { get; set; }
        /// <summary>The last envelope sent, as the agent and as the shadow got it.</summary>
        public (string Agent, string Shadow)? Last { get; set; }
    }

    /// <summary>One trace run: the cast, the shadow agent state, and P's claims.</summary>
    private sealed class Run
    {
        private static readonly Signal Calm = new(Presence.Focused, 10, [], null), Loaded = new(Presence.Overloaded, 90, [], null);
        private readonly CaseContext _ctx;
        private readonly Checks _checks;
        private readonly IModelEnvironment _env;
        /// <summary>What envelopes are stamped with and the shadow agent reads: the agent's own clock when it is seeded.</summary>
        private readonly IModelEnvironment _clock;
        private readonly CipAgentConfig _cfg;
        private readonly Peer _agent, _shadowAgent;
        private readonly HashSet<string> _agentMsgIds = [];
        private readonly Dictionary<string, Member> _cast = [];
        private readonly string _salt;
        private readonly List<string> _claims = [];
        private CipAgentState _s = CipAgentState.Initial;
        private int _connections;
        /// <summary>Trust transitions and drops the model made in the current step, for citing the rule a reply breaks.</summary>
        /// <summary>The first drop the model made since the last envelope this trace sent.</summary>
        private CipError? _dropped;
        /// <summary>The trust changes the model made since the last envelope this trace sent.</summary>
        private readonly List<TrustTransition> _transitions = [];
        /// <summary>The claims the model decided since then.</summary>
        private readonly List<FactResolution> _resolutions = [];

        private static readonly CipIdentity ShadowSelfKey = new("shadow", TestKeys.FromLabel("conformance-suite/cip/trace-shadow"));
        private static readonly Ed25519Signer Other = TestKeys.FromLabel("conformance-suite/cip/other-fingerprint");
        private static readonly Ed25519Signer Impostor = TestKeys.FromLabel("conformance-suite/cip/impostor");

        public Run(CaseContext ctx, Checks checks, int n)
        {
            _ctx = ctx;
            _checks = checks;
            // Fresh per run of a trace: a long-lived agent remembers nonces and msg_ids, and shrinking reruns a trace. An
            // agent started afresh for this one trace (seeded) has seen nothing: the trace's own stream makes its replay the same bytes.
            var seeded = ctx.Agent is ISeededIut;
            _salt = seeded ? "seeded" : $"{ctx.Settings.RunId}-{n}";
            _env = seeded ? ctx.Env : new SeededEnvironment(ctx.Settings.Seed, stream: $"{ctx.Settings.RunId}/{ctx.Case.Id}/{n}");
            _clock = SuiteClock.For(ctx.Agent);
            var self = new CipIdentity(ctx.Agent!.AgentId, ShadowSelfKey.Key);
            _cfg = EmbeddedCipAgent.ReferenceConfig(self);
            _agent = new Peer(ctx.Agent.AgentId, CipIdentity.FingerprintOf(ctx.Agent.AgentKey));
            _shadowAgent = new Peer(self.AgentId, self.Fingerprint);
        }

        /// <summary>Long enough for a loopback agent; a late reply from a slow one is a miss, never a false failure.</summary>
        private TimeSpan Quiet => _ctx.Step / 8 < TimeSpan.FromMilliseconds(100) ? _ctx.Step / 8 : TimeSpan.FromMilliseconds(100);

        private async Task<Member> MemberAsync(string role)
        {
            if (_cast.TryGetValue(role, out var m)) return m;
            var id = role switch
            {
                "a0" => CipWorld.Anchors[0],
                "a1" => CipWorld.Anchors[1],
                "authority" => CipWorld.Authority,
                _ => new CipIdentity($"suite-trace-{role}-{_salt}-{Convert.ToHexStringLower(_env.NextBytes(4))}",
                    new Ed25519Signer(_env.NextBytes(32))),
            };
            m = new Member(id, await CipPeer.ConnectAsync(_ctx, _checks, id, _agentMsgIds, _env), ++_connections);
            _cast[role] = m;
            // Everyone but P joins with a valid HELLO: only P's first contact is the trace's to vary.
            if (role != "p") await SendAsync(m, new TraceStep("hello"), Hello(m, ""), sync: false);
            return m;
        }

        public async Task StepAsync(TraceStep step)
        {
            var p = await MemberAsync("p");
            switch (step.Kind)
            {
                case "hello": await SendAsync(p, step, Hello(p, step.Variant)); break;
                case "intent": await SendAsync(p, step, Intent(p, step.Variant)); break;
                case "signal":
                    await SendAsync(p, step, Envelope(p, CipType.StateUpdate,
                        () => S4_Handshake.StateUpdate(Presence.Diffuse, 30, step.Variant == "kernel" ? ["degraded_memory"] : []), Calm));
                    break;
                case "propose":
                    var claimId = _env.NewUuid();
                    _claims.Add(claimId);
                    var decision = _env.NewUuid();
                    var statement = $"trace claim {_claims.Count} of {p.Id.AgentId}";
                    await SendAsync(p, step, Envelope(p, CipType.FactPropose, () => step.Variant switch
                    {
                        "no-trace" => CipWorld.Claim(statement, withTrace: false),
                        "bad-sources" => CipWorld.Claim(statement, evidence: ["not-a-source"], decisionId: decision),
                        "causal" => CipWorld.Claim(statement, causalLinks: [decision], decisionId: decision),
                        _ => CipWorld.Claim(statement, decisionId: decision),
                    }, Calm, msgId: claimId));
                    break;
                case "confirm" or "contradict":
                    var voter = await MemberAsync(step.N switch { 0 => "a0", 1 => "a1", _ => "q" });
                    var factRef = _claims.Count > 0 ? _claims[^1] : _env.NewUuid();
                    await SendAsync(voter, step, Envelope(voter, step.Kind == "confirm" ? CipType.FactConfirm : CipType.FactChallenge, () => step.Kind == "confirm"
                        ? new JsonObject { ["fact_ref"] = factRef, ["decision"] = "confirm", ["confidence"] = 0.9, ["notes"] = "trace" }
                        : new JsonObject { ["fact_ref"] = factRef, ["reason"] = "conflict", ["notes"] = "trace" }, Calm));
                    break;
                case "override":
                    var by = await MemberAsync(step.Variant == "not-authority" ? "a0" : "authority");
                    var traceId = _env.NewUuid();
                    await SendAsync(by, step, Envelope(by, CipType.DecisionShare, () => new JsonObject
                    {
                        ["decision"] = new JsonObject { ["choice"] = "trust_override", ["outcome"] = TrustState.Probing.Wire(), ["context"] = p.Id.AgentId },
                        ["dmp_trace"] = new JsonObject { ["decision_id"] = traceId, ["steps"] = CipCompose.Array(["review"]), ["evidence"] = CipCompose.Array(["operator"]) },
                        ["retrospective"] = "trace",
                    }, Calm));
                    break;
            }
        }

        /// <summary>
        /// After the last step: P is synced if the last step was another peer's or something went unanswered before
        /// its session (or waited on quietly without one), then every claim still pending is contradicted so a long-lived agent is not left loaded.
        /// </summary>
        public async Task FinishAsync(TraceStep? last)
        {
            var p = _cast["p"];
            if (_checks.AnyFailed) { await CleanUpAsync(); return; }
            if (_s.Peers.GetValueOrDefault(p.Id.AgentId)?.Connection != p.Connection) await QuietAsync(p);
            // A resolution the agent sent P unasked after the last vote would otherwise go unread.
            else if (last is not null && (last.Kind is "confirm" or "contradict" or "override" || _unanswered is not null)) await SyncAsync(p, last);
            foreach (var pending in _s.Facts.Values.Where(f => f.Status == FactStatus.Pending).Select(f => f.MsgId).ToArray())
            {
                if (_checks.AnyFailed) return;
                var a = await MemberAsync("a0");
                await SendAsync(a, new TraceStep("contradict"), Envelope(a, CipType.FactChallenge,
                    () => new JsonObject { ["fact_ref"] = pending, ["reason"] = "conflict", ["notes"] = "trace cleanup" }, Calm));
            }
        }

        /// <summary>After a failure, best effort and unjudged: the trace's pending claims contradicted, so reruns do not load the agent.</summary>
        private async Task CleanUpAsync()
        {
            if (!_cast.TryGetValue("a0", out var a)) return;
            foreach (var pending in _s.Facts.Values.Where(f => f.Status == FactStatus.Pending).Select(f => f.MsgId).ToArray())
                await a.Conn.SendAsync(Envelope(a, CipType.FactChallenge,
                    () => new JsonObject { ["fact_ref"] = pending, ["reason"] = "conflict", ["notes"] = "trace cleanup" }, Calm)(_agent));
        }

        /// <summary>An envelope from <paramref name="m"/>: the text for the agent and the same one for the shadow.</summary>
        private delegate string Compose(Peer to);

        private Compose Envelope(Member m, CipType type, Func<JsonObject> payload, Signal state, string? msgId = null, DateTimeOffset? timestamp = null,
            Action<JsonObject>? before = null, Action<JsonObject>? after = null, Ed25519Signer? signer = null)
        {
            var id = msgId ?? _env.NewUuid();
            var at = timestamp ?? _clock.Now;
            return to =>
            {
                var e = CipCompose.Unsigned(m.Id, to, type, payload(), id, at, TrustState.Probing.Wire(), "unknown", state);
                before?.Invoke(e);
                var text = CipSigning.Sign(e, signer ?? m.Id.Key);
                if (after is null) return text;
                var signed = JsonNode.Parse(text)!.AsObject();
                after(signed);
                return signed.ToJsonString();
            };
        }

        private Compose Hello(Member m, string variant)
        {
            m.Challenge = _env.NextBytes(32);
            var nonce = variant == "replay-nonce" && m.Nonce is { } used ? used : _env.NextBytes(16);
            m.Nonce = nonce;
            var challenge = m.Challenge;
            Func<JsonObject> payload = () => CipPeer.HelloPayload(nonce, challenge,
                variant == "keys" ? new JsonObject { ["\ufb33"] = true, ["\ud83d\ude00"] = true, ["supports_mesh"] = true } : null);
            var c = Mutated(m, CipType.Hello, payload, variant, variant == "overloaded" ? Loaded : Calm);
            return variant == "odd" ? to => OddRendering.Of(c(to)) : c;
        }

        private Compose Intent(Member m, string variant)
        {
            var c = Mutated(m, CipType.Intent, () => CipPeer.Intent(goal: variant == "goal" ? "dance" : "ask"), variant, variant is "" or "odd" ? Calm : Loaded);
            return variant == "odd" ? to => OddRendering.Of(c(to)) : c;
        }

        /// <summary>The envelope mutations, the same for every type they apply to.</summary>
        private Compose Mutated(Member m, CipType type, Func<JsonObject> payload, string variant, Signal state) => variant switch
        {
            "bad-sig" => Envelope(m, type, payload, state, after: e => e["sign"]!["signature"] = Tamper.FlipChar(e["sign"]!["signature"]!.GetValue<string>(), 0)),
            "unsigned" => Envelope(m, type, payload, state, after: e => e.Remove("sign")),
            "tampered" => Envelope(m, type, payload, state, after: e => e["payload"]!["topic"] = "changed"),
            "fingerprint" => Envelope(m, type, payload, state, before: e => e["sender"]!["fingerprint"] = CipIdentity.FingerprintOf(Other.PublicKey)),
            "wrong-key" => Envelope(m, type, payload, state, signer: Impostor, before: e =>
            {
                e["sender"]!["pubkey"] = Convert.ToBase64String(Impostor.PublicKey);
                e["sender"]!["fingerprint"] = CipIdentity.FingerprintOf(Impostor.PublicKey);
            }),
            "msg-id" => Envelope(m, type, payload, state, msgId: "c232ab00-9414-11ec-b3c8-9f6bdeced846"),
            "timestamp" => Envelope(m, type, payload, state,
                before: e => e["timestamp"] = _clock.Now.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz")),
            "lri" => Envelope(m, type, payload, Calm, before: e => e["state"]!["lri"] = 101),
            "lri-string" => Envelope(m, type, payload, state, before: e => e["state"]!["lri"] = "50"),
            "version" => Envelope(m, type, payload, state, before: e => e["cip"] = "2.0"),
            "unknown-type" => Envelope(m, type, payload, state, before: e => e["type"] = "GOSSIP"),
            "drop-sender" => Envelope(m, type, payload, state, before: e => e.Remove("sender")),
            "stale" => Envelope(m, type, payload, state, timestamp: _clock.Now.AddMinutes(-10)),
            "other-receiver" => Envelope(m, type, payload, state, before: e => e["receiver"]!["agent_id"] = "someone-else"),
            "huge" => Envelope(m, type, payload, state, before: e => e["payload"]!["context"] = new string('x', 300 * 1024)),
            _ => Envelope(m, type, payload, state),
        };

        /// <summary>
        /// Sends one envelope, feeds the shadow the same,
        /// reads every reply the model predicts in order, and syncs the sender when the model has it answer nothing.
        /// </summary>
        private async Task SendAsync(Member m, TraceStep step, Compose compose, bool sync = true)
        {
            _dropped = null;
            _transitions.Clear();
            _resolutions.Clear();
            // A replay is the sender's last envelope again, verbatim (its first envelope when it has sent none).
            var (text, shadow) = step.Variant == "replay" && m.Last is { } last ? last : (compose(_agent), compose(_shadowAgent));
            m.Last = (text, shadow);
            await m.Conn.SendAsync(text);
            var predicted = Feed(m.Connection, shadow);
            await ReadAsync(step, predicted);
            if (!sync || _checks.AnyFailed || predicted.Any(s => s.Connection == m.Connection)) return;
            await SyncAsync(m, step);
        }

        /// <summary>A valid INTENT whose answer must be the next envelope on the connection; before any session, a quiet wait.</summary>
        private async Task SyncAsync(Member m, TraceStep after)
        {
            if (_s.Peers.GetValueOrDefault(m.Id.AgentId)?.Connection == m.Connection)
            {
                var probe = Envelope(m, CipType.Intent, () => CipPeer.Intent(), Calm);
                var (text, shadow) = (probe(_agent), probe(_shadowAgent));
                m.Last = (text, shadow);
                await m.Conn.SendAsync(text);
                var predictedAll = Feed(m.Connection, shadow);
                await ReadAsync(after, predictedAll);
                return;
            }
            // No session to sync on: the rule of the first envelope left unanswered is remembered, and the trace's end
            // waits once for anything the agent should not have sent (one quiet wait per trace, not per step).
            _unanswered ??= (after, DropRule() ?? CipRules.Session);
        }

        private (TraceStep Step, string Rule)? _unanswered;

        private async Task QuietAsync(Member m)
        {
            if (_unanswered is not { } u) return;
            var r = await NextAsync(m, Quiet);
            if (_checks.AnyFailed) return;
            _checks.Expect(u.Rule, r is null, $"after {u.Step}: nothing (no session on this connection)", r?.Describe() ?? "nothing");
        }

        /// <summary>
        /// The agent's next envelope to <paramref name="m"/> but load broadcasts, read in slices: an envelope the agent
        /// should never have sent (CIP-2-sent) fails the trace at once instead of stalling it to its budget.
        /// </summary>
        private async Task<Received?> NextAsync(Member m, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline && !_checks.AnyFailed)
            {
                var slice = TimeSpan.FromTicks(Math.Min((deadline - DateTime.UtcNow).Ticks, Math.Max(timeout.Ticks / 10, TimeSpan.FromMilliseconds(20).Ticks)));
                if (slice <= TimeSpan.Zero) break;
                if (await m.Conn.ExpectAsync(x => x.State?.Intent != "load", slice) is { } r) return r;
            }
            return null;
        }

        private List<CipOutput.Send> Feed(int connection, string text)
        {
            var step = CipAgent.Step(_s, new CipInput.Message(connection, text), _cfg, _clock);
            _s = step.State;
            _dropped ??= step.Dropped;
            _transitions.AddRange(step.Transitions);
            _resolutions.AddRange(step.Resolutions);
            // Load broadcasts depend on every claim the agent holds, other cases' too: not this trace's to predict.
            return [.. step.Outputs.OfType<CipOutput.Send>().Where(s => Intent(s.Text) != "load")];
        }

        private static string? Intent(string text) =>
            JsonNode.Parse(text)?["payload"]?["intent"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

        private async Task ReadAsync(TraceStep step, List<CipOutput.Send> predicted)
        {
            foreach (var want in predicted)
            {
                if (_checks.AnyFailed) return;
                var m = _cast.Values.First(c => c.Connection == want.Connection);
                var (e, _) = CipEnvelopes.Parse(want.Text);
                var (payload, _) = CipPayloads.Read(e!);
                var r = await NextAsync(m, _ctx.Step);
                if (_checks.AnyFailed) return;
                var (requirement, what) = Expected(want.Type, payload!);
                // A wrong trust view breaks the §5.2 row the model took in this step, or, with none, "only six".
                if (payload is StateUpdatePayload { } sp && r?.State is { } rs && rs.PeerState != sp.PeerState)
                    requirement = TrustRule() ?? "CIP-5-only-six";
                var ok = r is not null && r.Type == want.Type && payload switch
                {
                    StateUpdatePayload su => r.State is { } got && got.Intent == su.Intent && got.PeerState == su.PeerState,
                    FactVerdict v => string.Equals(r.Verdict?.FactRef, v.FactRef, StringComparison.OrdinalIgnoreCase),
                    _ => true,
                };
                if (!_checks.Expect(requirement, ok, $"after {step}, to {m.Id.AgentId}: {what}", r?.Describe() ?? "nothing", r is null)) return;
                AdoptEarlierLoad(r!);
                if (r!.Payload is HelloPayload h)
                {
                    var answer = CipSigning.ReadChallengeResponse(_ctx.Agent!.AgentKey, m.Challenge, h.ChallengeResponse);
                    _checks.Expect(CipWorld.Response, answer is ChallengeAnswer.Prefixed or ChallengeAnswer.Unprefixed, "a challenge_response signed over our challenge",
                        answer is ChallengeAnswer.Missing ? "no challenge_response" : answer is ChallengeAnswer.Wrong ? "it does not verify" : "it verifies");
                    // The prefix is a model-level reading judged by the handshake cases; a trace judges the must only.
                }
            }
        }

        private bool _loadAdopted;

        /// <summary>
        /// Once per trace, from the agent's first reply: the load earlier conversations left on a long-lived agent
        /// (claims a broken agent kept pending, other cases') is the shadow's starting load, read from the lri the agent
        /// declares in its envelope state at LoadPerPendingFact per claim. Nothing of this trace can be pending yet
        /// (every cast member's first envelope is a HELLO), so nothing the trace should judge is adopted.
        /// </summary>
        private void AdoptEarlierLoad(Received r)
        {
            if (_loadAdopted) return;
            _loadAdopted = true;
            var earlier = r.Envelope!.State.Lri / CipAgentConfig.LoadPerPendingFact - _s.PendingFacts;
            if (earlier > 0) _s = _s with { UnseenPending = earlier };
        }

        /// <summary>The rule a predicted reply stands for, and what it is.</summary>
        private (string Requirement, string What) Expected(CipType type, object payload)
        {
            switch (payload)
            {
                case StateUpdatePayload su:
                    var what = $"STATE_UPDATE (intent {su.Intent}, ltppeerstate {su.PeerState.Wire()})";
                    return (su.Intent switch
                    {
                        "deny" when su.PeerState == TrustState.Blacklisted => "CIP-5-blacklisted-deny",
                        "defer" => CipRules.Defer,
                        "handshake" => CipWorld.StateSignal,
                        "accept" => DropRule() ?? "CIP-4-intent",
                        _ => CipWorld.TrustGate,
                    }, what);
                case FactVerdict v:
                    var rule = _resolutions.LastOrDefault(r => string.Equals(r.FactRef, v.FactRef, StringComparison.OrdinalIgnoreCase))?.Why.Rule;
                    return (rule ?? KnowledgePolicy.TwoConfirmations, $"{type.Wire()} for {v.FactRef}");
                default:
                    return (DropRule() ?? CipWorld.Response, type.Wire());
            }
        }

        /// <summary>The rule behind a drop in this step (what a reply to the dropped envelope would break).</summary>
        private string? DropRule() => _dropped?.Rule;

        /// <summary>The §5.2 row (or first-contact rule) behind the last trust change in this step.</summary>
        private string? TrustRule() => _transitions.Count == 0 ? null : _transitions[^1].Cause switch
        {
            TrustCause.FirstContactFingerprint => CipRules.Fingerprint,
            TrustCause.FirstContactSignature => CipRules.BadSignature,
            TrustCause.VerifiedKnowledge => "CIP-5-verified-knowledge",
            TrustCause.Unverifiable => "CIP-5-unverifiable",
            TrustCause.Conflict => "CIP-5-conflict",
            TrustCause.SevereConflict => "CIP-5-severe",
            TrustCause.Anomaly => "CIP-5-anomaly",
            TrustCause.Override => "CIP-5-override",
            _ => CipWorld.TrustGate,
        };
    }
}
