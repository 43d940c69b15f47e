// The CLI's exit codes: 0 only when Ratified; 1 a must failed; 2 usage or configuration; 3 the IUT could not be
// reached; 4 no must failed but the checklist is not all met (so a CI gate cannot mistake it for a pass).
using Conformance.Suite.Lhs.Play;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Cli;

public static class ExitCodeTests
{
    private const string AnyKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    public static Test Tests() => TestList("cli.exit-codes",
    [
        TestCase("the embedded references are Ratified: exit 0, at least 40 cases per spec, every role", async () =>
        {
            var r = await SharedRuns.Full;
            Expect.equal(r.Exit, 0, r.ToString());
            var report = r.Report();
            Expect.isTrue(report.GetProperty("ratified").GetBoolean(), "ratified");
            Expect.equal(report.GetProperty("verdict").GetString(), "Ratified", "verdict");
            var cases = report.GetProperty("cases").EnumerateArray().ToArray();
            Expect.isGreaterThanOrEqual(cases.Length, 40, "cases run");
            foreach (var role in new[] { "server", "client", "agent" })
                Expect.isTrue(cases.Any(c => c.GetProperty("role").GetString() == role), role + "-role cases ran");
            foreach (var spec in new[] { "lhs", "cip" })
                Expect.isGreaterThanOrEqual(cases.Count(c => c.GetProperty("spec").GetString() == spec), 40, spec + " cases");
            Expect.isTrue(cases.All(c => c.GetProperty("outcome").GetString() == "pass"), "every case passes");
            var items = report.GetProperty("checklist").EnumerateArray().ToArray();
            Expect.isTrue(items.Where(i => i.GetProperty("role").GetString() == "server").All(i => i.GetProperty("status").GetString() == "met"), "all five items met for the server role");
            foreach (var file in new[] { "report.json", "junit.xml", "summary.md", "index.html", "badge.svg" })
                Expect.isTrue(File.Exists(Path.Combine(r.OutDir, file)), file + " written");
        }),
        TestCase("a must failure exits 1", async () =>
        {
            var r = await TestCli.RunAsync("run", "--fault", "nonce-reused", "--filter", "LHS-S-nonce-fresh");
            Expect.equal(r.Exit, 1, r.ToString());
            Expect.contains(r.FailedRequirements(), "LHS-3.2-nonce-unique", "failed requirement");
        }),
        TestCase("no must failed but not Ratified (items not verified) exits 4, and says why", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--filter", "LHS-S-happy-json");
            Expect.equal(r.Exit, 4, r.ToString());
            var report = r.Report();
            Expect.isFalse(report.GetProperty("ratified").GetBoolean(), "not ratified");
            Expect.equal(report.GetProperty("exitCode").GetInt32(), 4, "report.json says 4");
            Expect.stringContains(report.GetProperty("verdict").GetString()!, "not verified", "the verdict names what is not verified");
            Expect.isTrue(report.GetProperty("cases").EnumerateArray().All(c => c.GetProperty("outcome").GetString() == "pass"), "every case that ran passed");
        }),
        TestCase("a filter that matches nothing exits 2", async () =>
        {
            var r = await TestCli.RunAsync("run", "--filter", "NO-SUCH-CASE-*");
            Expect.equal(r.Exit, 2, r.ToString());
            Expect.stringContains(r.Stderr, "matches no case", "message");
        }),
        TestCase("unknown option, command, fault, spec, role: exit 2", async () =>
        {
            foreach (var args in new[]
            {
                new[] { "run", "--bogus", "1" }, ["frobnicate"], ["run", "--fault", "no-such-fault"], ["run", "--spec", "xyz"],
                ["run", "--role", "peer"], ["run", "--target", "ws://127.0.0.1:9/lhs"], ["serve", "--spec", "lhs", "--store", "x"],
                // A fault of another spec's host, and an option another spec's host takes, are refused by serve itself.
                ["serve", "--spec", "lhs", "--fault", "shard-lowest-version"], ["serve", "--spec", "shard", "--fault", "nonce-reused"], ["serve", "--spec", "cip", "--store", "x"], ["agent", "--spec", "cip"],
                ["run", "--spec", "cip", "--target", "ws://127.0.0.1:9/cip", "--server-key", AnyKey], ["run", "--spec", "cip", "--role", "client"], ["run", "--target", "ws://127.0.0.1:9/lhs", "--server-key", "short"],
                ["run", "--fault", "nonce-reused", "--target", "ws://127.0.0.1:9/lhs", "--server-key", AnyKey], ["run", "--timeout-ms", "zero"], [],
            })
            {
                var r = await TestCli.RunAsync(args);
                Expect.equal(r.Exit, 2, string.Join(" ", args) + "\n" + r);
            }
        }),
        TestCase("a server IUT that cannot be reached exits 3", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--target", $"ws://127.0.0.1:{TestCli.FreePort()}/lhs", "--server-key", AnyKey);
            Expect.equal(r.Exit, 3, r.ToString());
        }),
        TestCase("a client IUT that never connects exits 3", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--listen", $"ws://127.0.0.1:{TestCli.FreePort()}/lhs",
                "--filter", "LHS-C-happy-json", "--accept-timeout-ms", "300");
            Expect.equal(r.Exit, 3, r.ToString());
        }),
        TestCase("--list lists the selected cases and exits 0", async () =>
        {
            var r = await TestCli.RunAsync("run", "--list", "--filter", "LHS-C-*");
            Expect.equal(r.Exit, 0, r.ToString());
            var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Expect.isTrue(lines[..^1].All(l => l.StartsWith("LHS-C-", StringComparison.Ordinal)), "only client cases");
            Expect.stringContains(lines[^1], "case(s)", "count line");
        }),
        TestCase("list-faults names every fault and its requirement", async () =>
        {
            var r = await TestCli.RunAsync("list-faults");
            Expect.equal(r.Exit, 0, r.ToString());
            foreach (var f in global::Conformance.Reference.Faults.LhsFaults.Everything)
                Expect.stringContains(r.Stdout, f.Name, "fault listed");
        }),
        TestCase("the suite's published key is the one it seals with", () =>
            Expect.equal(Convert.ToHexStringLower(SuiteServer.Key.PublicKey), ReadmeKey(), "README test key")),
        TestCase("the README publishes the CIP anchors and authority the suite plays", () =>
        {
            var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
            foreach (var id in Conformance.Suite.Cip.Play.CipWorld.Anchors.Append(Conformance.Suite.Cip.Play.CipWorld.Authority))
                Expect.stringContains(readme, $"`{id.AgentId}` `{id.Fingerprint}`", id.AgentId + " published");
        }),
    ]);

    /// <summary>The suite's LHS server key as the README publishes it (hex).</summary>
    private static string ReadmeKey()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));
        var marker = "suite LHS server key (hex): `";
        var at = readme.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? "(not in README)" : readme[(at + marker.Length)..].Split('`')[0];
    }

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Conformance.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("repository root not found");
    }
}
