// Every deliberately broken variant must make the suite exit 1 with its expected requirement failing: embedded
// (`run --fault`), and served by another process (`serve --fault` for the edge, `agent --fault --loop` for the agent).
using Conformance.Reference.Faults;
using Conformance.Suite.Lhs.Play;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class FaultDetectionTests
{
    // Short step timeouts: a broken variant often goes quiet, and each silence costs one timeout.
    private const string Timeout = "400";

    // Over stdio every frame crosses two process boundaries (suite → shim → back): on a loaded 2-core machine a healthy
    // reply took over 400 ms and a handshake step timed out before the fault's own rule was reached.
    private const string StdioTimeout = "1000";

    // The hand-written cases alone must catch every variant; what property traces catch is measured by traces.detection.

    public static Test Tests() => TestList("suite.faults",
    [
        TestList("embedded", [.. LhsFaults.Everything.Select(f => TestCase(f.Name, async () =>
        {
            var r = await TestCli.RunAsync("run", "--fault", f.Name, "--timeout-ms", Timeout, "--traces", "0");
            Expect.equal(r.Exit, 1, $"{f.Name} must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }))]),
        // A remote edge cannot be restarted by the suite, so a durability fault is only caught embedded (and the reference's
        // real durability is measured by shard.edge-kill, with SIGKILL).
        TestList("other-process", [.. LhsFaults.Everything.Where(f => f.ExpectedRequirement != "SHARD-4.3-durable").Select(f => TestCase(f.Name, () => (f.Spec, f.Side) switch
        {
            ("lhs", FaultSide.Server) => Served(f),
            ("lhs", FaultSide.Client) => Agent(f),
            ("shard", FaultSide.Server) => ServedShard(f),
            ("shard", FaultSide.Client) => ShardNode(f),
            _ => ServedCip(f),
        }))]),
        // The same broken variants as reference shims over stdio (adapters/SHIM.md protocol 2). The edge restarts by
        // relaunching its shim on the same store, so the durability fault is caught here too.
        // A §5 fault (Adapter "http") breaks only the HTTP Upgrade profile, which a stdio shim does not carry: the
        // embedded list and suite.faults-http catch it over http.
        TestList("stdio", [.. LhsFaults.Everything.Where(f => f.Adapter != "http").Select(f => TestCase(f.Name, async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", f.Spec, "--adapter", "stdio", "--fault", f.Name, "--timeout-ms", StdioTimeout, "--traces", "0");
            Expect.equal(r.Exit, 1, $"{f.Name} as a stdio shim must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}\n{r}");
        }))]),
    ]);

    private static async Task Served(Fault f)
    {
        var serve = TestCli.Start("serve", "--spec", "lhs", "--listen", "ws://127.0.0.1:0/lhs", "--fault", f.Name);
        try
        {
            var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30),
                "LHS reference edge listening on", "HTTP Upgrade profile (§5):", "observation channel:", "seal public key (Ed25519, base64url):");
            // A §5 fault shows only over the HTTP Upgrade profile: aim the run at the edge's http:// URL.
            var target = f.Adapter == "http" ? info["HTTP Upgrade profile (§5):"] : info["LHS reference edge listening on"];
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--target", target, "--server-key", info["seal public key (Ed25519, base64url):"],
                "--observe", info["observation channel:"], "--timeout-ms", Timeout, "--traces", "0");
            Expect.equal(r.Exit, 1, $"{f.Name} served by another process must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }
        finally { TestCli.Stop(serve); }
    }

    private static async Task ServedCip(Fault f)
    {
        var serve = TestCli.Start("serve", "--spec", "cip", "--listen", "ws://127.0.0.1:0/cip", "--fault", f.Name);
        try
        {
            var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30),
                "CIP reference agent listening on", "observation channel:", "agent_id:", "agent public key (Ed25519, base64url):");
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--target", info["CIP reference agent listening on"], "--agent-id", info["agent_id:"],
                "--server-key", info["agent public key (Ed25519, base64url):"], "--observe", info["observation channel:"], "--timeout-ms", Timeout, "--traces", "0");
            Expect.equal(r.Exit, 1, $"{f.Name} served by another process must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }
        finally { TestCli.Stop(serve); }
    }

    private static async Task ServedShard(Fault f)
    {
        var serve = TestCli.Start("serve", "--spec", "shard", "--listen", "ws://127.0.0.1:0/shard", "--store", TestCli.TempDir("store"), "--fault", f.Name);
        try
        {
            var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30), "Shard reference edge listening on", "observation channel:");
            var r = await TestCli.RunAsync("run", "--spec", "shard", "--target", info["Shard reference edge listening on"], "--observe", info["observation channel:"],
                "--timeout-ms", Timeout, "--traces", "0");
            Expect.equal(r.Exit, 1, $"{f.Name} served by another process must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }
        finally { TestCli.Stop(serve); }
    }

    private static async Task ShardNode(Fault f)
    {
        var url = $"ws://127.0.0.1:{TestCli.FreePort()}/shard";
        var file = Path.Combine(TestCli.TempDir("node"), "payload.bin");
        File.WriteAllBytes(file, new byte[5000].Select((_, i) => (byte)(i * 7)).ToArray());
        var run = TestCli.RunAsync("run", "--spec", "shard", "--role", "client", "--listen", url, "--timeout-ms", Timeout, "--traces", "0");
        var node = TestCli.Start("agent", "--spec", "shard", "--target", url, "--file", file, "--chunk-size", "1024", "--loop", "--fault", f.Name);
        try
        {
            var r = await run;
            Expect.equal(r.Exit, 1, $"{f.Name} in another process must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }
        finally { TestCli.Stop(node); }
    }

    private static async Task Agent(Fault f)
    {
        var url = $"ws://127.0.0.1:{TestCli.FreePort()}/lhs";
        var run = TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--listen", url, "--timeout-ms", Timeout, "--traces", "0");
        var agent = TestCli.Start("agent", "--target", url, "--loop", "--fault", f.Name, "--server-key", Convert.ToHexStringLower(SuiteServer.Key.PublicKey));
        try
        {
            var r = await run;
            Expect.equal(r.Exit, 1, $"{f.Name} in another process must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), f.ExpectedRequirement, $"{f.Name} must fail {f.ExpectedRequirement}");
        }
        finally { TestCli.Stop(agent); }
    }
}
