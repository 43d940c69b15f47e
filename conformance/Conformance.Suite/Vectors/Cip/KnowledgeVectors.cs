// vectors/cip/knowledge.json: the anti-hallucination policy of cip.md §6 (KnowledgePolicy in the model). A claim (a
// FACT_PROPOSE payload) from a proposer of a given trust, the agent's causal memory, the confirmations and conflicts
// other peers sent (each with the voter's trust), and whether the agent itself is overloaded → accepted, disputed,
// rejected or still pending, with the condition (§6 1–5) or resolution rule (§6.1) that decided it.
// Arrival checks (KnowledgePolicy.Admit) come first: trust gate, DMP trace, sources in evidence, causal links; then
// the standing of an admitted claim (KnowledgePolicy.Resolve): trusted conflict, proposer trust, trusted
// confirmations, local load.
using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Suite.Vectors.Ltp;
using static Conformance.Suite.Vectors.Cip.CipVectorKit;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class KnowledgeVectors : IVectorTopic
{
    public string Spec => "cip";
    public string Topic => "knowledge";

    private static readonly CipIdentity Proposer = Identity("proposer", "knowledge/proposer");
    private static readonly CipIdentity Agent = Identity("agent-under-test", "knowledge/agent");

    private sealed record Vote(string Peer, TrustState Trust);

    private sealed record Scenario(
        string Comment,
        JsonObject Claim,
        TrustState ProposerTrust,
        IReadOnlyList<string> CausalMemory,
        IReadOnlyList<Vote> Confirmations,
        IReadOnlyList<Vote> Conflicts,
        bool SelfOverloaded,
        TrustState? ProposerTrustLater = null,
        string[]? Flags = null);

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "knowledge.schema.json", seed,
            "Anti-hallucination policy (cip.md §6, normative): an agent must not accept a knowledge claim unless (1) it matches or is reconcilable with causal memory, "
            + "(2) it is consistent with its DMP trace, (3) it is confirmed by >=2 trusted peers, (4) it passes trust gating, (5) the agent is not overloaded. "
            + "§6.1: 2+ trusted confirmations → accept; any trusted conflict → disputed; untrusted source → reject.",
            "input: `claim` (a FACT_PROPOSE payload, §3.3), `proposer.trust` when it arrives (and `proposerTrustLater` if it changed before the claim was "
            + "resolved), `causalMemory` (accepted claim msg_ids and shared decision_ids), `confirmations` (FACT_CONFIRM) and `conflicts` (FACT_REJECT or "
            + "FACT_CHALLENGE reason \"conflict\") as {peer, trust}, `selfOverloaded` (the agent's own LPI/LRI). "
            + "expected: `status` accepted | disputed | rejected | pending, `stage` arrival | resolution, `rule`, `condition` (1–5) and/or `resolution`, `reason`.",
            "valid: the claim is accepted. invalid: it must not be accepted (yet): rejected, disputed or still waiting — `status` says which. "
            + "The project's readings (SPEC-NOTES.md \"Anti-hallucination conditions\"): causal links must all be in causal memory; a dmp_trace with steps and "
            + "evidence is required and every fact.sources entry must appear in dmp_trace.evidence; only distinct peers trusted now count; a claim that meets "
            + "everything but load waits.")
            .Rule("Accept", VectorBugType.Basic, "CIP-6-two-confirmations", "accept the claim (FACT_CONFIRM to the proposer)", "Every other condition is met.")
            .Note("TooFewConfirmations", VectorBugType.EdgeCase, "Condition 3 \"confirmed by ≥2 trusted peers\" not yet met: the claim waits (pending).", "keep the claim pending", "CIP-6-two-confirmations")
            .Rule("Disputed", VectorBugType.ModifiedParameter, "CIP-6-disputed", "mark the claim disputed, never accept it", "A FACT_REJECT or FACT_CHALLENGE \"conflict\" from a trusted peer, whatever the confirmations.")
            .Rule("UntrustedSource", VectorBugType.AuthBypass, "CIP-6-untrusted-reject", "reject the claim (FACT_REJECT)", "A claim from an untrusted or blacklisted proposer.", "CIP-6-trust-gate")
            .Note("ProposerDemoted", VectorBugType.Ordering, "The proposer was probing or trusted when the claim arrived and became untrusted or blacklisted before it was resolved: rejected then, unless a trusted conflict disputed it first (SPEC-NOTES.md).", "reject at resolution, unless a trusted conflict disputed it first", "CIP-6-untrusted-reject")
            .Note("ProposerTrustChanged", VectorBugType.EdgeCase, "The proposer's trust changed between arrival and resolution (probing ↔ trusted) without becoming untrusted or blacklisted: the claim is judged on its votes.", "judge the claim on its votes as usual")
            .Rule("NonTrustedVoters", VectorBugType.AuthBypass, "CIP-6-trust-gate", "count neither their confirmations nor their conflicts", "Some votes come from probing, untrusted or blacklisted peers.")
            .Note("DuplicateVoter", VectorBugType.Replay, "The same peer votes twice: confirmations are counted from distinct peers.", "count the peer once", "CIP-6-two-confirmations")
            .Note("VoterBothSides", VectorBugType.EdgeCase, "The same trusted peer both confirmed and contradicted the claim: its conflict disputes it.", "dispute the claim: the conflict wins", "CIP-6-disputed")
            .Rule("DmpTrace", VectorBugType.Malformed, "CIP-6-dmp", "reject the claim on arrival", null)
            .Rule("DmpSources", VectorBugType.Reading, "CIP-6-dmp-sources", "reject the claim on arrival", null)
            .Rule("CausalMemory", VectorBugType.ModifiedParameter, "CIP-6-causal", "reject the claim on arrival", "A causal_links entry that is not in causal memory.")
            .Rule("Overloaded", VectorBugType.EdgeCase, "CIP-6-local-state", "keep the claim pending until load falls", "The agent is overloaded; the claim meets everything else.")
            .Note("CheckOrder", VectorBugType.Ordering, "Several conditions fail: the verdict names the first the reference checks (trust gate, DMP trace, sources, causal links on arrival; then trusted conflict, proposer trust, confirmations, load).", "reject; the verdict names the first condition the reference checks")
            .Note("Grid", VectorBugType.Generated, "Systematic: proposer trust × trusted confirmations (0–3) × kind of conflict × own load.", "reach the expected verdict")
            .Note("RandomScenario", VectorBugType.Generated, "A seeded random scenario (trusts, votes, provenance, load).", "reach the expected verdict");

        var r = new SeededBits(seed, "cip-knowledge");
        var shared = new JsonObject { ["agent"] = Describe(Agent, "knowledge/agent"), ["proposer"] = Describe(Proposer, "knowledge/proposer"), ["requiredConfirmations"] = KnowledgePolicy.RequiredConfirmations };

        b.Group("ResolutionGrid", shared.DeepClone().AsObject());
        var conflictKinds = new (string Name, Func<int, Vote[]> Votes)[]
        {
            ("no conflict", _ => []),
            ("one trusted conflict", _ => [new("peer-trusted-x", TrustState.Trusted)]),
            ("two trusted conflicts", _ => [new("peer-trusted-x", TrustState.Trusted), new("peer-trusted-y", TrustState.Trusted)]),
            ("a probing conflict", _ => [new("peer-probing-x", TrustState.Probing)]),
            ("untrusted and blacklisted conflicts", _ => [new("peer-untrusted-x", TrustState.Untrusted), new("peer-blacklisted-x", TrustState.Blacklisted)]),
        };
        foreach (var proposer in new[] { TrustState.Probing, TrustState.Trusted })
            foreach (var confirmations in new[] { 0, 1, 2, 3 })
                foreach (var (conflictName, conflicts) in conflictKinds)
                    foreach (var overloaded in new[] { false, true })
                    {
                        var votes = Enumerable.Range(1, confirmations).Select(i => new Vote($"peer-trusted-{i}", TrustState.Trusted)).ToArray();
                        Add(b, new Scenario($"{proposer.Wire()} proposer, {confirmations} trusted confirmation(s), {conflictName}, agent {(overloaded ? "overloaded" : "not overloaded")}",
                            GoodClaim(r, []), proposer, [], votes, conflicts(0), overloaded, Flags: ["Grid"]));
                    }

        b.Group("TrustGate", shared.DeepClone().AsObject());
        foreach (var proposer in new[] { TrustState.Untrusted, TrustState.Blacklisted })
            foreach (var confirmations in new[] { 0, 2, 3 })
                foreach (var conflict in new[] { false, true })
                    foreach (var overloaded in new[] { false, true })
                    {
                        var votes = Enumerable.Range(1, confirmations).Select(i => new Vote($"peer-trusted-{i}", TrustState.Trusted)).ToArray();
                        Vote[] against = conflict ? [new("peer-trusted-x", TrustState.Trusted)] : [];
                        Add(b, new Scenario($"{proposer.Wire()} proposer, {confirmations} trusted confirmations{(conflict ? ", a trusted conflict" : "")}{(overloaded ? ", agent overloaded" : "")}",
                            GoodClaim(r, []), proposer, [], votes, against, overloaded));
                    }
        {
            var link = Uuid(r);
            Add(b, new Scenario("untrusted proposer and no dmp_trace: the trust gate decides", Claim("no trace", Uuid(r), ["s1"], [], withTrace: false), TrustState.Untrusted, [],
                Twice(), [], false, Flags: ["CheckOrder"]));
            Add(b, new Scenario("blacklisted proposer and an unknown causal link: the trust gate decides", GoodClaim(r, [link]), TrustState.Blacklisted, [], Twice(), [], false, Flags: ["CheckOrder"]));
        }

        b.Group("Voters", shared.DeepClone().AsObject());
        foreach (var proposer in new[] { TrustState.Probing, TrustState.Trusted })
        {
            Add(b, new Scenario("one trusted and one probing confirmation", GoodClaim(r, []), proposer, [],
                [new("peer-trusted-1", TrustState.Trusted), new("peer-probing-1", TrustState.Probing)], [], false));
            Add(b, new Scenario("five confirmations from probing, untrusted and blacklisted peers", GoodClaim(r, []), proposer, [],
                [new("peer-probing-1", TrustState.Probing), new("peer-probing-2", TrustState.Probing), new("peer-untrusted-1", TrustState.Untrusted),
                 new("peer-untrusted-2", TrustState.Untrusted), new("peer-blacklisted-1", TrustState.Blacklisted)], [], false));
            Add(b, new Scenario("two trusted confirmations among three non-trusted ones", GoodClaim(r, []), proposer, [],
                [new("peer-untrusted-1", TrustState.Untrusted), new("peer-trusted-1", TrustState.Trusted), new("peer-probing-1", TrustState.Probing),
                 new("peer-trusted-2", TrustState.Trusted), new("peer-blacklisted-1", TrustState.Blacklisted)], [], false));
            Add(b, new Scenario("the same trusted peer confirms twice", GoodClaim(r, []), proposer, [],
                [new("peer-trusted-1", TrustState.Trusted), new("peer-trusted-1", TrustState.Trusted)], [], false, Flags: ["DuplicateVoter"]));
            Add(b, new Scenario("the same trusted peer confirms three times, a second trusted peer once", GoodClaim(r, []), proposer, [],
                [new("peer-trusted-1", TrustState.Trusted), new("peer-trusted-1", TrustState.Trusted), new("peer-trusted-2", TrustState.Trusted), new("peer-trusted-1", TrustState.Trusted)], [], false, Flags: ["DuplicateVoter"]));
            Add(b, new Scenario("the same trusted peer contradicts twice, nobody confirms", GoodClaim(r, []), proposer, [],
                [], [new("peer-trusted-x", TrustState.Trusted), new("peer-trusted-x", TrustState.Trusted)], false, Flags: ["DuplicateVoter"]));
            Add(b, new Scenario("three trusted confirmations, one of those peers also contradicts", GoodClaim(r, []), proposer, [],
                Thrice(), [new("peer-trusted-2", TrustState.Trusted)], false, Flags: ["VoterBothSides"]));
            Add(b, new Scenario("two trusted confirmations, a probing and an untrusted conflict", GoodClaim(r, []), proposer, [],
                Twice(), [new("peer-probing-x", TrustState.Probing), new("peer-untrusted-x", TrustState.Untrusted)], false));
            Add(b, new Scenario("ten trusted confirmations and one trusted conflict", GoodClaim(r, []), proposer, [],
                [.. Enumerable.Range(1, 10).Select(i => new Vote($"peer-trusted-{i}", TrustState.Trusted))], [new("peer-trusted-x", TrustState.Trusted)], false));
            Add(b, new Scenario("two trusted confirmations, agent overloaded, a trusted conflict too", GoodClaim(r, []), proposer, [],
                Twice(), [new("peer-trusted-x", TrustState.Trusted)], true, Flags: ["CheckOrder"]));
        }

        b.Group("Provenance", shared.DeepClone().AsObject());
        var known = new[] { Uuid(r), Uuid(r), Uuid(r) };
        foreach (var proposer in new[] { TrustState.Probing, TrustState.Trusted })
        {
            var d = Uuid(r);
            var cases = new (string What, JsonObject Claim, string[] Flags)[]
            {
                ("no dmp_trace", Claim("no trace", d, ["obs:1"], [], withTrace: false), ["DmpTrace"]),
                ("dmp_trace with no steps", Claim("no steps", d, ["obs:1"], [], steps: []), ["DmpTrace"]),
                ("dmp_trace with no evidence (and no sources)", Claim("no evidence", d, [], [], evidence: []), ["DmpTrace"]),
                ("dmp_trace with steps and evidence, no sources", Claim("no sources", d, [], [], evidence: ["obs:1"]), []),
                ("one of two sources missing from dmp_trace.evidence", Claim("half cited", d, ["obs:1", "obs:2"], [], evidence: ["obs:1"]), ["DmpSources"]),
                ("no source in dmp_trace.evidence", Claim("uncited", d, ["obs:1"], [], evidence: ["obs:9"]), ["DmpSources"]),
                ("a source differing from the evidence only by case", Claim("case", d, ["Obs:1"], [], evidence: ["obs:1"]), ["DmpSources"]),
                ("evidence a superset of the sources", Claim("superset", d, ["obs:1"], [], evidence: ["obs:1", "obs:2", "obs:3"]), []),
                ("every causal link in causal memory", Claim("linked", d, ["obs:1"], [known[0], known[2]]), []),
                ("one causal link not in causal memory", Claim("dangling", d, ["obs:1"], [known[0], Uuid(r)]), ["CausalMemory"]),
                ("a causal link that is not even a UUID", Claim("odd link", d, ["obs:1"], ["because"]), ["CausalMemory"]),
                ("three causal links, all in causal memory", Claim("three links", d, ["obs:1"], known), []),
                ("no sources in evidence and an unknown causal link: the sources check decides", Claim("two faults", d, ["obs:1"], [Uuid(r)], evidence: ["obs:2"]), ["DmpSources", "CheckOrder"]),
                ("no dmp_trace and an unknown causal link: the trace check decides", Claim("two faults", d, ["obs:1"], [Uuid(r)], withTrace: false), ["DmpTrace", "CheckOrder"]),
            };
            foreach (var (what, claim, flags) in cases)
                Add(b, new Scenario($"{proposer.Wire()} proposer, two trusted confirmations: {what}", claim, proposer, known, Twice(), [], false, Flags: flags));
        }

        b.Group("ProposerTrustChanges", shared.DeepClone().AsObject());
        foreach (var (from, to) in new[] { (TrustState.Probing, TrustState.Untrusted), (TrustState.Trusted, TrustState.Blacklisted), (TrustState.Probing, TrustState.Blacklisted), (TrustState.Trusted, TrustState.Untrusted) })
        {
            Add(b, new Scenario($"{from.Wire()} at arrival, {to.Wire()} at resolution, two trusted confirmations", GoodClaim(r, []), from, [], Twice(), [], false, to, ["ProposerDemoted"]));
            Add(b, new Scenario($"{from.Wire()} at arrival, {to.Wire()} at resolution, no confirmation", GoodClaim(r, []), from, [], [], [], false, to, ["ProposerDemoted"]));
            Add(b, new Scenario($"{from.Wire()} at arrival, {to.Wire()} at resolution, a trusted conflict", GoodClaim(r, []), from, [], Twice(), [new("peer-trusted-x", TrustState.Trusted)], false, to, ["ProposerDemoted", "CheckOrder"]));
        }
        foreach (var (from, to) in new[] { (TrustState.Probing, TrustState.Trusted), (TrustState.Trusted, TrustState.Probing) })
        {
            Add(b, new Scenario($"{from.Wire()} at arrival, {to.Wire()} at resolution, two trusted confirmations", GoodClaim(r, []), from, [], Twice(), [], false, to, ["ProposerTrustChanged"]));
            Add(b, new Scenario($"{from.Wire()} at arrival, {to.Wire()} at resolution, one trusted confirmation", GoodClaim(r, []), from, [], Once(), [], false, to, ["ProposerTrustChanged"]));
        }

        b.Group("RandomScenarios", shared.DeepClone().AsObject());
        var trusts = Enum.GetValues<TrustState>();
        for (var i = 0; i < 60; i++)
        {
            var proposer = Pick(r, 5) == 0 ? Pick(r, trusts) : Pick(r, 2) == 0 ? TrustState.Probing : TrustState.Trusted;
            var peers = Enumerable.Range(1, 6).Select(k => new Vote($"peer-{k}", Pick(r, 3) == 0 ? Pick(r, trusts) : TrustState.Trusted)).ToArray();
            var confirm = peers.Where(_ => Pick(r, 2) == 0).ToArray();
            var against = peers.Where(p => !confirm.Contains(p) && Pick(r, 6) == 0).ToArray();
            var memory = Enumerable.Range(0, Pick(r, 4)).Select(_ => Uuid(r)).ToArray();
            var links = memory.Where(_ => Pick(r, 2) == 0).Concat(Pick(r, 8) == 0 ? [Uuid(r)] : []).ToArray();
            var sources = Enumerable.Range(1, Pick(r, 3)).Select(k => $"obs:{k}").ToArray();
            var evidence = Pick(r, 8) == 0 ? sources.Skip(1).ToArray() : [.. sources, "obs:extra"];
            var claim = Claim($"random claim {i + 1}", Uuid(r), sources, links, Pick(r, 101) / 100.0, withTrace: Pick(r, 10) != 0, steps: Pick(r, 10) == 0 ? [] : ["observe", "infer"], evidence: evidence);
            Add(b, new Scenario($"seeded scenario #{i + 1}", claim, proposer, memory, confirm, against, Pick(r, 5) == 0, Flags: ["RandomScenario"]));
        }
        return b.Build();
    }

    private static Vote[] Once() => [new("peer-trusted-1", TrustState.Trusted)];
    private static Vote[] Twice() => [new("peer-trusted-1", TrustState.Trusted), new("peer-trusted-2", TrustState.Trusted)];
    private static Vote[] Thrice() => [.. Twice(), new("peer-trusted-3", TrustState.Trusted)];

    private static JsonObject GoodClaim(SeededBits r, string[] links) =>
        Claim("the cache was stale at " + Pick(r, 1000), Uuid(r), ["log:cache", "metric:hit-rate"], links, 0.8, evidence: ["log:cache", "metric:hit-rate"]);

    /// <summary>The claim as the model reads it: a FACT_PROPOSE envelope signed by the proposer, parsed and its payload read.</summary>
    private static FactProposal Read(JsonObject claim)
    {
        var u = CipCompose.Unsigned(Proposer, PeerOf(Agent), CipType.FactPropose, claim.DeepClone().AsObject(), "0b4f5d1e-7a3c-4e2b-9d8f-1a2b3c4d5e6f", T0, TrustState.Trusted.Wire(), "unknown", Calm);
        var (e, error) = CipEnvelopes.Parse(CipSigning.Sign(u, Proposer.Key));
        if (e is null || CipSigning.Verify(e) is not null) throw new InvalidOperationException("cip/knowledge: claim envelope refused: " + error);
        var (payload, perr) = CipPayloads.Read(e);
        return payload as FactProposal ?? throw new InvalidOperationException("cip/knowledge: claim payload refused: " + perr);
    }

    private static void Add(VectorFileBuilder b, Scenario s)
    {
        var (status, stage, rule, condition, resolution, reason) = KnowledgePolicy.Judge(Read(s.Claim), s.ProposerTrust, s.ProposerTrustLater,
            s.CausalMemory.ToHashSet(StringComparer.Ordinal), [.. s.Confirmations.Select(v => (v.Peer, v.Trust))], [.. s.Conflicts.Select(v => (v.Peer, v.Trust))],
            s.SelfOverloaded);

        var flags = new List<string>();
        flags.Add(rule switch
        {
            KnowledgePolicy.UntrustedSource when stage == KnowledgeStage.Arrival => "UntrustedSource",
            KnowledgePolicy.UntrustedSource => "ProposerDemoted",
            KnowledgePolicy.Dmp => "DmpTrace",
            KnowledgePolicy.DmpSources => "DmpSources",
            KnowledgePolicy.Causal => "CausalMemory",
            KnowledgePolicy.LocalState => "Overloaded",
            KnowledgePolicy.Disputed => "Disputed",
            _ => status == FactStatus.Accepted ? "Accept" : "TooFewConfirmations",
        });
        if (s.Confirmations.Concat(s.Conflicts).Any(v => v.Trust != TrustState.Trusted)) flags.Add("NonTrustedVoters");
        if (s.Flags is not null) flags.AddRange(s.Flags);
        flags = [.. flags.Distinct()];

        var fields = new JsonObject
        {
            ["claim"] = s.Claim.DeepClone(),
            ["proposerTrust"] = s.ProposerTrust.Wire(),
        };
        if (s.ProposerTrustLater is { } later) fields["proposerTrustLater"] = later.Wire();
        fields["causalMemory"] = Arr(s.CausalMemory);
        fields["confirmations"] = Votes(s.Confirmations);
        fields["conflicts"] = Votes(s.Conflicts);
        fields["selfOverloaded"] = s.SelfOverloaded;
        fields["status"] = status.Wire();
        fields["stage"] = stage.Wire();
        fields["rule"] = rule;
        if (condition is { } c) fields["condition"] = (int)c;
        if (resolution is { } res) fields["resolution"] = res.Wire();
        fields["reason"] = reason;
        b.Test($"{s.Comment} → {status.Wire()} ({reason})", status == FactStatus.Accepted ? VectorResult.Valid : VectorResult.Invalid, fields, [.. flags]);
    }

    private static JsonArray Votes(IEnumerable<Vote> votes) =>
        new([.. votes.Select(v => (JsonNode)new JsonObject { ["peer"] = v.Peer, ["trust"] = v.Trust.Wire() })]);
}
