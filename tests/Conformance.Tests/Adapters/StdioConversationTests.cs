// Conversations over the stdio shim (adapters/SHIM.md protocol 2): the reference implementations Ratify as shims for
// every spec and role; the plain-Python example server (json only) passes every other case and Ratifies; a shim that dies, hangs,
// writes garbage or an enormous line gives error / timeout verdicts in bounded time, and the suite finishes.
using System.Diagnostics;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.WebSockets;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Adapters;

public static class StdioConversationTests
{
    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));

    // Answers hello as an LHS server, then misbehaves as told by its first argument.
    private const string Broken = """
import sys, json, time
how = sys.argv[1]
for line in sys.stdin:
    r = json.loads(line)
    if r.get("op") == "hello":
        print(json.dumps({"id": r["id"], "protocol": 2, "spec": "lhs", "role": "server", "keys": {"seal": "00" * 32}}), flush=True)
    elif r.get("op") == "open":
        if how == "die": sys.exit(7)
        if how == "hang": time.sleep(600)
        if how == "refuse": print(json.dumps({"id": r["id"], "unimplemented": True, "feature": "lhs"}), flush=True)
        else: print(json.dumps({"id": r["id"]}), flush=True)
    elif r.get("op") == "frame":
        if how == "garbage": print("this is not json {", flush=True)
        if how == "huge": print("x" * (17 * 1024 * 1024), flush=True)
        if how == "silent": pass
""";

    public static Test Tests() => TestList("adapters.stdio-conversations",
    [
        TestCase("a virtual connection: lines out, events in, closed once, flooding breaks it", async () =>
        {
            var lines = new List<string>();
            var conn = new VirtualConnection("c1", "op", l => { lock (lines) lines.Add(l.ToJsonString()); return Task.FromResult(true); });
            Expect.isTrue(await conn.SendTextAsync("{\"step\":\"hello\"}"), "text sent");
            Expect.isTrue(await conn.SendBinaryAsync(new byte[] { 1, 2, 3 }), "binary sent");
            Expect.stringContains(lines[0], "\"op\":\"frame\",\"conn\":\"c1\",\"text\"", "a text frame line");
            Expect.stringContains(lines[1], "\"base64\":\"AQID\"", "binary as base64");
            conn.Deliver(new WireEvent.Text("mirror"));
            Expect.equal(await conn.ReceiveAsync(TimeSpan.FromSeconds(1)), new WireEvent.Text("mirror"), "received");
            Expect.isTrue(await conn.ReceiveAsync(TimeSpan.FromMilliseconds(50)) is WireEvent.Timeout, "silence is a timeout");
            await conn.CloseAsync(1000, "bye");
            Expect.isFalse(await conn.SendTextAsync("late"), "no send after close");
            Expect.equal(lines.Count(l => l.Contains("\"close\"")), 1, "one close line");

            var flooded = new VirtualConnection("c2", "op", _ => Task.FromResult(true));
            var four = new byte[4 * 1024 * 1024];
            for (var i = 0; i < 5; i++) flooded.Deliver(new WireEvent.Binary(four));
            for (var i = 0; i < 4; i++) Expect.isTrue(await flooded.ReceiveAsync(TimeSpan.FromSeconds(1)) is WireEvent.Binary, "within the budget: delivered");
            Exception? broke = null;
            try { await flooded.ReceiveAsync(TimeSpan.FromSeconds(1)); } catch (ShimBrokenException e) { broke = e; }
            Expect.isNotNull(broke, "then the flood breaks it");
        }),
        TestList("reference", [.. new[] { "lhs", "shard", "cip" }.Select(spec => TestCase($"{spec}: the reference shims Ratify over stdio", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", spec, "--adapter", "stdio");
            Expect.equal(r.Exit, 0, $"exit 0\n{r}");
            Expect.isTrue(r.Report().GetProperty("ratified").GetBoolean(), $"ratified\n{r}");
            Expect.equal(r.Report().GetProperty("manifest").GetProperty("adapter").GetString(), "stdio", "the manifest names the adapter");
            if (spec == "lhs")
            {
                // LHS checklist item 5 is verified through the shim's observe events.
                var telemetry = r.Report().GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "LHS-S-telemetry-bind");
                Expect.equal(telemetry.GetProperty("outcome").GetString(), "pass", "telemetry hook observed over stdio");
            }
        }))]),
        TestList("the Python example", [.. new[] { ("", new string[0]), (" --json-only", new[] { "LHS-S-happy-cbor unimplemented", "LHS-S-flow-json-under-cbor unimplemented" }) }
            .Select(x => TestCase(x.Item1 == "" ? "every case passes and the run is Ratified" : "json only: the cbor cases unimplemented, every other passes, Ratified", async () =>
        {
            var shim = Path.Combine(Root, "adapters", "examples", "lhs_shim.py");
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--target", $"stdio:python3 {shim}{x.Item1}", "--timeout-ms", "1000");
            var cases = r.Report().GetProperty("cases").EnumerateArray()
                .Select(c => (Id: c.GetProperty("id").GetString()!, Outcome: c.GetProperty("outcome").GetString()!)).ToArray();
            Expect.isGreaterThan(cases.Length, 50, $"the server cases ran\n{r}");
            // No encoding is mandatory: a json-only server leaves the cbor cases unimplemented, and the traces accept
            // its refusal of a cbor-only hello (SPEC-NOTES "Encoding choice").
            Expect.sequenceEqual(cases.Where(c => c.Outcome != "pass").Select(c => $"{c.Id} {c.Outcome}"), x.Item2, $"every other case passes\n{r}");
            Expect.isTrue(cases.Any(c => c.Id == "LHS-S-traces" && c.Outcome == "pass"), $"the property traces ran and passed\n{r}");
            Expect.isTrue(r.Report().GetProperty("ratified").GetBoolean(), $"ratified: the telemetry hook comes as observe events\n{r}");
            Expect.equal(r.Exit, 0, $"exit 0\n{r}");
        }))]),
        TestList("broken shims", [.. new[] { ("die", "error"), ("hang", "timeout"), ("silent", "timeout"), ("garbage", "error"), ("huge", "error") }.Select(x => TestCase($"a shim that does {x.Item1}: {x.Item2}", async () =>
        {
            var script = Path.Combine(TestCli.TempDir("shim"), "broken.py");
            File.WriteAllText(script, Broken);
            var clock = Stopwatch.StartNew();
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--target", $"stdio:python3 {script} {x.Item1}", "--filter", "LHS-S-hello-*", "--timeout-ms", "300");
            var outcomes = r.Report().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()!).ToArray();
            Expect.isGreaterThan(outcomes.Length, 2, $"the suite ran every case\n{r}");
            Expect.isTrue(outcomes.Contains(x.Item2), $"{x.Item2} verdicts\n{r}");
            Expect.isEmpty(outcomes.Where(o => o is "fail" or "pass"), $"never fail (nor pass)\n{r}");
            Expect.equal(r.Exit, 1, $"exit 1\n{r}");
            Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(60), "bounded time");
        }))]),
        TestCase("a shim that answers open with unimplemented: every case unimplemented, none failed", async () =>
        {
            var script = Path.Combine(TestCli.TempDir("shim"), "broken.py");
            File.WriteAllText(script, Broken);
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--target", $"stdio:python3 {script} refuse", "--filter", "LHS-S-hello-*", "--timeout-ms", "300");
            var outcomes = r.Report().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()!).Distinct().ToArray();
            Expect.sequenceEqual(outcomes, new[] { "unimplemented" }, $"only unimplemented\n{r}");
        }),
        TestCase("--adapter http without LHS, and unknown adapters, are usage errors", async () =>
        {
            Expect.equal((await TestCli.RunAsync("run", "--spec", "shard", "--adapter", "http")).Exit, 2, "http is LHS's profile");
            Expect.equal((await TestCli.RunAsync("run", "--adapter", "carrier-pigeon")).Exit, 2, "unknown");
        }),
        TestCase("a shim whose hello is not the requested spec and role: unreachable (exit 3)", async () =>
        {
            var script = Path.Combine(TestCli.TempDir("shim"), "broken.py");
            File.WriteAllText(script, Broken);
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--target", $"stdio:python3 {script} silent");
            Expect.equal(r.Exit, 3, $"exit 3\n{r}");
        }),
    ]);
}
