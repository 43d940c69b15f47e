// The CIP agent state machine: one agent, many peers, each on its own connection. Every envelope in is judged in the
// acceptance order (CipAcceptance: shape, receiver, fingerprint, signature, pinned key, replay window, seen msg_id,
// payload, session nonce, session) and a failure drops it with a reason (CipStep.Dropped, and an Observe output for
// telemetry); nothing else happens, so bad input never moves trust except
// where §4.2 says so (first contact only, SPEC-NOTES.md). What the agent decides is visible in what it sends:
// the trust block and STATE_UPDATE.ltppeerstate of its replies, and FACT_* resolutions to the proposer.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;

namespace Conformance.Model.Cip;

public sealed record CipAgentConfig(CipIdentity Self, IReadOnlySet<string> Anchors, string? Authority, TimeSpan ReplayWindow)
{
    /// <summary>The reference agent's replay window: §7 names none; ±30 s tolerates ordinary clock skew.</summary>
    public static readonly TimeSpan ReferenceReplayWindow = TimeSpan.FromSeconds(30);
    /// <summary>A peer or the agent at this LRI or above counts as overloaded (§2.2 lri 0–100; SPEC-NOTES.md "Load").</summary>
    public const int OverloadLri = 80;
    /// <summary>Load one unresolved claim puts on the agent: four pending claims overload it (lri 80).</summary>
    public const int LoadPerPendingFact = 20;
    /// <summary>"repeated unverifiable": this many unverifiable claims from a probing peer.</summary>
    public const int UnverifiableLimit = 2;
    /// <summary>"severe conflict": this many distinct trusted peers contradicting a trusted peer's claim.</summary>
    public const int SevereConflicts = 2;
}

public sealed record PeerRecord(string AgentId, TrustState Trust, byte[]? PinnedKey = null, string? Fingerprint = null,
    int? Connection = null, Signal? LastSignal = null, string ReceiverView = "unknown", int Unverifiable = 0)
{
    public bool Overloaded => LastSignal is { } s && (s.Presence == Presence.Overloaded || s.Lri >= CipAgentConfig.OverloadLri);
}

public sealed record CipAgentState(
    ImmutableDictionary<string, PeerRecord> Peers,
    ImmutableDictionary<string, FactRecord> Facts,
    ImmutableHashSet<string> CausalMemory,
    ImmutableHashSet<string> Seen)
{
    public static readonly CipAgentState Initial = new(ImmutableDictionary<string, PeerRecord>.Empty, ImmutableDictionary<string, FactRecord>.Empty,
        ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty);

    /// <summary>
    /// Pending claims this state has not seen: an observer's shadow of a long-lived agent adopts the load earlier
    /// conversations left on it (the agent itself never sets this).
    /// </summary>
    public int UnseenPending { get; init; }

    public int PendingFacts => Facts.Values.Count(f => f.Status == FactStatus.Pending) + UnseenPending;
    public int Lri => Math.Min(100, PendingFacts * CipAgentConfig.LoadPerPendingFact);
    public Presence Presence => Lri >= CipAgentConfig.OverloadLri ? Presence.Overloaded : PendingFacts > 0 ? Presence.Engaged : Presence.Focused;
    public bool Overloaded => Presence == Presence.Overloaded;
    public TrustState TrustOf(string agentId) => Peers.TryGetValue(agentId, out var p) ? p.Trust : TrustState.Untrusted;
}

public abstract record CipInput
{
    public sealed record Message(int Connection, string Text) : CipInput;
    /// <summary>A message that is no envelope text at all (binary, or over the transport's size limit); dropped.</summary>
    public sealed record Unreadable(int Connection, UnreadableKind Kind) : CipInput;
    public sealed record Disconnected(int Connection) : CipInput;
}

public abstract record CipOutput
{
    public sealed record Send(int Connection, CipType Type, string Text) : CipOutput;
    /// <summary>What the agent decided that is not on the wire: drops with their reason, trust transitions.</summary>
    public sealed record Observe(string Name, JsonElement Data) : CipOutput;
}

public enum UnreadableKind { Binary, Oversize }

/// <summary>One step: the next state, the outputs in order, and the drop of this step's input if it was dropped.</summary>
public sealed record CipStep(CipAgentState State, ImmutableArray<CipOutput> Outputs, CipError? Dropped = null)
{
    /// <summary>The trust changes the step made, in order (each also observed as cip.trust).</summary>
    public ImmutableArray<TrustTransition> Transitions { get; init; } = [];
    /// <summary>The claims the step decided, in order (each also observed as cip.fact and sent to the proposer).</summary>
    public ImmutableArray<FactResolution> Resolutions { get; init; } = [];
}

/// <summary>A claim decided: accepted, disputed or rejected, by the §6 rule in <see cref="Why"/>.</summary>
public sealed record FactResolution(string FactRef, FactStatus Status, CipError Why);

public static class CipAgent
{
    public static CipStep Step(CipAgentState s, CipInput input, CipAgentConfig cfg, IModelEnvironment env)
    {
        var run = new Run(s, cfg, env);
        switch (input)
        {
            case CipInput.Message m: run.OnMessage(m.Connection, m.Text); break;
            case CipInput.Unreadable u: run.OnUnreadable(u.Kind); break;
            case CipInput.Disconnected d: run.OnDisconnected(d.Connection); break;
        }
        return run.Finish(s.Presence);
    }

    /// <summary>What an agent in state <paramref name="s"/> knows when it judges an envelope arriving on <paramref name="connection"/>.</summary>
    public static CipReceiving Receiving(CipAgentState s, CipAgentConfig cfg, DateTimeOffset now, int connection) => new()
    {
        Self = new Peer(cfg.Self.AgentId, cfg.Self.Fingerprint),
        Pinned = id => s.Peers.GetValueOrDefault(id)?.PinnedKey,
        Clock = (now, cfg.ReplayWindow),
        SeenMsgId = s.Seen.Contains,
        SeenNonce = s.Seen.Contains,
        InSession = e => s.Peers.GetValueOrDefault(e.Sender.AgentId)?.Connection == connection,
        Handshakes = true,
    };

    /// <summary>A step that drops its input for <paramref name="why"/> and changes nothing.</summary>
    public static CipStep Refuse(CipAgentState s, CipError why) => new(s, [DropObservation(why, null)], why);

    private static CipOutput.Observe DropObservation(CipError why, CipEnvelope? e)
    {
        var data = new JsonObject { ["rule"] = why.Rule, ["reason"] = why.Detail };
        if (e is not null) { data["msg_id"] = e.MsgId; data["sender"] = e.Sender.AgentId; data["type"] = e.Type.Wire(); }
        return Observation(CipObservations.Drop, data);
    }

    private static CipOutput.Observe Observation(string name, JsonObject data)
    {
        using var doc = JsonDocument.Parse(data.ToJsonString());
        return new CipOutput.Observe(name, doc.RootElement.Clone());
    }

    /// <summary>One step's working set: the state being built and the outputs in order.</summary>
    private sealed class Run(CipAgentState start, CipAgentConfig cfg, IModelEnvironment env)
    {
        public CipAgentState S = start;
        private readonly List<CipOutput> _out = [];
        private CipError? _dropped;
        private readonly List<TrustTransition> _transitions = [];
        private readonly List<FactResolution> _resolutions = [];

        /// <summary>Envelopes are JSON text (SPEC-NOTES.md "Transport"); anything else is dropped with a reason.</summary>
        public void OnUnreadable(UnreadableKind kind) => Drop(kind == UnreadableKind.Oversize
            ? new(CipRules.Size, "a message over the transport's size limit")
            : new(CipRules.Shape, "a binary message: envelopes are JSON text"), null);

        public void OnDisconnected(int connection)
        {
            foreach (var p in S.Peers.Values.Where(p => p.Connection == connection))
                S = S with { Peers = S.Peers.SetItem(p.AgentId, p with { Connection = null }) };
        }

        public void OnMessage(int conn, string text)
        {
            var verdict = CipAcceptance.Judge(text, Receiving(S, cfg, env.Now, conn));
            if (verdict.Envelope is not { } e) { Drop(verdict.Error!, null); return; }
            if (verdict.FailedAt == CipCheck.Signature && e.Type == CipType.Hello && !S.Peers.ContainsKey(e.Sender.AgentId))
                // §4.2 "If fingerprint mismatch → drop and mark peer blacklisted." "If signature invalid → drop and mark
                // peer untrusted." On first contact only: a forger must not be able to re-rate a known peer.
                SetTrust(e.Sender.AgentId, TrustFsm.AfterRefusedFirstHello(verdict.Error!.Rule),
                    verdict.Error.Rule == CipRules.Fingerprint ? TrustCause.FirstContactFingerprint : TrustCause.FirstContactSignature,
                    "first contact: " + (verdict.Error.Rule == CipRules.BadSignature ? CipRules.Sign : verdict.Error.Rule));
            // A session nonce and a msg_id are spent once the envelope got past the replay checks, even if no session takes it.
            if (verdict.FailedAt is null or CipCheck.Session)
                S = S with { Seen = (CipAcceptance.NonceKey(verdict.Payload) is { } nonce ? S.Seen.Add(nonce) : S.Seen).Add(CipAcceptance.MsgKey(e)) };
            if (!verdict.Accepted) { Drop(verdict.Error!, e); return; }
            var payload = verdict.Payload!;

            if (S.Peers.TryGetValue(e.Sender.AgentId, out var rec))
                S = S with { Peers = S.Peers.SetItem(rec.AgentId, rec with { LastSignal = e.State, ReceiverView = e.SenderView.Wire() }) };

            switch (payload)
            {
                case HelloPayload h: OnHello(conn, e, h); break;
                case IntentPayload i: OnIntent(e, i); break;
                case StateUpdatePayload u: OnStateUpdate(e, u); break;
                case FactProposal p: OnPropose(e, p); break;
                case FactVerdict v: OnVerdict(e, v); break;
                case DecisionSharePayload d: OnDecision(e, d); break;
            }
        }

        private void OnHello(int conn, CipEnvelope e, HelloPayload h)
        {
            var id = e.Sender.AgentId;
            var overloaded = e.State.Presence == Presence.Overloaded || e.State.Lri >= CipAgentConfig.OverloadLri;
            if (overloaded)
            {
                // §4.2 "If peer overloads (LPI=overloaded) → defer." No session, no trust change: try again later.
                Reply(conn, e, TrustStateOrNew(id), "defer");
                Observe(CipObservations.Defer, new JsonObject { ["agent_id"] = id, ["reason"] = "peer overloaded" });
                return;
            }
            var existing = S.Peers.GetValueOrDefault(id);
            if (existing?.Trust == TrustState.Blacklisted)
            {
                // "long-term deny": a valid handshake is not one of the transitions out of blacklisted.
                Reply(conn, e, TrustState.Blacklisted, "deny");
                return;
            }
            var before = existing?.Trust ?? TrustFsm.Initial;
            var after = TrustFsm.AfterHandshake(existing?.Trust, cfg.Anchors.Contains(e.Sender.Fingerprint));
            var rec = (existing ?? new PeerRecord(id, before)) with
            {
                PinnedKey = e.PublicKey, Fingerprint = e.Sender.Fingerprint, Connection = conn, LastSignal = e.State, ReceiverView = e.SenderView.Wire(),
            };
            S = S with { Peers = S.Peers.SetItem(id, rec) };
            var anchor = existing is null && after == TrustState.Trusted;
            if (after != before) SetTrust(id, after, anchor ? TrustCause.Anchor : TrustCause.Handshake, anchor ? "trust anchor" : "valid handshake");
            // §4.1 step 2: answer with our own nonce and challenge and the signed response to theirs; step 5: first state signal.
            var payload = new JsonObject
            {
                ["protocols"] = CipCompose.Array(["cip/1.0"]),
                ["capabilities"] = CipCompose.Array(["state_exchange", "knowledge_exchange", "dmp_trace"]),
                ["session_nonce"] = Convert.ToBase64String(env.NextBytes(16)),
                ["challenge"] = Convert.ToBase64String(env.NextBytes(32)),
                ["challenge_response"] = Convert.ToBase64String(cfg.Self.Key.Sign(CipSigning.ChallengeResponseInput(h.Challenge))),
                ["features"] = new JsonObject { ["supports_mesh"] = false, ["supports_multiplex"] = false },
            };
            Send(id, CipType.Hello, payload, null);
            Reply(conn, e, S.TrustOf(id), "handshake");
        }

        private void OnIntent(CipEnvelope e, IntentPayload i)
        {
            var rec = S.Peers[e.Sender.AgentId];
            // §4.1 step 6 "Agent B accepts or defers"; untrusted and blacklisted peers get "minimal interaction only".
            var answer = rec.Trust is TrustState.Untrusted or TrustState.Blacklisted ? "deny"
                : rec.Overloaded || S.Overloaded ? "defer"
                : "accept";
            Reply(rec.Connection!.Value, e, rec.Trust, answer);
        }

        private void OnStateUpdate(CipEnvelope e, StateUpdatePayload u)
        {
            var rec = S.Peers[e.Sender.AgentId];
            S = S with { Peers = S.Peers.SetItem(rec.AgentId, rec with { LastSignal = new Signal(u.Presence, u.Lri, u.KernelSignals, u.Intent) }) };
            // "temporary anomaly": a trusted peer reporting a critical kernel signal is re-verified.
            if (u.KernelSignals.Count > 0) Transition(rec.AgentId, TrustCause.Anomaly, "kernel signals " + string.Join(",", u.KernelSignals));
        }

        private void OnPropose(CipEnvelope e, FactProposal p)
        {
            var rec = S.Peers[e.Sender.AgentId];
            // A claim is named by its msg_id ("unique per message", §2.2): another peer may not reuse it to replace one.
            if (S.Facts.Keys.Any(k => string.Equals(k, e.MsgId, StringComparison.OrdinalIgnoreCase)))
            { Drop(new(CipRules.Replay, $"msg_id {e.MsgId} already names a claim"), e); return; }
            var fact = new FactRecord(e.MsgId, rec.AgentId, p, FactStatus.Pending, [], []);
            if (KnowledgePolicy.Admit(p, rec.Trust, S.CausalMemory) is { } refused)
            {
                S = S with { Facts = S.Facts.SetItem(e.MsgId, fact with { Status = FactStatus.Rejected, Reason = refused.Detail }) };
                Resolution(rec.AgentId, e.MsgId, FactStatus.Rejected, refused);
                if (refused.Rule is KnowledgePolicy.Dmp or KnowledgePolicy.DmpSources or KnowledgePolicy.Causal)
                {
                    var count = rec.Unverifiable + 1;
                    S = S with { Peers = S.Peers.SetItem(rec.AgentId, S.Peers[rec.AgentId] with { Unverifiable = count }) };
                    if (count >= CipAgentConfig.UnverifiableLimit) Transition(rec.AgentId, TrustCause.Unverifiable, $"{count} unverifiable claims");
                }
                return;
            }
            S = S with { Facts = S.Facts.SetItem(e.MsgId, fact) };
            Observe(CipObservations.Fact, new JsonObject { ["fact_ref"] = e.MsgId, ["status"] = "pending", ["reason"] = "awaiting trusted confirmations" });
        }

        private void OnVerdict(CipEnvelope e, FactVerdict v)
        {
            var voter = e.Sender.AgentId;
            var key = S.Facts.Keys.FirstOrDefault(k => string.Equals(k, v.FactRef, StringComparison.OrdinalIgnoreCase));
            if (key is null) { Drop(new(CipRules.Payload, $"fact_ref {v.FactRef} is not a claim this agent holds"), e); return; }
            var fact = S.Facts[key];
            if (fact.Proposer == voter) { Drop(new(KnowledgePolicy.TwoConfirmations, "a proposer cannot confirm or contradict its own claim"), e); return; }
            var conflict = v.Kind == VerdictKind.Reject || (v.Kind == VerdictKind.Challenge && v.Reason == "conflict");
            if (v.Kind != VerdictKind.Confirm && !conflict) return; // "insufficient_evidence"/"cannot_verify": no vote
            // Condition 4: only trusted peers' votes count (they are recorded now and counted while the voter is trusted).
            fact = conflict ? fact with { Conflicters = fact.Conflicters.Add(voter) } : fact with { Confirmers = fact.Confirmers.Add(voter) };
            S = S with { Facts = S.Facts.SetItem(key, fact) };
            if (S.TrustOf(voter) != TrustState.Trusted)
            {
                Observe(CipObservations.Vote, new JsonObject { ["fact_ref"] = key, ["voter"] = voter, ["counted"] = false, ["reason"] = "voter is " + S.TrustOf(voter).Wire() });
                return;
            }
            if (conflict)
            {
                var trustedConflicts = fact.Conflicters.Count(c => S.TrustOf(c) == TrustState.Trusted);
                var proposer = S.TrustOf(fact.Proposer);
                if (proposer == TrustState.Probing) Transition(fact.Proposer, TrustCause.Conflict, "its claim was contradicted by trusted " + voter);
                else if (proposer == TrustState.Trusted && trustedConflicts >= CipAgentConfig.SevereConflicts)
                    Transition(fact.Proposer, TrustCause.SevereConflict, $"its claim was contradicted by {trustedConflicts} trusted peers");
            }
        }

        private void OnDecision(CipEnvelope e, DecisionSharePayload d)
        {
            // "blacklisted → probing: manual override (human authority)": a signed override from the configured authority.
            if (cfg.Authority is { } authority && e.Sender.Fingerprint == authority && d.Choice == "trust_override")
            {
                if (S.Peers.ContainsKey(d.Context)) Transition(d.Context, TrustCause.Override, "override by " + e.Sender.AgentId);
                return;
            }
            if (S.TrustOf(e.Sender.AgentId) is TrustState.Probing or TrustState.Trusted)
                S = S with { CausalMemory = S.CausalMemory.Add(d.Trace.DecisionId) };
        }

        /// <summary>Re-resolves every pending claim (votes, trust and load may all have moved) and reports changes.</summary>
        private void Resolve()
        {
            bool changed;
            do
            {
                changed = false;
                foreach (var f in S.Facts.Values.Where(f => f.Status == FactStatus.Pending).OrderBy(f => f.MsgId, StringComparer.Ordinal))
                {
                    var (status, rule, reason) = KnowledgePolicy.Resolve(f, S.TrustOf(f.Proposer), v => S.TrustOf(v) == TrustState.Trusted, S.Overloaded);
                    if (status == FactStatus.Pending) continue;
                    S = S with { Facts = S.Facts.SetItem(f.MsgId, f with { Status = status, Reason = reason }) };
                    if (status == FactStatus.Accepted)
                    {
                        S = S with { CausalMemory = S.CausalMemory.Add(f.MsgId) };
                        Transition(f.Proposer, TrustCause.VerifiedKnowledge, "its claim was accepted");
                    }
                    Resolution(f.Proposer, f.MsgId, status, new(rule, reason));
                    changed = true;
                }
            } while (changed);
        }

        private void Resolution(string proposer, string factRef, FactStatus status, CipError why)
        {
            _resolutions.Add(new FactResolution(factRef, status, why));
            Observe(CipObservations.Fact, new JsonObject { ["fact_ref"] = factRef, ["status"] = status.Wire(), ["rule"] = why.Rule, ["reason"] = why.Detail });
            var (type, payload) = status switch
            {
                FactStatus.Accepted => (CipType.FactConfirm, new JsonObject { ["fact_ref"] = factRef, ["decision"] = "confirm", ["confidence"] = 1, ["notes"] = why.Detail }),
                FactStatus.Rejected => (CipType.FactReject, new JsonObject { ["fact_ref"] = factRef, ["decision"] = "reject", ["confidence"] = 1, ["notes"] = why.Detail }),
                _ => (CipType.FactChallenge, new JsonObject { ["fact_ref"] = factRef, ["reason"] = "conflict", ["notes"] = why.Detail }),
            };
            Send(proposer, type, payload, null);
        }

        private void Transition(string agentId, TrustCause cause, string why)
        {
            var ev = cause.Event() ?? throw new ArgumentException($"{cause} is no §5.2 event", nameof(cause));
            var from = S.TrustOf(agentId);
            var to = TrustFsm.Next(from, ev);
            if (to != from) SetTrust(agentId, to, cause, $"{ev}: {why}");
        }

        private void SetTrust(string agentId, TrustState to, TrustCause cause, string why)
        {
            var known = S.Peers.TryGetValue(agentId, out var had);
            var rec = had ?? new PeerRecord(agentId, TrustState.Untrusted);
            // Promotion starts a clean slate: earlier unverifiable claims do not count against a peer that is demoted later.
            S = S with { Peers = S.Peers.SetItem(agentId, rec with { Trust = to, Unverifiable = to == TrustState.Trusted ? 0 : rec.Unverifiable }) };
            _transitions.Add(new TrustTransition(agentId, known ? rec.Trust : null, to, cause, why));
            Observe(CipObservations.Trust, new JsonObject { ["agent_id"] = agentId, ["from"] = known ? rec.Trust.Wire() : "unknown", ["to"] = to.Wire(), ["why"] = why });
        }

        private TrustState TrustStateOrNew(string agentId) => S.TrustOf(agentId);

        /// <summary>A STATE_UPDATE to the sender of <paramref name="e"/>: our view of it, our load, and an intent.</summary>
        private void Reply(int conn, CipEnvelope e, TrustState view, string intent)
        {
            var to = new PeerRecord(e.Sender.AgentId, view, Fingerprint: e.Sender.Fingerprint, Connection: conn, ReceiverView: e.SenderView.Wire());
            _out.Add(Compose(to, CipType.StateUpdate, StateUpdatePayload(view, intent), intent));
        }

        private JsonObject StateUpdatePayload(TrustState view, string? intent)
        {
            var p = new JsonObject
            {
                ["presence"] = S.Presence.Wire(),
                ["lri"] = S.Lri,
                ["ltppeerstate"] = view.Wire(),
                ["kernel_signals"] = CipCompose.Array([]),
            };
            if (intent is not null) p["intent"] = intent;
            return p;
        }

        private void Send(string agentId, CipType type, JsonObject payload, string? intent)
        {
            if (S.Peers.GetValueOrDefault(agentId) is not { Connection: not null } rec) return; // gone: nothing to send on
            _out.Add(Compose(rec, type, payload, intent));
        }

        private CipOutput.Send Compose(PeerRecord to, CipType type, JsonObject payload, string? intent)
        {
            // Load travels as presence and lri; kernel_signals stay for critical alerts (read as an anomaly by peers).
            var state = new Signal(S.Presence, S.Lri, [], intent);
            var unsigned = CipCompose.Unsigned(cfg.Self, new Peer(to.AgentId, to.Fingerprint ?? ""), type, payload, env.NewUuid(), env.Now,
                to.Trust.Wire(), to.ReceiverView, state);
            return new CipOutput.Send(to.Connection!.Value, type, CipSigning.Sign(unsigned, cfg.Self.Key));
        }

        private void Drop(CipError why, CipEnvelope? e)
        {
            _dropped ??= why;
            _out.Add(DropObservation(why, e));
        }

        private void Observe(string name, JsonObject data) => _out.Add(Observation(name, data));

        /// <summary>Resolves claims, then tells every connected peer when the agent's presence changed (§4.1 step 5, §3.7).</summary>
        public CipStep Finish(Presence before)
        {
            Resolve();
            if (S.Presence != before)
                foreach (var p in S.Peers.Values.Where(p => p.Connection is not null).OrderBy(p => p.AgentId, StringComparer.Ordinal))
                    _out.Add(Compose(p, CipType.StateUpdate, StateUpdatePayload(p.Trust, "load"), "load"));
            return new CipStep(S, [.. _out], _dropped) { Transitions = [.. _transitions], Resolutions = [.. _resolutions] };
        }
    }
}
