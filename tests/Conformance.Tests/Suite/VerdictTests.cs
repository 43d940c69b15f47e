// How checks become outcomes, requirement statuses, the checklist and the exit code: a requirement a case could not
// judge because an earlier step failed is "not verified (blocked by …)", never a failure of its own; a run that is
// not Ratified exits 4 even when no must failed, so it cannot pass a CI gate.
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class VerdictTests
{
    // A two-item catalog: item A has two must rules (a gate and what it guards), item B one must rule.
    private static readonly Catalog Cat = new("lhs", "test",
        [new("T-CL-1", "§1", "A", "a"), new("T-CL-2", "§2", "B", "b")],
        [
            new("T-gate", Level.Must, "§1", "T-CL-1", Roles.Server, "gate", "the step everything needs"),
            new("T-guarded", Level.Must, "§1", "T-CL-2", Roles.Server, "guarded", "what the case exists to judge"),
            new("T-other", Level.Must, "§2", "T-CL-2", Roles.Server, "other", "another rule"),
        ]);

    private static readonly RunSettings Settings = new(1, TimeSpan.FromMilliseconds(200));

    private static CaseDef Case(string id, string[] requirements, Func<Checks, Verdict> run) =>
        new(id, "lhs", IutRole.Server, "§1", id, "test", requirements, _ => Task.FromResult(run(new Checks())));

    private static Task<CaseResult> Run(CaseDef def) => CaseExecutor.RunAsync(def, Cat, Settings, null, null, default);

    private static RunResult Summarise(params CaseResult[] cases) =>
        Summary.Build(new RunManifest("t", "0", null, ["lhs"], ["server"], "websocket", "t", 1, 200, null, null, null,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []), cases, [Cat], [IutRole.Server]);

    public static Test Tests() => TestList("suite.verdicts",
    [
        TestCase("a subject no check judged after an earlier failure is blocked, not failed", async () =>
        {
            var r = await Run(Case("C1", ["T-guarded", "T-gate"], c =>
            {
                c.Expect("T-gate", false, "a mirror", "nothing");
                return c.Verdict();
            }));
            Expect.equal(r.Outcome, Outcome.Fail, "the case fails on its gate");
            Expect.equal(r.Checks.Count(k => !k.Passed), 1, "one failed check: the gate's");
            Expect.equal(r.Blocked.Count, 1, "one blocked requirement");
            var b = r.Blocked[0];
            Expect.equal((b.Requirement, b.BlockedBy), ("T-guarded", "T-gate"), "blocked by the gate");
            var run = Summarise(r);
            var guarded = run.Requirements.Single(q => q.Id == "T-guarded");
            Expect.equal(guarded.Status, RequirementStatus.Blocked, "status blocked");
            Expect.sequenceEqual(guarded.BlockedBy, ["T-gate"], "blocked by");
            var item = run.Checklist.Single(i => i.Item == "T-CL-2");
            Expect.equal(item.Status, ItemStatus.NotVerified, "the guarded rule's item is not verified");
            Expect.equal(item.BlockedRequirements.Single().Requirement, "T-guarded", "and says which is blocked");
            Expect.equal(run.Checklist.Single(i => i.Item == "T-CL-1").Status, ItemStatus.NotMet, "the gate's item is not met");
            Expect.equal(run.ExitCode, 1, "a must failed");
        }),
        TestCase("ExpectUnlessBlocked blocks a dependent failure and judges an independent one", async () =>
        {
            var r = await Run(Case("C2", ["T-guarded", "T-gate", "T-other"], c =>
            {
                c.Expect("T-gate", false, "a mirror", "nothing");
                c.ExpectUnlessBlocked("T-guarded", false, "the seal verifies", "no seal");
                c.Expect("T-other", false, "a close", "still open");
                return c.Verdict();
            }));
            Expect.sequenceEqual(r.Blocked.Select(b => b.Requirement), ["T-guarded"], "the dependent one is blocked");
            Expect.sequenceEqual(r.Checks.Where(k => !k.Passed).Select(k => k.Requirement), ["T-gate", "T-other"], "both real defects reported");
        }),
        TestCase("a subject judged outright is never blocked; a clean case blocks nothing", async () =>
        {
            var judged = await Run(Case("C3", ["T-guarded", "T-gate"], c =>
            {
                c.Expect("T-gate", false, "a mirror", "nothing");
                c.Expect("T-guarded", false, "the seal", "a bad seal");
                return c.Verdict();
            }));
            Expect.isEmpty(judged.Blocked, "judged, so not blocked");
            var clean = await Run(Case("C4", ["T-guarded", "T-gate"], c =>
            {
                c.Expect("T-guarded", true, "x", "x");
                return c.Verdict();
            }));
            Expect.isEmpty(clean.Blocked, "nothing failed, nothing blocked");
        }),
        TestCase("blocked with nothing failed is a suite defect (error)", async () =>
        {
            var r = await Run(Case("C5", ["T-guarded"], c =>
            {
                c.Blocked("T-guarded", "x");
                return c.Verdict();
            }));
            Expect.equal(r.Outcome, Outcome.Error, r.Summary);
        }),
        TestCase("exit 0 only when Ratified; not Ratified without a must failure exits 4; a must failure exits 1", async () =>
        {
            var gate = await Run(Case("P1", ["T-gate"], c => { c.Expect("T-gate", true, "x", "x"); return c.Verdict(); }));
            var guarded = await Run(Case("P2", ["T-guarded"], c => { c.Expect("T-guarded", true, "x", "x"); return c.Verdict(); }));
            var other = await Run(Case("P3", ["T-other"], c => { c.Expect("T-other", true, "x", "x"); return c.Verdict(); }));
            var unimplemented = await Run(Case("P4", ["T-other"], c => c.Unimplemented("the IUT lacks it")));
            var all = Summarise(gate, guarded, other);
            Expect.equal((all.Ratified, all.ExitCode), (true, 0), all.Verdict);
            var partial = Summarise(gate, guarded, unimplemented);
            Expect.equal((partial.Ratified, partial.ExitCode), (false, Summary.NotRatified), partial.Verdict);
            Expect.stringContains(partial.Verdict, "T-other untested", "the verdict says what is missing");
            var failing = await Run(Case("F1", ["T-other"], c => { c.Expect("T-other", false, "x", "y"); return c.Verdict(); }));
            Expect.equal(Summarise(gate, guarded, failing).ExitCode, 1, "a must failed");
        }),
    ]);
}
