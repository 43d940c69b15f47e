// §6 Anti-hallucination policy (normative) — "An agent must not accept a knowledge claim unless: 1. causal memory,
// 2. DMP-trace, 3. ≥2 trusted peers, 4. trust gating, 5. local state." §6.1 "2+ trusted confirmations → accept ·
// Any trusted conflict → mark as disputed · Untrusted source → reject". The agent's decision is the FACT_* it sends
// to the proposer; "no decision yet" is silence for a quiet window.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using static Conformance.Suite.Cip.CipCase;

namespace Conformance.Suite.Cip;

internal static class S6_AntiHallucination
{
    private const string Two = "CIP-6-two-confirmations", Gate = "CIP-6-trust-gate", Untrusted = "CIP-6-untrusted-reject", Disputed = "CIP-6-disputed";
    private const string Dmp = "CIP-6-dmp", Sources = "CIP-6-dmp-sources", Causal = "CIP-6-causal", Local = "CIP-6-local-state";

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-fact-two-confirmations", "§6", "One trusted confirmation is not enough",
            "A probing peer's claim gets one anchor's confirmation (no decision may follow), then the other's (FACT_CONFIRM must follow).",
            [Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("ice floats"));
                await w.Confirm(a1!, claim);
                var early = await w.ResolutionAsync(p, claim, w.Quiet * 2);
                w.Checks.Expect(Two, early is null, "no decision after one trusted confirmation", early?.Describe() ?? "none");
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Two, r?.Type == CipType.FactConfirm, "FACT_CONFIRM after the second", r?.Describe() ?? "no resolution", r is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-self-confirmation", "§6", "A proposer's own confirmation does not count",
            "A peer made trusted proposes a claim, confirms it itself, and one anchor confirms: no decision; the second anchor's confirmation accepts it.",
            [Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null || !await w.PromoteAsync(p, a1!, a2!, Two)) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("salt dissolves"));
                await w.Confirm(p, claim);
                await w.Confirm(a1!, claim);
                var early = await w.ResolutionAsync(p, claim, w.Quiet * 2);
                w.Checks.Expect(Two, early is null, "no decision: the proposer's own vote plus one other is one confirmation", early?.Describe() ?? "none");
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Two, r?.Type == CipType.FactConfirm, "FACT_CONFIRM after the second independent confirmation", r?.Describe() ?? "no resolution", r is null);
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
                var claim = await w.ProposeAsync(p, CipWorld.Claim("the moon is cheese"));
                await w.Confirm(q1, claim);
                await w.Confirm(q2, claim);
                var early = await w.ResolutionAsync(p, claim, w.Quiet * 2);
                w.Checks.Expect(Gate, early is null, "no decision: probing peers' confirmations are not counted", early?.Describe() ?? "none");
                await w.Contradict(a1!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Disputed, r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict) after a trusted contradiction", r?.Describe() ?? "no resolution", r is null);
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
                var claim = await w.ProposeAsync(p, CipWorld.Claim("fire is hot"));
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Untrusted, r?.Type == CipType.FactReject, "FACT_REJECT: untrusted source", r?.Describe() ?? "no resolution", r is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fact-disputed", "§6.1", "A trusted conflict disputes a confirmed claim",
            "A probing peer's claim gets one anchor's confirmation and the other's contradiction: FACT_CHALLENGE (conflict), never FACT_CONFIRM.",
            [Disputed], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                if (p is null) return w.Checks.Verdict();
                var claim = await w.ProposeAsync(p, CipWorld.Claim("glass is a liquid"));
                await w.Confirm(a1!, claim);
                await w.Contradict(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Disputed, r?.Type == CipType.FactChallenge, "FACT_CHALLENGE (conflict)", r?.Describe() ?? "no resolution", r is null);
                var later = await w.ResolutionAsync(p, claim, w.Quiet);
                w.Checks.Expect(Disputed, later is null, "no other decision follows", later?.Describe() ?? "none");
                return w.Checks.Verdict();
            });

        (string Id, string What, JsonObject Claim, string Requirement)[] refused =
        [
            ("no-trace", "without a DMP trace", CipWorld.Claim("no provenance", withTrace: false), Dmp),
            ("empty-steps", "whose DMP trace has no steps", WithSteps(CipWorld.Claim("no steps"), []), Dmp),
            ("empty-evidence", "whose DMP trace has no evidence", CipWorld.Claim("no evidence", evidence: []), Dmp),
            ("sources-outside-evidence", "whose sources are not in its trace's evidence", CipWorld.Claim("unsourced", sources: ["paper:a"], evidence: ["paper:b"]), Sources),
            ("unknown-causal-link", "linked to a claim nobody made", CipWorld.Claim("orphan", causalLinks: ["0b5c6f0e-4a5e-4f5e-9b1e-6a7d1b2c3d4e"]), Causal),
        ];
        foreach (var c in refused)
            yield return Agent($"CIP-A-fact-{c.Id}", "§6", $"Claim {c.What}", $"A probing peer proposes a claim {c.What}: FACT_REJECT.",
                [c.Requirement], async w =>
                {
                    var p = await w.FreshAsync("peer");
                    if (p is null) return w.Checks.Verdict();
                    var claim = await w.ProposeAsync(p, (JsonObject)c.Claim.DeepClone());
                    var r = await w.ResolutionAsync(p, claim);
                    w.Checks.Expect(c.Requirement, r?.Type == CipType.FactReject, $"FACT_REJECT for a claim {c.What}", r?.Describe() ?? "no resolution", r is null);
                    return w.Checks.Verdict();
                });

        yield return Agent("CIP-A-fact-known-causal-link", "§6", "Claim linked to an accepted claim",
            "One peer's claim is accepted; a second peer's claim linked to it is confirmed by both anchors and must be accepted.",
            [Causal, Two], async w =>
            {
                var (p, a1, a2) = await w.CastAsync();
                var q = await w.FreshAsync("peer");
                if (p is null || q is null) return w.Checks.Verdict();
                var basis = await w.ProposeAsync(p, CipWorld.Claim("the basis"));
                await w.Confirm(a1!, basis);
                await w.Confirm(a2!, basis);
                var first = await w.ResolutionAsync(p, basis);
                if (!w.Checks.Expect(Two, first?.Type == CipType.FactConfirm, "the basis claim is accepted", first?.Describe() ?? "no resolution", first is null))
                    return w.Checks.Verdict();
                var claim = await w.ProposeAsync(q, CipWorld.Claim("built on the basis", causalLinks: [basis]));
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(q, claim);
                w.Checks.Expect(Causal, r?.Type == CipType.FactConfirm, "a claim whose causal link is an accepted claim is accepted", r?.Describe() ?? "no resolution", r is null);
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
                var claim = await w.ProposeAsync(p, CipWorld.Claim("measured value", causalLinks: [decision]));
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Causal, r?.Type == CipType.FactConfirm, "a claim whose causal link is a shared decision is accepted", r?.Describe() ?? "no resolution", r is null);
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
                var claim = await w.ProposeAsync(p, CipWorld.Claim("held back by load"));
                await w.Confirm(a1!, claim);
                await w.Confirm(a2!, claim);
                var early = await w.ResolutionAsync(p, claim, w.Quiet * 2);
                w.Checks.Expect(Local, early is null, "no decision while overloaded", early?.Describe() ?? "none");
                foreach (var l in load) await w.Contradict(a1!, l);
                var r = await w.ResolutionAsync(p, claim);
                w.Checks.Expect(Local, r?.Type == CipType.FactConfirm, "FACT_CONFIRM once the load is gone", r?.Describe() ?? "no resolution", r is null);
                return w.Checks.Verdict();
            });
    }

    private static JsonObject WithSteps(JsonObject claim, string[] steps)
    {
        claim["dmp_trace"]!["steps"] = CipCompose.Array(steps);
        return claim;
    }
}
