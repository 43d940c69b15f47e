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

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-fsm-verified-knowledge", "§5.2", "probing → trusted on verified knowledge",
            "A probing peer's claim is confirmed by both trust anchors; the agent must accept it and then see the peer as trusted.",
            [Verified, "CIP-6-two-confirmations"], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                if (await w.PromoteAsync(p, a1!, a2!, "CIP-6-two-confirmations"))
                    await w.ExpectTrustAsync(p, TrustState.Trusted, Verified, "after its claim was accepted");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-conflict", "§5.2", "probing → untrusted on conflict",
            "A probing peer's claim is contradicted by a trust anchor: the claim is disputed and the peer becomes untrusted.",
            [Conflict, "CIP-6-disputed"], async w =>
            {
                var (p, a1, _) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("the sky is green"));
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect("CIP-6-disputed", r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict): the claim is disputed", r?.Describe() ?? "no resolution", r is null);
                await w.ExpectTrustAsync(p, TrustState.Untrusted, Conflict, "after a trusted peer contradicted its claim");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-unverifiable", "§5.2", "probing → untrusted on repeated unverifiable claims",
            "A probing peer makes a claim without a DMP trace (rejected), is still probing, makes a second one, and must then be untrusted.",
            [Unverifiable, "CIP-6-dmp"], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                for (var i = 1; i <= 2; i++)
                {
                    var claim = await w.ProposeAsync(p, CipWorld.Claim($"unverifiable #{i}", withTrace: false));
                    var r = await w.ResolutionAsync(p, claim);
                    w.Checks.Expect("CIP-6-dmp", r?.Type == CipType.FactReject, "FACT_REJECT for a claim without a DMP trace", r?.Describe() ?? "no resolution", r is null);
                    await w.ExpectTrustAsync(p, i == 1 ? TrustState.Probing : TrustState.Untrusted, Unverifiable, $"after {i} unverifiable claim(s)");
                }
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-severe-conflict", "§5.2", "trusted → blacklisted on severe conflict",
            "A peer made trusted has a claim contradicted by one anchor (still trusted), then by the other (blacklisted).",
            [Severe, OnlySix, "CIP-6-two-confirmations", "CIP-6-disputed"], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, "CIP-6-two-confirmations")) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("two plus two is five"));
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect("CIP-6-disputed", r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict): the claim is disputed", r?.Describe() ?? "no resolution", r is null);
                await w.ExpectTrustAsync(p, TrustState.Trusted, OnlySix, "one trusted conflict is not a severe one");
                await w.Contradict(a2!, claim);
                await w.ExpectTrustAsync(p, TrustState.Blacklisted, Severe, "after two trusted peers contradicted its claim");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-blacklisted-deny", "§5.2", "A blacklisted peer is denied",
            "Blacklists a peer by severe conflict, then: its INTENT and a fresh HELLO must be denied, and its claims rejected.",
            [Deny, "CIP-6-two-confirmations", "CIP-6-untrusted-reject"], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, "CIP-6-two-confirmations")) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("water is dry"));
                await w.Contradict(a1!, claim);
                await w.Contradict(a2!, claim);
                await w.ResolutionAsync(p, claim);
                var r = await w.ProbeAsync(p);
                w.Checks.Expect(Deny, r?.State is { Intent: "deny", PeerState: TrustState.Blacklisted }, "its INTENT denied, blacklisted", r?.Describe() ?? "no answer", r is null);
                var again = await w.ProposeAsync(p, CipWorld.Claim("water is wet"));
                var rej = await w.ResolutionAsync(p, again);
                w.Checks.Expect("CIP-6-untrusted-reject", rej?.Type == CipType.FactReject, "FACT_REJECT for a blacklisted source", rej?.Describe() ?? "no resolution", rej is null);
                await p.SendAsync(p.Hello());
                var h = await p.ExpectAsync(x => x.Type == CipType.Hello || x.State?.Intent is "deny" or "defer");
                w.Checks.Expect(Deny, h?.State is { Intent: "deny" }, "a new HELLO is denied: no handshake reinstates a blacklisted peer", h?.Describe() ?? "no answer", h is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-anomaly", "§5.2", "trusted → probing on a temporary anomaly",
            "A peer made trusted reports kernel_signals [\"degraded_memory\"] in a STATE_UPDATE: it must go back to probing.",
            [Anomaly, "CIP-6-two-confirmations"], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, "CIP-6-two-confirmations")) return w.Checks.Verdict();
                await p.SendAsync(CipType.StateUpdate, S4_Handshake.StateUpdate(Presence.Diffuse, 30, ["degraded_memory"]));
                await w.ExpectTrustAsync(p, TrustState.Probing, Anomaly, "after it reported a critical kernel signal");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-probing-anomaly", "§5.2", "Kernel signals from a probing peer change nothing",
            "A probing peer reports kernel_signals [\"degraded_memory\"]: no row of §5.2 applies, it stays probing.",
            [OnlySix], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                await p.SendAsync(CipType.StateUpdate, S4_Handshake.StateUpdate(Presence.Diffuse, 30, ["degraded_memory"]));
                await w.ExpectTrustAsync(p, TrustState.Probing, OnlySix, "kernel signals move only a trusted peer");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fsm-override", "§5.2", "blacklisted → probing on manual override",
            "Blacklists a new peer (fingerprint mismatch); the suite's authority sends a signed DECISION_SHARE \"trust_override\" naming it; its HELLO must then give probing.",
            [Override], w => OverrideCase(w, CipWorld.Authority, TrustState.Probing, Override));

        yield return Agent("CIP-A-fsm-override-not-authority", "§5.2", "Override from anyone but the authority",
            "Blacklists a new peer; a trust anchor (not the authority) sends the same override; its HELLO must still be denied.",
            [OnlySix], w => OverrideCase(w, CipWorld.Anchors[0], TrustState.Blacklisted, OnlySix));
    }

    private static async Task<Verdict> OverrideCase(CipWorld w, CipIdentity overrider, TrustState expected, string requirement)
    {
        var x = await w.ConnectAsync(w.NewIdentity("peer"));
        var other = TestKeys.FromLabel("conformance-suite/cip/other-fingerprint");
        await x.SendAsync(x.Hello(e => e["sender"]!["fingerprint"] = CipIdentity.FingerprintOf(other.PublicKey)));
        await x.NextAsync(w.Quiet);
        var o = await w.ConnectAsync(overrider);
        if (await w.HandshakeAsync(o) is null) return w.Checks.Verdict();
        await o.SendAsync(CipType.DecisionShare, new JsonObject
        {
            ["decision"] = new JsonObject { ["choice"] = "trust_override", ["outcome"] = "probing", ["context"] = x.Id.AgentId },
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
