// §6 Anti-hallucination policy (normative) — "An agent must not accept a knowledge claim unless: 1. causal memory,
// 2. DMP-trace, 3. ≥2 trusted peers, 4. trust gating, 5. local state." §6.1 "2+ trusted confirmations → accept ·
// Any trusted conflict → mark as disputed · Untrusted source → reject". The agent's decision is the FACT_* it sends
// to the proposer; "no decision yet" is none before the answer to the proposer's next INTENT. What each claim earns is the model's verdict
// (CipOracle.Claim, KnowledgePolicy.Judge) for the same claim, trusts, votes and load.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using static Conformance.Suite.Cip.CipCase;

namespace Conformance.Suite.Cip;

internal static class S6_AntiHallucination
{
    private const string Two = KnowledgePolicy.TwoConfirmations, Gate = KnowledgePolicy.TrustGate, Untrusted = KnowledgePolicy.UntrustedSource;
    private const string Disputed = KnowledgePolicy.Disputed, Causal = KnowledgePolicy.Causal, Local = KnowledgePolicy.LocalState;
    private static readonly TrustState Probing = CipOracle.NewPeer;

    /// <summary>Records whether <paramref name="r"/> (a resolution, or null for none in time) is what the model decides.</summary>
    private static bool Expect(CipWorld w, string requirement, Received? r, KnowledgeVerdict expected, string when) =>
        w.Checks.Expect(requirement, r?.Type == CipOracle.Sends(expected), $"{when}: {CipOracle.Describe(expected)}",
            r?.Describe() ?? (CipOracle.Sends(expected) is null ? "none" : "no resolution"), r is null && CipOracle.Sends(expected) is not null);

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-fact-two-confirmations", "§6", "One trusted confirmation is not enough",
            "A probing peer's claim gets one anchor's confirmation (no decision may follow), then the other's (FACT_CONFIRM must follow).",
            [Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var payload = CipWorld.Claim("ice floats");
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(a1!, claim);
                var early = await w.ResolutionSoFarAsync(p, claim);
                Expect(w, Two, early, CipOracle.Claim(payload, Probing, [CipOracle.Trusted(a1!)]), "after one trusted confirmation");
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Two, r, CipOracle.Claim(payload, Probing, [CipOracle.Trusted(a1!), CipOracle.Trusted(a2!)]), "after the second");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-self-confirmation", "§6", "A proposer's own confirmation does not count",
            "A peer made trusted proposes a claim, confirms it itself, and one anchor confirms: no decision; the second anchor's confirmation accepts it.",
            [Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, Two)) return w.Checks.Verdict();
                var trusted = TrustFsm.Next(Probing, TrustEvent.VerifiedKnowledge);
                var payload = CipWorld.Claim("salt dissolves");
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(p, claim);
                await w.Confirm(a1!, claim);
                var early = await w.ResolutionSoFarAsync(p, claim);
                // The proposer's own vote is dropped (the model's agent), so it is not among the confirmations.
                Expect(w, Two, early, CipOracle.Claim(payload, trusted, [CipOracle.Trusted(a1!)]), "the proposer's own vote plus one other");
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Two, r, CipOracle.Claim(payload, trusted, [CipOracle.Trusted(a1!), CipOracle.Trusted(a2!)]), "after the second independent confirmation");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-probing-confirmers", "§6", "Confirmations from probing peers do not count",
            "A probing peer's claim is confirmed by two other probing peers: no decision may follow; an anchor's contradiction then settles it (disputed).",
            [Gate, Disputed], async w =>
            {
                var (p, a1, _) = await w.CastAsync();
                var q1 = await w.FreshAsync("voter");
                var q2 = await w.FreshAsync("voter");
                if (p is null || q1 is null || q2 is null) return w.Checks.Verdict();
                var payload = CipWorld.Claim("the moon is cheese");
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(q1, claim);
                await w.Confirm(q2, claim);
                (string, TrustState)[] voters = [(q1.Id.AgentId, Probing), (q2.Id.AgentId, Probing)];
                var early = await w.ResolutionSoFarAsync(p, claim);
                Expect(w, Gate, early, CipOracle.Claim(payload, Probing, voters), "confirmed by two probing peers");
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Disputed, r, CipOracle.Claim(payload, Probing, voters, [CipOracle.Trusted(a1!)]), "after a trusted contradiction");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-untrusted-source", "§6.1", "Claim from an untrusted source",
            "Makes a peer untrusted (its first claim contradicted by an anchor), then has it propose another claim: FACT_REJECT.",
            [Untrusted, Disputed], async w =>
            {
                var (p, a1, _) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var first = await w.ProposeAsync(p, CipWorld.Claim("fire is cold"));
                await w.Contradict(a1!, first);
                await w.ResolutionAsync(p, first);
                var payload = CipWorld.Claim("fire is hot");
                var claim = await w.ProposeAsync(p, payload);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Untrusted, r, CipOracle.Claim(payload, TrustFsm.Next(Probing, TrustEvent.ConflictOrUnverifiable)), "from a source whose claim was contradicted");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-disputed", "§6.1", "A trusted conflict disputes a confirmed claim",
            "A probing peer's claim gets one anchor's confirmation and the other's contradiction: FACT_CHALLENGE (conflict), never FACT_CONFIRM.",
            [Disputed], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var payload = CipWorld.Claim("glass is a liquid");
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(a1!, claim);
                await w.Contradict(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Disputed, r, CipOracle.Claim(payload, Probing, [CipOracle.Trusted(a1!)], [CipOracle.Trusted(a2!)]), "confirmed by one anchor, contradicted by the other");
                var later = await w.ResolutionSoFarAsync(p, claim);
                w.Checks.Expect(Disputed, later is null, "no other decision follows", later?.Describe() ?? "none");
                return w.Checks.Verdict();
            });

        (string Id, string What, JsonObject Claim)[] refused =
        [
            ("no-trace", "without a DMP trace", CipWorld.Claim("no provenance", withTrace: false)),
            ("empty-steps", "whose DMP trace has no steps", WithSteps(CipWorld.Claim("no steps"), [])),
            ("empty-evidence", "whose DMP trace has no evidence", CipWorld.Claim("no evidence", evidence: [])),
            ("sources-outside-evidence", "whose sources are not in its trace's evidence", CipWorld.Claim("unsourced", sources: ["paper:a"], evidence: ["paper:b"])),
            ("unknown-causal-link", "linked to a claim nobody made", CipWorld.Claim("orphan", causalLinks: ["0b5c6f0e-4a5e-4f5e-9b1e-6a7d1b2c3d4e"])),
        ];
        foreach (var c in refused)
        {
            // The rule it breaks is the model's verdict on arrival.
            var verdict = CipOracle.Claim(c.Claim, Probing);
            yield return Agent($"CIP-A-fact-{c.Id}", "§6", $"Claim {c.What}", $"A probing peer proposes a claim {c.What}: FACT_REJECT.",
                [verdict.Rule], async w =>
                {
                    var p = await w.FreshAsync("peer");
                    if (p is null) return w.Checks.Verdict();
                    var claim = await w.ProposeAsync(p, (JsonObject)c.Claim.DeepClone());
                    var r = await w.ResolutionAsync(p, claim);
                    Expect(w, verdict.Rule, r, verdict, $"a claim {c.What}");
                    return w.Checks.Verdict();
                });
        }

        yield return Agent("CIP-A-fact-known-causal-link", "§6", "Claim linked to an accepted claim",
            "One peer's claim is accepted; a second peer's claim linked to it is confirmed by both anchors and must be accepted.",
            [Causal, Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                var q = await w.FreshAsync("peer");
                if (p is null || q is null) return w.Checks.Verdict();
                (string, TrustState)[] anchors = [CipOracle.Trusted(a1!), CipOracle.Trusted(a2!)];
                var basisPayload = CipWorld.Claim("the basis");
                var basis = await w.ProposeAsync(p, basisPayload);
                await w.Confirm(a1!, basis);
                await w.Confirm(a2!, basis);
                var first = await w.ResolutionAsync(p, basis);
                if (!Expect(w, Two, first, CipOracle.Claim(basisPayload, Probing, anchors), "the basis claim"))
                    return w.Checks.Verdict();
                var payload = CipWorld.Claim("built on the basis", causalLinks: [basis]);
                var claim = await w.ProposeAsync(q, payload);
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(q, claim);
                // An accepted claim is in causal memory.
                Expect(w, Causal, r, CipOracle.Claim(payload, Probing, anchors, causalMemory: [basis]), "a claim whose causal link is an accepted claim");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-decision-link", "§6", "Claim linked to a shared decision",
            "A probing peer shares a DECISION_SHARE; a claim linked to its decision_id, confirmed by both anchors, must be accepted.",
            [Causal], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var decision = Guid.NewGuid().ToString();
                await p.SendAsync(CipType.DecisionShare, new JsonObject
                {
                    ["decision"] = new JsonObject { ["choice"] = "measure", ["outcome"] = "measured", ["context"] = "lab" },
                    ["dmp_trace"] = new JsonObject { ["decision_id"] = decision, ["steps"] = CipCompose.Array(["plan", "measure"]), ["evidence"] = CipCompose.Array(["log:1"]) },
                    ["retrospective"] = "fine",
                });
                await w.SyncAsync(p);
                var payload = CipWorld.Claim("measured value", causalLinks: [decision]);
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                // A decision shared by a probing peer is in causal memory.
                Expect(w, Causal, r, CipOracle.Claim(payload, Probing, [CipOracle.Trusted(a1!), CipOracle.Trusted(a2!)], causalMemory: [decision]),
                    "a claim whose causal link is a shared decision");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-while-overloaded", "§6", "No acceptance while overloaded",
            "Loads the agent with four unresolved claims (it must signal overload), gets a fifth claim confirmed by both anchors (no decision may follow), then "
            + "relieves the load by disputing the first four: the fifth must then be accepted.",
            [Local, Two, Disputed, "CIP-4-intent"], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                var q = await w.FreshAsync("loader");
                if (p is null || q is null) return w.Checks.Verdict();
                var load = new List<string>();
                for (var i = 0; i < 4; i++) load.Add(await w.ProposeAsync(q, CipWorld.Claim($"load #{i}")));
                var signal = await q.ExpectAsync(r => r.State is { Intent: "load", Presence: Presence.Overloaded });
                w.Checks.Expect(CipWorld.StateSignal, signal is not null, "a STATE_UPDATE telling its peers it is overloaded", signal?.Describe() ?? "none", signal is null);
                var busy = await w.ProbeAsync(p);
                w.Checks.Expect("CIP-4-intent", busy?.State?.Intent == "defer", "an overloaded agent defers INTENTs", busy?.Describe() ?? "no answer", busy is null);
                var payload = CipWorld.Claim("held back by load");
                (string, TrustState)[] anchors = [CipOracle.Trusted(a1!), CipOracle.Trusted(a2!)];
                var claim = await w.ProposeAsync(p, payload);
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var early = await w.ResolutionSoFarAsync(p, claim);
                Expect(w, Local, early, CipOracle.Claim(payload, Probing, anchors, overloaded: true), "while overloaded");
                foreach (var l in load) await w.Contradict(a1!, l);
                var r = await w.ResolutionAsync(p, claim);
                Expect(w, Local, r, CipOracle.Claim(payload, Probing, anchors), "once the load is gone");
                return w.Checks.Verdict();
            });
    }

    private static JsonObject WithSteps(JsonObject claim, string[] steps)
    {
        claim["dmp_trace"]!["steps"] = CipCompose.Array(steps);
        return claim;
    }
}
