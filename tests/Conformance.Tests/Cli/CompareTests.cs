// `conformance compare`: the requirements × runs matrix shows where two implementations differ.
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Cli;

public static class CompareTests
{
    public static Test Tests() => TestList("cli.compare",
    [
        TestCase("the reference and a broken variant differ exactly where the fault is", async () =>
        {
            var reference = await TestCli.RunAsync("run", "--spec", "lhs");
            Expect.equal(reference.Exit, 0, reference.ToString());
            var broken = await SharedRuns.WithFailure;
            var outDir = TestCli.TempDir("compare");
            var r = await TestCli.RunAsync("compare", reference.OutDir, broken.OutDir, "--out", outDir);
            Expect.equal(r.Exit, 0, r.ToString());
            Expect.stringContains(r.Stdout, "1 differ", "one requirement differs");
            var md = File.ReadAllText(Path.Combine(outDir, "compare.md"));
            Expect.stringContains(md, "| **≠** `LHS-3.2-nonce-unique` | must | ✅ passed | ❌ failed |", "the differing row, first");
            Expect.stringContains(md, "| fault nonce-reused |", "the broken run's column is named for its fault");
            var html = File.ReadAllText(Path.Combine(outDir, "compare.html"));
            Expect.stringContains(html, "<tr class=\"row differs\" data-id=\"LHS-3.2-nonce-unique\" data-differs=\"true\">", "highlighted in HTML");
            Expect.equal(System.Text.RegularExpressions.Regex.Matches(html, "data-differs=\"true\"").Count, 1, "and only that row");
        }),
        TestCase("a run folder without report.json, or fewer than two runs, is a usage error", async () =>
        {
            var empty = TestCli.TempDir("compare-empty");
            var r = await TestCli.RunAsync("compare", empty, empty);
            Expect.equal(r.Exit, 2, r.ToString());
            Expect.stringContains(r.Stderr, "no report.json", "says why");
            Expect.equal((await TestCli.RunAsync("compare", empty)).Exit, 2, "one run");
        }),
    ]);
}
