// The progress display: redrawn in place on a terminal, plain lines when redirected or under CI.
using Conformance.Cli;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Cli;

public static class ProgressTests
{
    public static Test Tests() => TestList("cli.progress",
    [
        TestCase("live only on a terminal without CI", () =>
        {
            Expect.isTrue(RunProgress.Enabled(redirected: false, ci: null), "terminal");
            Expect.isTrue(RunProgress.Enabled(redirected: false, ci: "false"), "CI=false");
            Expect.isFalse(RunProgress.Enabled(redirected: true, ci: null), "redirected");
            Expect.isFalse(RunProgress.Enabled(redirected: false, ci: "true"), "CI=true");
            Expect.isFalse(RunProgress.Enabled(redirected: false, ci: "1"), "CI=1");
        }),
        TestCase("live: a status line with done/total and the current case, erased before each result line", () =>
        {
            var o = new StringWriter();
            var p = new RunProgress(o, 12, live: true);
            p.Starting("CASE-A");
            p.Finished("  pass CASE-A");
            p.Starting("CASE-B");
            p.Done();
            Expect.equal(o.ToString(), "[ 1/12] CASE-A\r\u001b[2K  pass CASE-A" + o.NewLine + "[ 2/12] CASE-B\r\u001b[2K", "exact output");
        }),
        TestCase("quiet: only the result lines, no escape codes", () =>
        {
            var o = new StringWriter();
            var p = new RunProgress(o, 2, live: false);
            p.Starting("CASE-A");
            p.Finished("  pass CASE-A");
            p.Done();
            Expect.equal(o.ToString(), "  pass CASE-A" + o.NewLine, "plain");
        }),
        TestCase("a run with CI=true or redirected output writes no escape codes", async () =>
        {
            var r = await Support.TestCli.RunAsync("run", "--spec", "lhs", "--filter", "LHS-S-happy-*");
            Expect.isFalse(r.Stdout.Contains('\u001b'), "no ANSI escapes in a captured run");
            Expect.stringContains(r.Stdout, "LHS-S-happy-json-sanity-first", "per-case lines");
        }),
    ]);
}
