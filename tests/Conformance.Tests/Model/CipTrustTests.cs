// The trust FSM of cip.md §5.2 (exactly its six rows, every other pair a self-loop) and the anti-hallucination policy
// of §6: KnowledgePolicy.Admit (conditions 1, 2, 4 on arrival) and KnowledgePolicy.Resolve (§6.1 and conditions 3–5).
using Conformance.Model.Cip;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class CipTrustTests
{
    /// <summary>cip.md §5.2, copied row for row (independently of TrustFsm.Table).</summary>
    private static readonly (TrustState From, TrustEvent Event, TrustState To)[] SpecTable =
    [
        (TrustState.Untrusted, TrustEvent.ValidHandshake, TrustState.Probing),
        (TrustState.Probing, TrustEvent.VerifiedKnowledge, TrustState.Trusted),
        (TrustState.Probing, TrustEvent.ConflictOrUnverifiable, TrustState.Untrusted),
        (TrustState.Trusted, TrustEvent.SevereConflict, TrustState.Blacklisted),
        (TrustState.Trusted, TrustEvent.TemporaryAnomaly, TrustState.Probing),
        (TrustState.Blacklisted, TrustEvent.ManualOverride, TrustState.Probing),
    ];

    private static string Show(IEnumerable<(TrustState From, TrustEvent Event, TrustState To)> rows) =>
        string.Join("; ", rows.Select(r => $"{r.From.Wire()} --{r.Event}--> {r.To.Wire()}"));

    // ---- Admit ------------------------------------------------------------------------------------------------------

    private const string DecisionId = "1d2c3b4a-5e6f-4a7b-9c8d-0e1f2a3b4c5d";

    private static FactProposal Proposal(string[]? sources = null, string[]? steps = null, string[]? evidence = null, string[]? links = null, bool trace = true) =>
        new("the sky is blue", "test", 0.8, sources ?? ["s1", "s2"],
            trace ? new DmpTrace(DecisionId, steps ?? ["observe"], evidence ?? ["s1", "s2", "extra"]) : null, links ?? []);

    private static readonly IReadOnlySet<string> NoMemory = new HashSet<string>();

    private static void Admitted(FactProposal p, TrustState source, IReadOnlySet<string> memory, string what)
    {
        var e = KnowledgePolicy.Admit(p, source, memory);
        Expect.isTrue(e is null, $"{what}: admitted, got {e}");
    }

    private static void NotAdmitted(FactProposal p, TrustState source, IReadOnlySet<string> memory, string rule, string what) =>
        Expect.equal(KnowledgePolicy.Admit(p, source, memory)?.Rule, rule, what);

    // ---- Resolve ----------------------------------------------------------------------------------------------------

    private static FactRecord Fact(string[]? confirmers = null, string[]? conflicters = null, FactStatus status = FactStatus.Pending) =>
        new("6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b", "proposer", Proposal(), status,
            [.. confirmers ?? []], [.. conflicters ?? []]);

    /// <summary>Trusted: t1..t3 and the proposer; everyone else (u1, b1, p1...) is not.</summary>
    private static bool Trusted(string id) => id is "t1" or "t2" or "t3" or "proposer";

    private static (FactStatus Status, string Rule) Resolve(FactRecord f, TrustState proposer = TrustState.Probing, bool overloaded = false)
    {
        var (status, rule, _) = KnowledgePolicy.Resolve(f, proposer, Trusted, overloaded);
        return (status, rule);
    }

    public static Test Tests() => TestList("model.cip.trust", new Test[]
    {
        TestList("fsm", new Test[]
        {
            TestCase("the table is exactly the six rows of §5.2, in order", () =>
            {
                Expect.equal(TrustFsm.Table.Count, 6, "six rows");
                Expect.equal(Show(TrustFsm.Table), Show(SpecTable), "rows");
            }),
            TestCase("four states and six events, as §5.1 and §5.2 name them", () =>
            {
                Expect.equal(string.Join(",", Enum.GetValues<TrustState>().Select(s => s.Wire())), "untrusted,probing,trusted,blacklisted", "states");
                Expect.equal(Enum.GetValues<TrustEvent>().Length, 6, "events");
                Expect.equal(SpecTable.Select(r => r.Event).Distinct().Count(), 6, "each event in exactly one row");
            }),
            TestCase("Next follows every row", () =>
            {
                foreach (var (from, ev, to) in SpecTable) Expect.equal(TrustFsm.Next(from, ev), to, $"{from} {ev}");
            }),
            TestCase("every (state, event) pair outside the table leaves the state unchanged", () =>
            {
                var loops = 0;
                foreach (var s in Enum.GetValues<TrustState>())
                    foreach (var ev in Enum.GetValues<TrustEvent>())
                    {
                        if (SpecTable.Any(r => r.From == s && r.Event == ev)) continue;
                        Expect.equal(TrustFsm.Next(s, ev), s, $"{s.Wire()} on {ev}");
                        loops++;
                    }
                Expect.equal(loops, 4 * 6 - 6, "18 self-loops checked");
            }),
            TestCase("nothing leads out of blacklisted but the manual override; nothing but a handshake out of untrusted", () =>
            {
                foreach (var ev in Enum.GetValues<TrustEvent>().Where(e => e != TrustEvent.ManualOverride))
                    Expect.equal(TrustFsm.Next(TrustState.Blacklisted, ev), TrustState.Blacklisted, "blacklisted on " + ev);
                foreach (var ev in Enum.GetValues<TrustEvent>().Where(e => e != TrustEvent.ValidHandshake))
                    Expect.equal(TrustFsm.Next(TrustState.Untrusted, ev), TrustState.Untrusted, "untrusted on " + ev);
            }),
            TestCase("the wire names round-trip", () =>
            {
                foreach (var s in Enum.GetValues<TrustState>())
                {
                    Expect.isTrue(CipNames.TryTrust(s.Wire(), out var back) && back == s, s.Wire());
                }
                Expect.isFalse(CipNames.TryTrust("unknown", out _), "unknown is not a trust state");
                Expect.isFalse(CipNames.TryTrust("Trusted", out _), "case matters");
            }),
        }),

        TestList("admit", new Test[]
        {
            TestCase("untrusted or blacklisted source → CIP-6-untrusted-reject, before anything else", () =>
            {
                foreach (var s in new[] { TrustState.Untrusted, TrustState.Blacklisted })
                {
                    NotAdmitted(Proposal(), s, NoMemory, KnowledgePolicy.UntrustedSource, s.Wire() + ", good claim");
                    NotAdmitted(Proposal(trace: false), s, NoMemory, KnowledgePolicy.UntrustedSource, s.Wire() + ", no trace");
                }
            }),
            TestCase("probing and trusted sources with a complete trace are admitted", () =>
            {
                Admitted(Proposal(), TrustState.Probing, NoMemory, "probing");
                Admitted(Proposal(), TrustState.Trusted, NoMemory, "trusted");
                Admitted(Proposal(sources: []), TrustState.Probing, NoMemory, "no sources to account for");
            }),
            TestCase("no trace, empty steps or empty evidence → CIP-6-dmp", () =>
            {
                NotAdmitted(Proposal(trace: false), TrustState.Trusted, NoMemory, KnowledgePolicy.Dmp, "no trace");
                NotAdmitted(Proposal(steps: []), TrustState.Trusted, NoMemory, KnowledgePolicy.Dmp, "no steps");
                NotAdmitted(Proposal(sources: [], evidence: []), TrustState.Trusted, NoMemory, KnowledgePolicy.Dmp, "no evidence");
            }),
            TestCase("a source missing from the evidence → CIP-6-dmp-sources", () =>
            {
                NotAdmitted(Proposal(sources: ["s1", "s9"]), TrustState.Trusted, NoMemory, KnowledgePolicy.DmpSources, "s9 not in evidence");
                NotAdmitted(Proposal(sources: ["S1"]), TrustState.Trusted, NoMemory, KnowledgePolicy.DmpSources, "case-sensitive");
                var e = KnowledgePolicy.Admit(Proposal(sources: ["s1", "s9", "s8"]), TrustState.Probing, NoMemory);
                Expect.isTrue(e!.Detail.Contains("s9") && e.Detail.Contains("s8") && !e.Detail.Contains("s1,"), $"names the missing sources: {e.Detail}");
            }),
            TestCase("an unknown causal link → CIP-6-causal; a known one is admitted", () =>
            {
                var memory = new HashSet<string> { "fact-1", "decision-2" };
                NotAdmitted(Proposal(links: ["fact-9"]), TrustState.Trusted, NoMemory, KnowledgePolicy.Causal, "empty memory");
                NotAdmitted(Proposal(links: ["fact-1", "fact-9"]), TrustState.Trusted, memory, KnowledgePolicy.Causal, "one of two unknown");
                Admitted(Proposal(links: ["fact-1"]), TrustState.Trusted, memory, "known fact");
                Admitted(Proposal(links: ["fact-1", "decision-2"]), TrustState.Probing, memory, "both known");
            }),
            TestCase("the trace is checked before causal memory", () =>
                NotAdmitted(Proposal(trace: false, links: ["fact-9"]), TrustState.Trusted, NoMemory, KnowledgePolicy.Dmp, "both wrong")),
        }),

        TestList("resolve", new Test[]
        {
            TestCase("0 or 1 trusted confirmation → pending", () =>
            {
                Expect.equal(Resolve(Fact()), (FactStatus.Pending, KnowledgePolicy.TwoConfirmations), "none");
                Expect.equal(Resolve(Fact(["t1"])), (FactStatus.Pending, KnowledgePolicy.TwoConfirmations), "one");
            }),
            TestCase("2 trusted confirmations → accepted", () =>
            {
                Expect.equal(Resolve(Fact(["t1", "t2"])), (FactStatus.Accepted, KnowledgePolicy.TwoConfirmations), "two");
                Expect.equal(Resolve(Fact(["t1", "t2", "t3"]), TrustState.Trusted), (FactStatus.Accepted, KnowledgePolicy.TwoConfirmations), "three, trusted proposer");
            }),
            TestCase("confirmations from untrusted voters are not counted", () =>
            {
                Expect.equal(Resolve(Fact(["t1", "u1"])).Status, FactStatus.Pending, "one trusted, one not");
                Expect.equal(Resolve(Fact(["u1", "u2", "b1", "p1"])).Status, FactStatus.Pending, "four untrusted");
                var (_, _, reason) = KnowledgePolicy.Resolve(Fact(["t1", "u1", "u2"]), TrustState.Probing, Trusted, false);
                Expect.isTrue(reason.StartsWith("1 ", StringComparison.Ordinal), $"counted one: {reason}");
            }),
            TestCase("any trusted conflict → disputed, even with 2 confirmations", () =>
            {
                Expect.equal(Resolve(Fact(conflicters: ["t3"])), (FactStatus.Disputed, KnowledgePolicy.Disputed), "alone");
                Expect.equal(Resolve(Fact(["t1", "t2"], ["t3"])), (FactStatus.Disputed, KnowledgePolicy.Disputed), "with two confirmations");
                Expect.equal(Resolve(Fact(["t1", "t2"], ["t3"]), overloaded: true).Status, FactStatus.Disputed, "overloaded too");
            }),
            TestCase("an untrusted conflict is not a dispute", () =>
            {
                Expect.equal(Resolve(Fact(["t1", "t2"], ["u1", "b1"])).Status, FactStatus.Accepted, "untrusted conflicters ignored");
                Expect.equal(Resolve(Fact(conflicters: ["u1"])).Status, FactStatus.Pending, "still pending");
            }),
            TestCase("untrusted or blacklisted proposer → rejected, even with 2 confirmations", () =>
            {
                Expect.equal(Resolve(Fact(["t1", "t2"]), TrustState.Untrusted), (FactStatus.Rejected, KnowledgePolicy.UntrustedSource), "untrusted");
                Expect.equal(Resolve(Fact(), TrustState.Blacklisted), (FactStatus.Rejected, KnowledgePolicy.UntrustedSource), "blacklisted");
            }),
            TestCase("overloaded → pending with CIP-6-local-state; accepted once not overloaded", () =>
            {
                Expect.equal(Resolve(Fact(["t1", "t2"]), overloaded: true), (FactStatus.Pending, KnowledgePolicy.LocalState), "overloaded");
                Expect.equal(Resolve(Fact(["t1"]), overloaded: true), (FactStatus.Pending, KnowledgePolicy.TwoConfirmations), "one confirmation: still short of votes");
                Expect.equal(Resolve(Fact(["t1", "t2"]), overloaded: false).Status, FactStatus.Accepted, "load fell");
            }),
            TestCase("a resolved fact stays as it is", () =>
            {
                foreach (var s in new[] { FactStatus.Accepted, FactStatus.Disputed, FactStatus.Rejected })
                {
                    Expect.equal(Resolve(Fact(conflicters: ["t1"], status: s), TrustState.Untrusted).Status, s, s + " with a conflict");
                    Expect.equal(Resolve(Fact(["t1", "t2"], status: s)).Status, s, s + " with confirmations");
                }
            }),
            TestCase("trust is read now: a voter who lost trust no longer counts", () =>
            {
                var f = Fact(["t1", "x"]);
                Expect.equal(KnowledgePolicy.Resolve(f, TrustState.Probing, id => id is "t1" or "x", false).Status, FactStatus.Accepted, "x trusted");
                Expect.equal(KnowledgePolicy.Resolve(f, TrustState.Probing, id => id is "t1", false).Status, FactStatus.Pending, "x no longer trusted");
            }),
            TestCase("two trusted confirmations are the threshold (§6 condition 3)", () =>
                Expect.equal(KnowledgePolicy.RequiredConfirmations, 2, "≥2 trusted peers")),
        }),
    });
}
