// §5 Trust FSM (LTP-Peer) — the six transitions of §5.2, and nothing else. The events that trigger them are the
// project's reading (SPEC-NOTES.md "Trust events"); the agent's view of a peer is read from its answer to an INTENT.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Reference.Hosting;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using static Conformance.Suite.Cip.CipCase;

namespace Conformance.Suite.Cip;

internal static class S5_TrustFsm
{
    private const string Verified = "CIP-5-verified-knowledge", Conflict = "CIP-5-conflict", Unverifiable = "CIP-5-unverifiable";
    private const string Severe = "CIP-5-severe", Anomaly = "CIP-5-anomaly", Override = "CIP-5-override", Deny = "CIP-5-blacklisted-deny";
    private const string OnlySix = "CIP-5-only-six";

    // The trusts each case expects are the model's: the §5.2 table from where a new peer stands after its handshake.
    private static readonly TrustState Probing = CipOracle.NewPeer;
    private static readonly TrustState Promoted = TrustFsm.Next(Probing, TrustEvent.VerifiedKnowledge);

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-fsm-verified-knowledge", "§5.2", "probing → trusted on verified knowledge",
            "A probing peer's claim is confirmed by both trust anchors; the agent must accept it and then see the peer as trusted.",
            [Verified, KnowledgePolicy.TwoConfirmations], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                if (await w.PromoteAsync(p, a1!, a2!, KnowledgePolicy.TwoConfirmations))
                    await w.ExpectTrustAsync(p, Promoted, Verified, "after its claim was accepted");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-conflict", "§5.2", "probing → untrusted on conflict",
            "A probing peer's claim is contradicted by a trust anchor: the claim is disputed and the peer becomes untrusted.",
            [Conflict, KnowledgePolicy.Disputed], async w =>
            {
                var (p, a1, _) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("the sky is green"));
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(KnowledgePolicy.Disputed, r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict): the claim is disputed", r?.Describe() ?? "no resolution", r is null);
                await w.ExpectTrustAsync(p, TrustFsm.Next(Probing, TrustEvent.ConflictOrUnverifiable), Conflict, "after a trusted peer contradicted its claim");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-unverifiable", "§5.2", "probing → untrusted on repeated unverifiable claims",
            "A probing peer makes a claim without a DMP trace (rejected), is still probing, makes a second one, and must then be untrusted.",
            [Unverifiable, KnowledgePolicy.Dmp], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                for (var i = 1; i <= CipAgentConfig.UnverifiableLimit; i++)
                {
                    var claim = await w.ProposeAsync(p, CipWorld.Claim($"unverifiable #{i}", withTrace: false));
                    var r = await w.ResolutionAsync(p, claim);
                    w.Checks.Expect(KnowledgePolicy.Dmp, r?.Type == CipType.FactReject, "FACT_REJECT for a claim without a DMP trace", r?.Describe() ?? "no resolution", r is null);
                    await w.ExpectTrustAsync(p, i < CipAgentConfig.UnverifiableLimit ? Probing : TrustFsm.Next(Probing, TrustEvent.ConflictOrUnverifiable), Unverifiable, $"after {i} unverifiable claim(s)");
                }
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-severe-conflict", "§5.2", "trusted → blacklisted on severe conflict",
            "A peer made trusted has a claim contradicted by one anchor (still trusted), then by the other (blacklisted).",
            [Severe, OnlySix, KnowledgePolicy.TwoConfirmations, KnowledgePolicy.Disputed], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, KnowledgePolicy.TwoConfirmations)) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("two plus two is five"));
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(KnowledgePolicy.Disputed, r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict): the claim is disputed", r?.Describe() ?? "no resolution", r is null);
                await w.ExpectTrustAsync(p, Promoted, OnlySix, "one trusted conflict is not a severe one");
                await w.Contradict(a2!, claim);
                await w.ExpectTrustAsync(p, TrustFsm.Next(Promoted, TrustEvent.SevereConflict), Severe, "after two trusted peers contradicted its claim");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-blacklisted-deny", "§5.2", "A blacklisted peer is denied",
            "Blacklists a peer by severe conflict, then: its INTENT and a fresh HELLO must be denied, and its claims rejected.",
            [Deny, KnowledgePolicy.TwoConfirmations, KnowledgePolicy.UntrustedSource], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, KnowledgePolicy.TwoConfirmations)) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("water is dry"));
                await w.Contradict(a1!, claim);
                await w.Contradict(a2!, claim);
                await w.ResolutionAsync(p, claim);
                var r = await w.ProbeAsync(p);
                var blacklisted = TrustFsm.Next(Promoted, TrustEvent.SevereConflict);
                w.Checks.Expect(Deny, r?.State is { Intent: "deny" } st && st.PeerState == blacklisted, $"its INTENT denied, {blacklisted.Wire()}", r?.Describe() ?? "no answer", r is null);
                var again = await w.ProposeAsync(p, CipWorld.Claim("water is wet"));
                var rej = await w.ResolutionAsync(p, again);
                w.Checks.Expect(KnowledgePolicy.UntrustedSource, rej?.Type == CipType.FactReject, "FACT_REJECT for a blacklisted source", rej?.Describe() ?? "no resolution", rej is null);
                await p.SendAsync(p.Hello());
                var h = await p.ExpectAsync(x => x.Type == CipType.Hello || x.State?.Intent is "deny" or "defer");
                w.Checks.Expect(Deny, h?.State is { Intent: "deny" }, "a new HELLO is denied: no handshake reinstates a blacklisted peer", h?.Describe() ?? "no answer", h is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-anomaly", "§5.2", "trusted → probing on a temporary anomaly",
            "A peer made trusted reports kernel_signals [\"degraded_memory\"] in a STATE_UPDATE: it must go back to probing.",
            [Anomaly, KnowledgePolicy.TwoConfirmations], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, KnowledgePolicy.TwoConfirmations)) return w.Checks.Verdict();
                await p.SendAsync(CipType.StateUpdate, S4_Handshake.StateUpdate(Presence.Diffuse, 30, ["degraded_memory"]));
                await w.ExpectTrustAsync(p, TrustFsm.Next(Promoted, TrustEvent.TemporaryAnomaly), Anomaly, "after it reported a critical kernel signal");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-probing-anomaly", "§5.2", "Kernel signals from a probing peer change nothing",
            "A probing peer reports kernel_signals [\"degraded_memory\"]: no row of §5.2 applies, it stays probing.",
            [OnlySix], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                await p.SendAsync(CipType.StateUpdate, S4_Handshake.StateUpdate(Presence.Diffuse, 30, ["degraded_memory"]));
                await w.ExpectTrustAsync(p, TrustFsm.Next(Probing, TrustEvent.TemporaryAnomaly), OnlySix, "kernel signals move only a trusted peer");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-override", "§5.2", "blacklisted → probing on manual override",
            "Blacklists a new peer (fingerprint mismatch); the suite's authority sends a signed DECISION_SHARE \"trust_override\" naming it; its HELLO must then give probing.",
            [Override], w => OverrideCase(w, CipWorld.Authority, overrides: true, Override));

        yield return Agent("CIP-A-fsm-override-not-authority", "§5.2", "Override from anyone but the authority",
            "Blacklists a new peer; a trust anchor (not the authority) sends the same override; its HELLO must still be denied.",
            [OnlySix], w => OverrideCase(w, CipWorld.Anchors[0], overrides: false, OnlySix));
    }

    private static async Task<Verdict> OverrideCase(CipWorld w, CipIdentity overrider, bool overrides, string requirement)
    {
        // Blacklisted at first contact, overridden (or not), then a valid handshake.
        var blacklisted = TrustFsm.AfterRefusedFirstHello(CipRules.Fingerprint);
        var expected = TrustFsm.AfterHandshake(overrides ? TrustFsm.Next(blacklisted, TrustEvent.ManualOverride) : blacklisted, anchor: false);
        var x = await w.ConnectAsync(w.NewIdentity("peer"));
        var other = TestKeys.FromLabel("conformance-suite/cip/other-fingerprint");
        await x.SendAsync(x.Hello(e => e["sender"]!["fingerprint"] = CipIdentity.FingerprintOf(other.PublicKey)));
        // Synced before the override comes from another connection: a valid HELLO from x, answered (a blacklisted
        // peer's HELLO is denied) only once the agent has handled the one before it.
        await x.SendAsync(x.Hello());
        await x.NextAsync();
        var o = await w.ConnectAsync(overrider);
        if (await w.HandshakeAsync(o) is null) return w.Checks.Verdict();
        await o.SendAsync(CipType.DecisionShare, new JsonObject
        {
            ["decision"] = new JsonObject { ["choice"] = "trust_override", ["outcome"] = TrustState.Probing.Wire(), ["context"] = x.Id.AgentId },
            ["dmp_trace"] = new JsonObject
            {
                ["decision_id"] = Guid.NewGuid().ToString(), ["steps"] = CipCompose.Array(["review"]), ["evidence"] = CipCompose.Array(["operator"]),
            },
            ["retrospective"] = "reinstated by a human",
        });
        // The override has no answer: sync on the overrider's connection so it is processed before the HELLO below.
        await w.SyncAsync(o);
        await x.SendAsync(x.Hello());
        var r = await x.ExpectAsync(m => m.Type == CipType.Hello || m.State?.Intent is "deny" or "defer" or "handshake");
        var view = r?.Type == CipType.Hello ? (await x.ExpectAsync(m => m.State?.Intent == "handshake"))?.State!.PeerState : r?.State?.PeerState;
        w.Checks.Expect(requirement, view == expected, $"after the override by {overrider.AgentId}, the peer is {expected.Wire()}",
            view?.Wire() ?? "no answer", r is null);
        return w.Checks.Verdict();
    }
}
