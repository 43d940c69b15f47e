// CI gating beyond pass/fail: --expect baselines (any deviation fails, an unexpected pass included), --skip files
// (written reasons, shown everywhere), and the sanity cases that bracket each spec and role.
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Cli;

public static class GatingTests
{
    // Small but real: two happy paths and the nonce case that the nonce-reused fault breaks, plus the sanity pair.
    private const string Filter = "LHS-S-happy-*,LHS-S-nonce-fresh";

    public static Test Tests() => TestList("cli.gating",
    [
        TestList("expect", [
            TestCase("a baseline from the reference passes on the reference and fails on a broken variant", async () =>
            {
                var expect = Path.Combine(TestCli.TempDir("expect"), "expect.json");
                var written = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--write-expect", expect);
                // A filtered run cannot Ratify: exit 4, not 0.
                Expect.equal(written.Exit, Conformance.Suite.Core.Summary.NotRatified, written.ToString());
                var same = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--expect", expect);
                Expect.equal(same.Exit, 0, "the reference matches its own baseline\n" + same);
                Expect.equal(same.Report().GetProperty("deviations").GetArrayLength(), 0, "no deviation");
                var broken = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--fault", "nonce-reused", "--expect", expect);
                Expect.equal(broken.Exit, 1, "the broken variant deviates\n" + broken);
                var d = broken.Report().GetProperty("deviations").EnumerateArray().Single();
                Expect.equal(d.GetProperty("case").GetString(), "LHS-S-nonce-fresh", "the deviating case");
                Expect.equal((d.GetProperty("expected").GetString(), d.GetProperty("actual").GetString()), ("pass", "fail"), "expected pass, got fail");
            }),
            TestCase("a stale baseline entry (an unexpected pass) fails the run", async () =>
            {
                var expect = Path.Combine(TestCli.TempDir("expect"), "expect.json");
                var written = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--fault", "nonce-reused", "--write-expect", expect);
                Expect.equal(written.Exit, 1, "the broken variant fails (and its baseline is still written)\n" + written);
                Expect.stringContains(File.ReadAllText(expect), "\"LHS-S-nonce-fresh\": \"fail\"", "the baseline records the failure");
                var fixedRun = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--expect", expect);
                Expect.equal(fixedRun.Exit, 1, "an unexpected pass is a deviation\n" + fixedRun);
                Expect.stringContains(fixedRun.Stdout, "LHS-S-nonce-fresh expected fail, got pass", "the note names it");
                var same = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--fault", "nonce-reused", "--expect", expect);
                Expect.equal(same.Exit, 0, "a known failure that stays as expected passes the gate\n" + same);
            }),
            TestCase("a case the baseline does not know is a deviation; entries for cases not run are only noted", async () =>
            {
                var expect = Path.Combine(TestCli.TempDir("expect"), "expect.json");
                File.WriteAllText(expect, """{"schema": "conformance-expect/1", "outcomes": {"LHS-S-happy-json": "pass", "LHS-S-other": "fail"}}""");
                var r = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", "LHS-S-happy-json", "--expect", expect);
                Expect.equal(r.Exit, 0, r.ToString());
                Expect.stringContains(r.Stdout, "1 baseline entry for cases this run did not include were not judged", "noted");
                var more = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", "LHS-S-happy-*", "--expect", expect);
                Expect.equal(more.Exit, 1, "LHS-S-happy-cbor (and the sanity copies) are unknown to the baseline\n" + more);
                Expect.stringContains(more.Stdout, "LHS-S-happy-cbor expected (not in the baseline), got pass", "named");
            }),
            TestCase("a missing or malformed baseline is a usage error (exit 2)", async () =>
            {
                var dir = TestCli.TempDir("expect");
                var missing = await TestCli.RunAsync("run", "--spec", "lhs", "--expect", Path.Combine(dir, "nope.json"));
                Expect.equal(missing.Exit, 2, missing.ToString());
                foreach (var (name, text) in new[] { ("not-json", "{"), ("no-schema", """{"outcomes": {}}"""), ("bad-outcome", """{"schema": "conformance-expect/1", "outcomes": {"X": "passed"}}""") })
                {
                    var file = Path.Combine(dir, name + ".json");
                    File.WriteAllText(file, text);
                    var r = await TestCli.RunAsync("run", "--spec", "lhs", "--expect", file);
                    Expect.equal(r.Exit, 2, name + "\n" + r);
                }
            }),
        ]),
        TestList("skip", [
            TestCase("skipped cases are not run, carry their reason, and show in every report", async () =>
            {
                var skip = Path.Combine(TestCli.TempDir("skip"), "skip.txt");
                File.WriteAllText(skip, "# known gaps\n\nLHS-S-happy-cbor   no CBOR in this build (ticket 12)\n");
                var r = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--skip", skip);
                Expect.equal(r.Exit, Conformance.Suite.Core.Summary.NotRatified, "skipped and filtered out cases leave items not verified: exit 4\n" + r);
                var c = r.Report().GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("id").GetString() == "LHS-S-happy-cbor");
                Expect.equal(c.GetProperty("outcome").GetString(), "skipped", "outcome");
                Expect.equal(c.GetProperty("summary").GetString(), "skipped: no CBOR in this build (ticket 12) (skip.txt:3)", "reason and where it was written");
                Expect.equal(c.GetProperty("trace").GetArrayLength(), 0, "not run: no traffic");
                Expect.stringContains(File.ReadAllText(Path.Combine(r.OutDir, "junit.xml")), "<skipped message=\"skipped: no CBOR in this build", "junit");
                Expect.stringContains(File.ReadAllText(Path.Combine(r.OutDir, "summary.md")), "LHS-S-happy-cbor — skipped: no CBOR in this build", "summary.md");
                Expect.stringContains(File.ReadAllText(Path.Combine(r.OutDir, "index.html")), "data-id=\"LHS-S-happy-cbor\" data-outcome=\"skipped\"", "index.html");
                Expect.stringContains(r.Stdout, "1 skipped", "console counts");
            }),
            TestCase("a skip line without a reason, or matching no case, is a usage error (exit 2)", async () =>
            {
                var dir = TestCli.TempDir("skip");
                foreach (var (name, text) in new[] { ("no-reason", "LHS-S-happy-cbor\n"), ("no-match", "LHS-S-no-such-case  typo\n") })
                {
                    var file = Path.Combine(dir, name);
                    File.WriteAllText(file, text);
                    var r = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", Filter, "--skip", file);
                    Expect.equal(r.Exit, 2, name + "\n" + r);
                }
            }),
        ]),
        TestList("sanity", [
            TestCase("each spec and role of two or more cases is bracketed by a sanity case, first and last", async () =>
            {
                var r = await TestCli.RunAsync("run", "--list", "--filter", "LHS-S-nonce-fresh,LHS-C-happy-cbor,SHARD-E-empty*,SHARD-E-commit-empty,CIP-A-*");
                var ids = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..^1].Select(l => l.Split(' ')[0]).ToArray();
                Expect.isFalse(ids.Any(i => i.StartsWith("LHS-S-happy-json-sanity", StringComparison.Ordinal)), "a group of one case is not bracketed");
                var cip = ids.Where(i => i.StartsWith("CIP-A-", StringComparison.Ordinal)).ToArray();
                Expect.equal(cip[0], "CIP-A-handshake-sanity-first", "CIP starts with its sanity case");
                Expect.equal(cip[^1], "CIP-A-handshake-sanity-last", "and ends with it");
            }),
            TestCase("the sanity copies run and are marked in report.json", async () =>
            {
                var r = await SharedRuns.Full;
                var sanity = r.Report().GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("sanity").ValueKind == System.Text.Json.JsonValueKind.String).ToArray();
                Expect.equal(sanity.Length, 10, "first and last for lhs server, lhs client, shard edge, shard node, cip agent");
                Expect.isTrue(sanity.All(c => c.GetProperty("outcome").GetString() == "pass"), "all pass against the reference");
            }),
            TestCase("an IUT that dies mid-run is reported as such", async () =>
            {
                var serve = TestCli.Start("serve", "--spec", "lhs", "--listen", "ws://127.0.0.1:0/lhs");
                try
                {
                    var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30), "LHS reference edge listening on", "seal public key (Ed25519, base64url):");
                    // The server is killed once the tenth case has reported: the first sanity case passed, the last cannot.
                    var stdout = new KillAfter(10, () => TestCli.Stop(serve));
                    var outDir = TestCli.TempDir("dies");
                    var exit = await global::Conformance.Cli.Cli.MainAsync(["run", "--spec", "lhs", "--target", info["LHS reference edge listening on"],
                        "--server-key", info["seal public key (Ed25519, base64url):"], "--timeout-ms", "1000", "--out", outDir], stdout, new StringWriter());
                    Expect.equal(exit, 1, stdout.ToString());
                    Expect.stringContains(stdout.ToString(), "note: The lhs server IUT died or degraded during the run: LHS-S-happy-json-sanity-first passed but LHS-S-happy-json-sanity-last was", "the note");
                }
                finally { TestCli.Stop(serve); }
            }),
            TestCase("sanity notes: unhealthy at the start, died mid-run, or nothing to say", () =>
            {
                static CaseResult Case(string id, Outcome o, string? sanity) =>
                    new(id, "lhs", "server", "§3.2", "t", "d", Level.Must, [], o, "s", [], [], 1) { Sanity = sanity };
                string[] Notes(params CaseResult[] cases) =>
                    [.. Summary.Build(Manifest(), cases, [Conformance.Suite.Lhs.LhsCatalog.Instance], [IutRole.Server]).Notes];
                Expect.isEmpty(Notes(Case("A-first", Outcome.Pass, "first"), Case("X", Outcome.Fail, null), Case("A-last", Outcome.Pass, "last")), "healthy throughout");
                Expect.stringContains(Notes(Case("A-first", Outcome.Pass, "first"), Case("X", Outcome.Fail, null), Case("A-last", Outcome.Timeout, "last")).Single(),
                    "died or degraded during the run", "died mid-run");
                Expect.stringContains(Notes(Case("A-first", Outcome.Fail, "first"), Case("X", Outcome.Fail, null), Case("A-last", Outcome.Fail, "last")).Single(),
                    "not healthy at the start", "unhealthy from the start");
            }),
        ]),
    ]);

    private static RunManifest Manifest() =>
        new("conformance", "test", null, ["lhs"], ["server"], "websocket", "t", 1, 100, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, []);

    /// <summary>Collects the CLI's output and runs an action once <paramref name="lines"/> per-case lines have been written.</summary>
    private sealed class KillAfter(int lines, Action action) : StringWriter
    {
        private int _cases;
        private bool _done;

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith("  ", StringComparison.Ordinal) && ++_cases >= lines && !_done)
            {
                _done = true;
                action();
            }
        }
    }
}
