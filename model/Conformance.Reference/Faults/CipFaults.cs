// Deliberately broken CIP agents: each breaks one rule around the model and names the requirement the suite must fail.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Cip;
using static Conformance.Reference.Faults.CipFaultTools;

namespace Conformance.Reference.Faults;

public static class CipFaults
{
    public static readonly IReadOnlyList<Fault> All =
    [
        Agent("cip-signature-unchecked", "the agent acts on unsigned envelopes and on ones whose signature does not verify", "CIP-7-sign",
            () => new Lenient(CipRules.Sign, _ => { })) with { Shim = new ShimReach.Tolerates(CipRules.Sign) },
        Agent("cip-fingerprint-unchecked", "the agent accepts a sender whose fingerprint is not SHA-256 of its key", "CIP-4.2-fingerprint",
            () => new Lenient(CipRules.Fingerprint, _ => { })) with { Shim = new ShimReach.Tolerates(CipRules.Fingerprint) },
        Agent("cip-shape-lenient", "the agent tolerates a wrong or missing \"cip\" version", "CIP-2-shape",
            () => new Lenient(CipRules.Shape, e => e["cip"] = "1.0")),
        Agent("cip-msg-id-lenient", "the agent accepts msg_ids that are not UUID v4", "CIP-2.2-msg-id",
            () => new Lenient(CipRules.MsgId, e => e["msg_id"] = Guid.NewGuid().ToString())),
        Agent("cip-timestamp-lenient", "the agent accepts timestamps that are not RFC 3339 UTC", "CIP-2.2-timestamp",
            () => new Lenient(CipRules.Timestamp, (e, env) => e["timestamp"] = CipCompose.Timestamp(env.Now))),
        Agent("cip-lri-lenient", "the agent clamps an out-of-range lri instead of dropping the envelope", "CIP-2.2-lri",
            () => new Lenient(CipRules.Lri, e => e["state"]!["lri"] = 100)),
        Agent("cip-payload-lenient", "the agent patches an INTENT's unknown goal or priority instead of dropping it", "CIP-3-payload",
            () => new Lenient(CipRules.Payload, e => { if (e["payload"] is JsonObject p) { p["goal"] = "ask"; p["priority"] = "normal"; p["topic"] ??= ""; } })),
        Agent("cip-stale-accepted", "the agent accepts timestamps far from its clock", "CIP-7-timestamp-window",
            () => new Lenient(CipRules.TimestampWindow, (e, env) => e["timestamp"] = CipCompose.Timestamp(env.Now))) with { Shim = new ShimReach.Runs("cip.replay") },
        Agent("cip-replay-accepted", "the agent forgets the msg_ids and session nonces it has seen", "CIP-7-replay", () => new ReplayAccepted()) with { Shim = new ShimReach.Runs("cip.replay") },
        Agent("cip-jcs-number-format", "the agent signs its envelopes over JSON that writes 1.0 for 1 (not JCS)", "CIP-2-sent", () => new NumberFormat()),
        Agent("cip-jcs-code-point-order", "the agent verifies over keys sorted by code point instead of UTF-16 units", "CIP-7-canonical", () => new CodePointOrder()),
        Agent("cip-bad-challenge-response", "the agent's HELLO answers the challenge with a signature over other bytes", "CIP-4-response", () => new BadChallengeResponse()),
        Agent("cip-handshake-trusts", "a valid handshake makes a new peer trusted at once, skipping probing", "CIP-4-trust-gate", () => new HandshakeTrusts()),
        Agent("cip-no-promotion", "a probing peer whose claim is accepted stays probing", "CIP-5-verified-knowledge", () => new Reverts(TrustState.Probing, TrustState.Trusted)) with { Shim = new ShimReach.Suppresses(TrustState.Probing, TrustState.Trusted) },
        Agent("cip-conflict-keeps-probing", "a probing peer whose claim is contradicted stays probing", "CIP-5-conflict", () => new Reverts(TrustState.Probing, TrustState.Untrusted)) with { Shim = new ShimReach.Suppresses(TrustState.Probing, TrustState.Untrusted) },
        Agent("cip-severe-conflict-ignored", "a trusted peer contradicted by two trusted peers stays trusted", "CIP-5-severe", () => new Reverts(TrustState.Trusted, TrustState.Blacklisted)) with { Shim = new ShimReach.Suppresses(TrustState.Trusted, TrustState.Blacklisted) },
        Agent("cip-anomaly-ignored", "a trusted peer reporting kernel signals stays trusted", "CIP-5-anomaly", () => new Reverts(TrustState.Trusted, TrustState.Probing)) with { Shim = new ShimReach.Suppresses(TrustState.Trusted, TrustState.Probing) },
        Agent("cip-override-ignored", "the authority's override leaves a blacklisted peer blacklisted", "CIP-5-override", () => new Reverts(TrustState.Blacklisted, TrustState.Probing)) with { Shim = new ShimReach.Suppresses(TrustState.Blacklisted, TrustState.Probing) },
        Agent("cip-ignores-blacklist", "a blacklisted peer's valid HELLO reinstates it as probing", "CIP-5-blacklisted-deny", () => new IgnoresBlacklist()),
        Agent("cip-extra-transition", "kernel signals from a probing peer make it untrusted (a transition not in §5.2)", "CIP-5-only-six", () => new ExtraTransition()),
        Agent("cip-bad-signature-not-marked", "a first HELLO with a bad signature leaves no untrusted mark", "CIP-4.2-bad-signature", () => new ForgetsFirstContact(TrustState.Untrusted)),
        Agent("cip-ignores-peer-overload", "the agent answers an overloaded peer's HELLO or INTENT with \"accept\"", "CIP-4.2-defer", () => new IgnoresPeerOverload()),
        Agent("cip-no-state-signal", "the agent never sends STATE_UPDATE", "CIP-4-state-signal", () => new NoStateSignal()),
        Agent("cip-accepts-while-overloaded", "the agent accepts claims while overloaded", "CIP-6-local-state", () => new AcceptsWhileOverloaded()),
        Agent("cip-no-dmp-check", "the agent does not reject claims without a usable DMP trace", "CIP-6-dmp", () => new KeepsPending(KnowledgePolicy.Dmp)) with { Shim = new ShimReach.KeepsPending(KnowledgePolicy.Dmp) },
        Agent("cip-no-causal-check", "the agent does not reject claims whose causal links it does not know", "CIP-6-causal", () => new KeepsPending(KnowledgePolicy.Causal)) with { Shim = new ShimReach.KeepsPending(KnowledgePolicy.Causal) },
        Agent("cip-one-confirmation", "the agent accepts a claim after one trusted confirmation", "CIP-6-two-confirmations", () => new OneConfirmation()),
        Agent("cip-skips-trust-gate", "the agent counts confirmations from peers that are not trusted", "CIP-6-trust-gate", () => new SkipsTrustGate()),
        Agent("cip-untrusted-source-kept", "the agent keeps claims from untrusted sources pending instead of rejecting them", "CIP-6-untrusted-reject", () => new KeepsPending(KnowledgePolicy.UntrustedSource)) with { Shim = new ShimReach.KeepsPending(KnowledgePolicy.UntrustedSource) },
        Agent("cip-conflict-ignored", "the agent ignores contradictions from trusted peers", "CIP-6-disputed", () => new ConflictIgnored()),
        // Two defects at once: a reply that breaks CIP-2-sent is still an answer the fingerprint rule forbids; both are reported.
        Agent("cip-two-defects", "the agent answers a HELLO whose fingerprint is not its key's, and signs its envelopes over non-JCS text (1.0 for 1)",
            "CIP-4.2-fingerprint", () => new Both(new NumberFormat(), new Lenient(CipRules.Fingerprint, _ => { }))),
    ];

    /// <summary>The other side of CIP's model-level readings: reported, never failed (see LhsFaults.Readings).</summary>
    public static readonly IReadOnlyList<Fault> Readings =
    [
        Agent("cip-unprefixed-challenge-response", "the agent signs the peer's raw challenge, without the project's domain prefix", "CIP-4-response-prefix",
            () => new UnprefixedChallengeResponse()) with { Reading = true },
        Agent("cip-timestamp-z-only", "the agent takes only timestamps ending in Z, dropping UTC written +00:00", "CIP-2.2-timestamp-utc-forms",
            () => new TimestampZOnly()) with { Reading = true },
    ];

    private static Fault Agent(string name, string summary, string requirement, Func<CipAgentBehaviour> create) =>
        new(name, FaultSide.Agent, summary, requirement, create);

    /// <summary>Does not enforce <paramref name="rule"/>: repairs what it would have dropped for it (see CipFaultTools.Tolerate).</summary>
    // The repair sees the agent's clock: a timestamp repaired from the wall clock would still be stale where the
    // clock is the vector's or the seed's.
    private sealed class Lenient(string rule, Action<JsonObject, IModelEnvironment> repair) : CipAgentBehaviour
    {
        public Lenient(string rule, Action<JsonObject> repair) : this(rule, (e, _) => repair(e)) { }

        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            Tolerate(rule, e => repair(e, env), s, input, c, env, model);
    }

    private sealed class ReplayAccepted : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            model(s with { Seen = [] }, input, c, env);
    }

    /// <summary><paramref name="outer"/> around <paramref name="inner"/> around the model: two defects in one agent.</summary>
    private sealed class Both(CipAgentBehaviour outer, CipAgentBehaviour inner) : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            outer.Step(s, input, c, env, (s2, i2, c2, e2) => inner.Step(s2, i2, c2, e2, model));
    }

    /// <summary>Signs its own envelopes over JCS text in which every integer is written with ".0".</summary>
    private sealed class NumberFormat : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            return step with
            {
                Outputs = [.. step.Outputs.Select(o =>
                {
                    if (o is not CipOutput.Send send || TryObject(send.Text) is not { } e) return o;
                    e.Remove("sign");
                    using var doc = System.Text.Json.JsonDocument.Parse(e.ToJsonString());
                    var wrong = System.Text.RegularExpressions.Regex.Replace(Jcs.CanonicalString(doc.RootElement), @"(?<=[:\[,])(-?\d+)(?=[,\]\}])", "$1.0");
                    e["sign"] = new JsonObject { ["algo"] = "ed25519", ["signature"] = Convert.ToBase64String(c.Self.Key.Sign(System.Text.Encoding.UTF8.GetBytes(wrong))) };
                    return send with { Text = e.ToJsonString() };
                })],
            };
        }
    }

    /// <summary>Verifies with member names sorted by Unicode code point (astral characters after U+FFFF), not UTF-16 units.</summary>
    private sealed class CodePointOrder : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            if (Json(input) is not { } e || !HasAstralAndHighBmpKeys(e)) return model(s, input, c, env);
            return CipAgent.Refuse(s, new CipError(CipRules.Canonical, "signature does not verify (code point order)"));
        }

        // Only envelopes whose names sort differently under the two orders are affected: exactly those it gets wrong.
        private static bool HasAstralAndHighBmpKeys(JsonNode? n) => n switch
        {
            JsonObject o => o.Any(p => p.Key.Any(char.IsSurrogate)) && o.Any(p => p.Key.Any(ch => ch >= '\uE000'))
                || o.Any(p => HasAstralAndHighBmpKeys(p.Value)),
            JsonArray a => a.Any(HasAstralAndHighBmpKeys),
            _ => false,
        };
    }

    private sealed class BadChallengeResponse : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            RewriteSends(model(s, input, c, env), c, (_, e) =>
            {
                if (Type(e) == "HELLO" && e["payload"] is JsonObject p)
                    p["challenge_response"] = Convert.ToBase64String(c.Self.Key.Sign("not the challenge"u8));
                return e;
            });
    }

    /// <summary>Answers a HELLO with a signature over the challenge's bytes alone: still a signed response to it.</summary>
    private sealed class UnprefixedChallengeResponse : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var challenge = Json(input)?["payload"]?["challenge"] is JsonValue v && v.TryGetValue<string>(out var b64) ? b64 : null;
            return RewriteSends(model(s, input, c, env), c, (_, e) =>
            {
                if (challenge is not null && Type(e) == "HELLO" && e["payload"] is JsonObject p && p.ContainsKey("challenge_response"))
                    p["challenge_response"] = Convert.ToBase64String(c.Self.Key.Sign(Convert.FromBase64String(challenge)));
                return e;
            });
        }
    }

    /// <summary>Drops, silently, an envelope whose timestamp does not end in Z (a stricter reading of "UTC RFC3339").</summary>
    private sealed class TimestampZOnly : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            Json(input)?["timestamp"] is JsonValue v && v.TryGetValue<string>(out var ts) && !ts.EndsWith('Z') && !ts.EndsWith('z')
                ? new CipStep(s, [])
                : model(s, input, c, env);
    }

    private sealed class HandshakeTrusts : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            foreach (var (id, from, to) in Transitions(step).Where(t => t.To == TrustState.Probing && t.From is null or TrustState.Untrusted).ToArray())
                step = Revert(step, id, TrustState.Trusted);
            return step;
        }
    }

    /// <summary>Undoes one transition of the table whenever the model makes it.</summary>
    private sealed class Reverts(TrustState from, TrustState to) : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            foreach (var (id, f, t) in Transitions(step).Where(t => t.From == from && t.To == to).ToArray())
                step = Revert(step, id, from);
            return step;
        }
    }

    private sealed class IgnoresBlacklist : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            if (Json(input) is { } e && Type(e) == "HELLO" && e["sender"]?["agent_id"]?.GetValue<string>() is { } id
                && s.Peers.TryGetValue(id, out var rec) && rec.Trust == TrustState.Blacklisted)
                s = s with { Peers = s.Peers.SetItem(id, rec with { Trust = TrustState.Untrusted }) };
            return model(s, input, c, env);
        }
    }

    private sealed class ExtraTransition : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            if (Json(input) is { } e && Type(e) == "STATE_UPDATE" && e["payload"]?["kernel_signals"] is JsonArray { Count: > 0 }
                && e["sender"]?["agent_id"]?.GetValue<string>() is { } id && s.TrustOf(id) == TrustState.Probing && step.State.Peers.ContainsKey(id))
                step = Revert(step, id, TrustState.Untrusted);
            return step;
        }
    }

    private sealed class ForgetsFirstContact(TrustState mark) : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            foreach (var (id, from, to) in Transitions(step).Where(t => t.From is null && t.To == mark).ToArray())
                step = step with { State = step.State with { Peers = step.State.Peers.Remove(id) } };
            return step;
        }
    }

    private sealed class IgnoresPeerOverload : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            RewriteSends(model(s, input, c, env), c, (_, e) =>
            {
                if (Type(e) == "STATE_UPDATE" && Intent(e) == "defer" && !s.Overloaded)
                {
                    e["payload"]!["intent"] = "accept";
                    e["state"]!["intent"] = "accept";
                }
                return e;
            });
    }

    private sealed class NoStateSignal : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model) =>
            RewriteSends(model(s, input, c, env), c, (_, e) => Type(e) == "STATE_UPDATE" && Intent(e) is "handshake" or "load" ? null : e);
    }

    /// <summary>After each step, any claim held back only by load is accepted anyway (resolved as if not overloaded).</summary>
    private sealed class AcceptsWhileOverloaded : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            var state = step.State;
            var held = state.Facts.Values.Where(f => f.Status == FactStatus.Pending
                && KnowledgePolicy.Resolve(f, state.TrustOf(f.Proposer), v => state.TrustOf(v) == TrustState.Trusted, selfOverloaded: false).Status == FactStatus.Accepted).ToArray();
            if (held.Length == 0 || !state.Overloaded) return step;
            // Resolve them with the load taken away: drop the other pending claims for one step, then put them back.
            var others = state.Facts.Values.Where(f => f.Status == FactStatus.Pending && !held.Contains(f)).ToArray();
            var light = state with { Facts = state.Facts.RemoveRange(others.Select(f => f.MsgId)) };
            var resolved = model(light, new CipInput.Disconnected(-1), c, env);
            var back = resolved.State with { Facts = resolved.State.Facts.SetItems(others.Select(f => KeyValuePair.Create(f.MsgId, f))) };
            return step with
            {
                State = back,
                Outputs = [.. step.Outputs, .. resolved.Outputs.Where(o => o is CipOutput.Send { Type: CipType.FactConfirm } or CipOutput.Observe)],
                Transitions = [.. step.Transitions, .. resolved.Transitions],
                Resolutions = [.. step.Resolutions, .. resolved.Resolutions],
            };
        }
    }

    /// <summary>Where the model rejects a claim on arrival for <paramref name="rule"/>, keeps it pending instead.</summary>
    private sealed class KeepsPending(string rule) : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            var refused = step.Resolutions.Where(r => r.Status == FactStatus.Rejected && r.Why.Rule == rule).Select(r => r.FactRef).ToHashSet();
            if (refused.Count == 0) return step;
            var facts = step.State.Facts;
            foreach (var id in refused) facts = facts.SetItem(id, facts[id] with { Status = FactStatus.Pending, Reason = null });
            return step with
            {
                State = step.State with { Facts = facts },
                Outputs = [.. step.Outputs.Where(o => !(o is CipOutput.Send { Type: CipType.FactReject } send && refused.Any(id => send.Text.Contains(id, StringComparison.OrdinalIgnoreCase))))],
                Resolutions = [.. step.Resolutions.Where(r => !refused.Contains(r.FactRef))],
            };
        }
    }

    /// <summary>Counts a lone trusted confirmation twice, by adding a trusted phantom voter.</summary>
    private sealed class OneConfirmation : CipAgentBehaviour
    {
        private const string Phantom = "fault/phantom-confirmer";

        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            var step = model(s, input, c, env);
            var state = step.State;
            var lone = state.Facts.Values.Where(f => f.Status == FactStatus.Pending && f.Confirmers.Count(v => state.TrustOf(v) == TrustState.Trusted) == 1).ToArray();
            if (lone.Length == 0) return step;
            state = state with { Peers = state.Peers.SetItem(Phantom, new PeerRecord(Phantom, TrustState.Trusted)) };
            foreach (var f in lone) state = state with { Facts = state.Facts.SetItem(f.MsgId, f with { Confirmers = f.Confirmers.Add(Phantom) }) };
            var resolved = model(state, new CipInput.Disconnected(-1), c, env);
            return step with
            {
                State = resolved.State,
                Outputs = [.. step.Outputs, .. resolved.Outputs],
                Transitions = [.. step.Transitions, .. resolved.Transitions],
                Resolutions = [.. step.Resolutions, .. resolved.Resolutions],
            };
        }
    }

    /// <summary>Counts every confirmation: while a FACT_CONFIRM is processed, all of the claim's voters count as trusted.</summary>
    private sealed class SkipsTrustGate : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            if (Json(input) is not { } e || Type(e) != "FACT_CONFIRM" || e["sender"]?["agent_id"]?.GetValue<string>() is not { } id
                || e["payload"]?["fact_ref"]?.GetValue<string>() is not { } factRef)
                return model(s, input, c, env);
            var voters = s.Facts.Values.Where(f => string.Equals(f.MsgId, factRef, StringComparison.OrdinalIgnoreCase))
                .SelectMany(f => f.Confirmers).Append(id).Where(s.Peers.ContainsKey).Distinct().ToArray();
            var real = voters.ToDictionary(v => v, v => s.Peers[v].Trust);
            var patched = s with { Peers = s.Peers.SetItems(voters.Select(v => KeyValuePair.Create(v, s.Peers[v] with { Trust = TrustState.Trusted }))) };
            var step = model(patched, input, c, env);
            var peers = step.State.Peers;
            foreach (var (v, trust) in real) if (peers.TryGetValue(v, out var rec)) peers = peers.SetItem(v, rec with { Trust = trust });
            return step with { State = step.State with { Peers = peers } };
        }
    }

    private sealed class ConflictIgnored : CipAgentBehaviour
    {
        public override CipStep Step(CipAgentState s, CipInput input, CipAgentConfig c, IModelEnvironment env, CipModel model)
        {
            if (Json(input) is { } e && (Type(e) == "FACT_REJECT" || (Type(e) == "FACT_CHALLENGE" && e["payload"]?["reason"]?.GetValue<string>() == "conflict")))
                return new CipStep(s, []);
            return model(s, input, c, env);
        }
    }
}
