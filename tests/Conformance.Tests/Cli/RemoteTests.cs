// The done-when of the walking skeleton, measured: the reference edge served by another process gets the same
// verdicts as the embedded one, and the reference agent, started as its own process, is Ratified as a client.
using System.Text.Json;
using Conformance.Suite.Lhs.Play;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Cli;

public static class RemoteTests
{
    public static Test Tests() => TestList("cli.remote",
    [
        TestCase("`serve` in another process: same verdicts as the embedded run", async () =>
        {
            var serve = TestCli.Start("serve", "--spec", "lhs", "--listen", "ws://127.0.0.1:0/lhs");
            try
            {
                var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30),
                    "LHS reference edge listening on", "observation channel:", "seal public key (Ed25519, base64url):");
                var remote = await TestCli.RunAsync("run", "--spec", "lhs", "--target", info["LHS reference edge listening on"],
                    "--server-key", info["seal public key (Ed25519, base64url):"], "--observe", info["observation channel:"]);
                var embedded = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server");
                Expect.equal(remote.Exit, 0, remote.ToString());
                Expect.isTrue(remote.Report().GetProperty("ratified").GetBoolean(), "remote run ratified");
                Expect.sequenceEqual(Outcomes(remote.Report()), Outcomes(embedded.Report()), "case outcomes, remote vs embedded");
            }
            finally { TestCli.Stop(serve); }
        }),
        TestCase("`serve --spec cip` in another process: Ratified, same verdicts as embedded", async () =>
        {
            var serve = TestCli.Start("serve", "--spec", "cip", "--listen", "ws://127.0.0.1:0/cip");
            try
            {
                var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30),
                    "CIP reference agent listening on", "observation channel:", "agent_id:", "agent public key (Ed25519, base64url):");
                var remote = await TestCli.RunAsync("run", "--spec", "cip", "--target", info["CIP reference agent listening on"], "--agent-id", info["agent_id:"],
                    "--server-key", info["agent public key (Ed25519, base64url):"], "--observe", info["observation channel:"]);
                var embedded = await TestCli.RunAsync("run", "--spec", "cip");
                Expect.equal(remote.Exit, 0, remote.ToString());
                Expect.isTrue(remote.Report().GetProperty("ratified").GetBoolean(), "remote run ratified");
                Expect.sequenceEqual(Outcomes(remote.Report()), Outcomes(embedded.Report()), "case outcomes, remote vs embedded");
                // A long-lived agent is tested twice: fresh identities keep the second run independent of the first.
                var again = await TestCli.RunAsync("run", "--spec", "cip", "--target", info["CIP reference agent listening on"], "--agent-id", info["agent_id:"],
                    "--server-key", info["agent public key (Ed25519, base64url):"]);
                Expect.equal(again.Exit, 0, again.ToString());
            }
            finally { TestCli.Stop(serve); }
        }),
        TestCase("`serve --spec shard` and `agent --spec shard --loop` in other processes: every case passes", async () =>
        {
            var serve = TestCli.Start("serve", "--spec", "shard", "--listen", "ws://127.0.0.1:0/shard", "--store", TestCli.TempDir("store"));
            try
            {
                var info = await TestCli.ReadUntilAsync(serve, TimeSpan.FromSeconds(30), "Shard reference edge listening on");
                var edge = await TestCli.RunAsync("run", "--spec", "shard", "--target", info["Shard reference edge listening on"]);
                // Not Ratified: SHARD-CL-6 (dual registry) is not verified without a restartable edge.
                Expect.equal(edge.Exit, Conformance.Suite.Core.Summary.NotRatified, edge.ToString());
                var outcomes = edge.Report().GetProperty("cases").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("outcome").GetString());
                // Only the restart case needs an IUT the suite can restart; everything else must pass against the remote edge.
                Expect.equal(outcomes["SHARD-E-restart"], "unimplemented", "restart needs the embedded edge");
                Expect.isTrue(outcomes.Where(kv => kv.Key != "SHARD-E-restart").All(kv => kv.Value == "pass"), "every other edge case passes");
            }
            finally { TestCli.Stop(serve); }
            var url = $"ws://127.0.0.1:{TestCli.FreePort()}/shard";
            var file = Path.Combine(TestCli.TempDir("node"), "payload.bin");
            File.WriteAllBytes(file, new byte[5000].Select((_, i) => (byte)i).ToArray());
            var run = TestCli.RunAsync("run", "--spec", "shard", "--role", "client", "--listen", url);
            var node = TestCli.Start("agent", "--spec", "shard", "--target", url, "--file", file, "--chunk-size", "1024", "--loop");
            try
            {
                var r = await run;
                Expect.equal(r.Exit, 0, r.ToString());
                Expect.isTrue(r.Report().GetProperty("ratified").GetBoolean(), "the node role is Ratified");
            }
            finally { TestCli.Stop(node); }
        }),
        TestCase("`agent --loop` in another process is Ratified for the client role", async () =>
        {
            var port = TestCli.FreePort();
            var url = $"ws://127.0.0.1:{port}/lhs";
            var run = TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--listen", url);
            var agent = TestCli.Start("agent", "--spec", "lhs", "--target", url, "--loop", "--server-key", Convert.ToHexStringLower(SuiteServer.Key.PublicKey));
            try
            {
                var r = await run;
                Expect.equal(r.Exit, 0, r.ToString());
                var report = r.Report();
                Expect.isTrue(report.GetProperty("ratified").GetBoolean(), "client role ratified");
                Expect.isTrue(report.GetProperty("cases").EnumerateArray().All(c => c.GetProperty("role").GetString() == "client"), "client cases only");
            }
            finally { TestCli.Stop(agent); }
        }),
    ]);

    private static string[] Outcomes(JsonElement report) =>
        [.. report.GetProperty("cases").EnumerateArray().Select(c => $"{c.GetProperty("id").GetString()}={c.GetProperty("outcome").GetString()}")];
}
