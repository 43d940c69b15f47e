// `run --vectors --target stdio:…` end to end: the reference shim passes every vector of every topic the shim
// protocol covers; each fault it supports fails exactly its own topic; crashing, hanging, garbage-writing and
// unimplementing shims get error / timeout / unimplemented verdicts (never fail), in bounded time.
using System.Diagnostics;
using Conformance.Suite.Vectors.Shim;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Vectors;

public static class ShimRunTests
{
    private static string Dll => typeof(global::Conformance.Cli.Cli).Assembly.Location;
    private static string ReferenceShim(string extra = "") => $"stdio:dotnet {Dll} shim --vectors{extra}";

    /// <summary>Each fault the reference shim supports, and the one vector file it must make fail.</summary>
    private static readonly (string Fault, string File)[] Faults =
    [
        ("features-widened", "lhs/negotiation"),
        ("encoding-not-offered", "lhs/negotiation"),
        ("version-major-unchecked", "lhs/negotiation"),
        ("missing-fields-accepted", "lhs/negotiation"),
        ("mirror-without-nonce", "lhs/negotiation"),
        ("cip-signature-unchecked", "cip/envelopes"),
        ("cip-fingerprint-unchecked", "cip/envelopes"),
        ("shard-version-id-unchecked", "shard/merkle"),
        ("cip-no-promotion", "cip/trust-fsm"),
        ("cip-conflict-keeps-probing", "cip/trust-fsm"),
        ("cip-severe-conflict-ignored", "cip/trust-fsm"),
        ("cip-anomaly-ignored", "cip/trust-fsm"),
        ("cip-override-ignored", "cip/trust-fsm"),
        ("cip-no-dmp-check", "cip/knowledge"),
        ("cip-no-causal-check", "cip/knowledge"),
        ("cip-untrusted-source-kept", "cip/knowledge"),
        ("shard-signatures-unchecked", "shard/header"),
        ("shard-provenance-unchecked", "shard/header"),
        ("shard-auth-unchecked", "shard/header"),
        ("shard-stale-auth-accepted", "shard/header"),
        ("shard-replayed-token-accepted", "shard/header"),
        ("shard-version-conflict-ignored", "shard/header"),
        ("shard-rebase-ignored", "shard/header"),
        ("shard-override-not-required", "shard/header"),
        ("cip-replay-accepted", "cip/replay"),
        ("cip-stale-accepted", "cip/replay"),
        ("nonce-reused", "lhs/transcripts"),
        ("seal-over-wrong-bytes", "lhs/transcripts"),
        ("seal-not-canonical", "lhs/transcripts"),
        ("second-hello-accepted", "lhs/transcripts"),
        ("invalid-thread-accepted", "lhs/transcripts"),
        ("encoding-ignored", "lhs/transcripts"),
        ("frame-limit-ignored", "lhs/transcripts"),
        ("flow-after-error", "lhs/transcripts"),
        ("telemetry-silent", "lhs/transcripts"),
        ("features-not-enforced", "lhs/transcripts"),
        ("text-in-flow-ignored", "lhs/transcripts"),
        ("flow-rejected", "lhs/transcripts"),
        ("error-without-close", "lhs/transcripts"),
        ("shard-tampered-chunk-taken", "shard/transcripts"),
        ("shard-late-chunk-acked", "shard/transcripts"),
        ("shard-final-hash-unchecked", "shard/transcripts"),
        ("shard-commits-partially", "shard/transcripts"),
        ("shard-resume-forgets", "shard/transcripts"),
        ("shard-deletes-on-rollback", "shard/transcripts"),
        ("shard-no-rollback-audit", "shard/transcripts"),
        ("shard-order-unchecked", "shard/transcripts"),
        ("shard-no-commit-ack", "shard/transcripts"),
        ("shard-lowest-version", "shard/transcripts"),
    ];

    public static Test Tests() => TestList("vectors.shim",
    [
        TestCase("the reference shim passes every vector test of every topic; every topic has an op, none is listed as not run", async () =>
        {
            var r = await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim());
            Expect.equal(r.Exit, 0, r.ToString());
            var report = r.Report();
            var files = VectorTopicFile.LoadAll(Path.Combine(ReportSchema.RepoRoot(), "vectors"));
            var covered = files.Where(f => VectorOps.Covers(f.File)).ToArray();
            Expect.equal(covered.Length, VectorOps.ByTopic.Count, "every topic with an op has a vector file");
            var cases = report.GetProperty("cases").EnumerateArray().ToArray();
            Expect.sequenceEqual(cases.Select(c => c.GetProperty("id").GetString()).Order(), covered.Select(f => f.File).Order(), "one case per covered file");
            foreach (var c in cases)
            {
                Expect.equal(c.GetProperty("outcome").GetString(), "pass", c.GetProperty("id").GetString() + ": " + c.GetProperty("summary").GetString());
                var file = covered.Single(f => f.File == c.GetProperty("id").GetString());
                Expect.equal(c.GetProperty("checks").GetArrayLength(), file.Tests.Count, file.File + ": one check per vector test");
            }
            Expect.equal(covered.Length, files.Count, "every vector file has an op: " + string.Join(", ", files.Where(f => !VectorOps.Covers(f.File)).Select(f => f.File)));
            var notes = string.Join("\n", report.GetProperty("notes").EnumerateArray().Select(n => n.GetString()));
            Expect.isFalse(notes.Contains("Not run"), "no topic reported as not run:\n" + notes);
            Expect.isFalse(report.GetProperty("ratified").GetBoolean(), "a vector run never ratifies");
            await SchemaValid(r);
        }),
        TestCase("each fault the shim supports fails only its own topic, and the run exits 1", async () =>
        {
            foreach (var (fault, file) in Faults)
            {
                var r = await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(" --fault " + fault));
                Expect.equal(r.Exit, 1, fault + "\n" + r);
                var failed = r.Report().GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("outcome").GetString() != "pass")
                    .Select(c => (Id: c.GetProperty("id").GetString(), Outcome: c.GetProperty("outcome").GetString())).ToArray();
                Expect.sequenceEqual(failed, new[] { (Id: (string?)file, Outcome: (string?)"fail") }, fault + ": only its topic fails");
                Expect.isTrue(r.FailedRequirements().SetEquals([VectorRunner.RequirementId(file)]), fault + ": the failed requirement is its topic's");
            }
        }),
        TestCase("the shim refuses a fault that reaches no vector op (exit 2)", async () =>
        {
            var r = await TestCli.RunAsync("shim", "--vectors", "--fault", "cip-no-state-signal");
            Expect.equal(r.Exit, 2, r.ToString());
            Expect.stringContains(r.Stderr, "does not reach a vector op", "says why");
        }),
        TestCase("a shim that crashes mid-run: the rest of the vectors are errors with its exit code; the run ends", async () =>
        {
            // Answers hello, three requests with unimplemented, then exits 5.
            var shim = Script("crash", """
import sys, json
n = 0
for line in sys.stdin:
    r = json.loads(line)
    if r["op"] == "hello":
        print(json.dumps({"id": r["id"], "name": "crashy", "protocol": 1, "ops": ["jcs.canonicalize"]}), flush=True); continue
    n += 1
    if n > 3:
        print("giving up", file=sys.stderr, flush=True); sys.exit(5)
    print(json.dumps({"id": r["id"], "unimplemented": True}), flush=True)
""");
            var r = await Bounded(() => TestCli.RunAsync("run", "--vectors", "--target", $"stdio:python3 {shim}", "--filter", "ltp/jcs#?"));
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "ltp/jcs");
            Expect.equal(c.GetProperty("outcome").GetString(), "error", "an error, not a fail");
            Expect.stringContains(c.GetProperty("summary").GetString()!, "3 unimplemented", "the first three");
            Expect.stringContains(c.GetProperty("summary").GetString()!, "6 error", "the other six");
            var checks = c.GetProperty("checks").EnumerateArray().ToArray();
            Expect.isTrue(checks.All(k => !k.GetProperty("passed").GetBoolean() && k.GetProperty("actual").GetString()!.Contains("error")), "every judged test an error");
            Expect.stringContains(checks[0].GetProperty("actual").GetString()!, "exit code 5", "names the exit code");
            Expect.stringContains(c.GetProperty("trace")[0].GetProperty("note").GetString()!, "giving up", "stderr tail in the report");
        }),
        TestCase("a shim that hangs: timeout, one restart, timeout, then the rest are errors, in bounded time", async () =>
        {
            var shim = Script("hang", """
import sys, json, time
for line in sys.stdin:
    r = json.loads(line)
    if r["op"] == "hello":
        print(json.dumps({"id": r["id"], "name": "sleepy", "protocol": 1, "ops": ["jcs.canonicalize"]}), flush=True); continue
    time.sleep(600)
""");
            var clock = Stopwatch.StartNew();
            var r = await Bounded(() => TestCli.RunAsync("run", "--vectors", "--target", $"stdio:python3 {shim}", "--filter", "ltp/jcs#?", "--timeout-ms", "300"));
            Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(20), "bounded");
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "ltp/jcs");
            Expect.equal(c.GetProperty("outcome").GetString(), "timeout", "timeout outcome");
            Expect.stringContains(c.GetProperty("summary").GetString()!, "2 timeout (#1, #2)", "the first two time out (before and after the restart)");
            Expect.stringContains(c.GetProperty("summary").GetString()!, "7 error", "the rest are errors");
            Expect.isTrue(c.GetProperty("checks")[0].GetProperty("timedOut").GetBoolean(), "timedOut flag on the check");
        }),
        TestCase("a shim that writes garbage: an error per request, never a fail", async () =>
        {
            var shim = Script("garbage", """
import sys, json
for line in sys.stdin:
    r = json.loads(line)
    if r["op"] == "hello":
        print(json.dumps({"id": r["id"], "name": "noisy", "protocol": 1, "ops": ["merkle.root", "shard.version-id"]}), flush=True); continue
    print("<html>not json</html>" if r["id"] % 2 else json.dumps({"id": r["id"] + 1000, "result": "valid"}), flush=True)
""");
            var r = await Bounded(() => TestCli.RunAsync("run", "--vectors", "--target", $"stdio:python3 {shim}", "--filter", "shard/merkle#1?"));
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "shard/merkle");
            Expect.equal(c.GetProperty("outcome").GetString(), "error", c.GetProperty("summary").GetString()!);
            var actuals = c.GetProperty("checks").EnumerateArray().Select(k => k.GetProperty("actual").GetString()!).ToArray();
            Expect.equal(actuals.Length, 10, "#10 to #19 judged");
            Expect.isTrue(actuals.Any(a => a.Contains("not JSON")) && actuals.Any(a => a.Contains("expected")), "both kinds of garbage named");
        }),
        TestCase("a shim that answers unimplemented for a topic: unimplemented, not fail; other topics still judged", async () =>
        {
            // A proxy in front of the reference shim that refuses every ed25519 op.
            var proxy = Script("proxy", $$"""
import sys, json, subprocess
ref = subprocess.Popen(["dotnet", {{System.Text.Json.JsonSerializer.Serialize(Dll)}}, "shim", "--vectors"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
for line in sys.stdin:
    r = json.loads(line)
    if r["op"].startswith("ed25519."):
        print(json.dumps({"id": r["id"], "unimplemented": True}), flush=True); continue
    ref.stdin.write(line); ref.stdin.flush()
    print(ref.stdout.readline(), end="", flush=True)
""");
            var r = await Bounded(() => TestCli.RunAsync("run", "--vectors", "--target", $"stdio:python3 {proxy}", "--filter", "ltp/*"));
            Expect.equal(r.Exit, 0, "unimplemented is not a failure\n" + r);
            Expect.equal(Case(r, "ltp/ed25519").GetProperty("outcome").GetString(), "unimplemented", "ed25519");
            Expect.equal(Case(r, "ltp/ed25519").GetProperty("checks").GetArrayLength(), 0, "no check claimed for unimplemented tests");
            Expect.equal(Case(r, "ltp/jcs").GetProperty("outcome").GetString(), "pass", "jcs through the proxy");
            Expect.isFalse(r.FailedRequirements().Any(), "nothing failed");
            await SchemaValid(r);
        }),
        TestCase("the example Python shim (adapters/examples) passes shard/merkle; the topics it leaves out are unimplemented", async () =>
        {
            var example = Path.Combine(ReportSchema.RepoRoot(), "adapters", "examples", "merkle_shim.py");
            var r = await Bounded(() => TestCli.RunAsync("run", "--vectors", "--target", $"stdio:python3 {example}"));
            Expect.equal(r.Exit, 0, r.ToString());
            foreach (var file in VectorOps.ByTopic.Keys)
                Expect.equal(Case(r, file).GetProperty("outcome").GetString(), file == "shard/merkle" ? "pass" : "unimplemented", file);
        }),
        TestCase("usage and reachability: no target, a filter matching nothing (2); a shim that cannot start (3)", async () =>
        {
            Expect.equal((await TestCli.RunAsync("run", "--vectors")).Exit, 2, "no --target");
            Expect.equal((await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(), "--filter", "nope/*")).Exit, 2, "filter matches nothing");
            Expect.equal((await TestCli.RunAsync("run", "--vectors", "--target", "ws://127.0.0.1:1/")).Exit, 2, "not a stdio target");
            Expect.equal((await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(), "--spec", "lhs")).Exit, 2, "an option vector runs do not take");
            var r = await TestCli.RunAsync("run", "--vectors", "--target", "stdio:/nonexistent/shim");
            Expect.equal(r.Exit, 3, r.ToString());
        }),
    ]);

    private static System.Text.Json.JsonElement Case(CliRun r, string id) =>
        r.Report().GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

    private static string Script(string name, string text)
    {
        var path = Path.Combine(TestCli.TempDir("shim-" + name), name + ".py");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A run against a hostile shim must end on its own: fail the test rather than hang it.</summary>
    private static async Task<CliRun> Bounded(Func<Task<CliRun>> run) => await run().WaitAsync(TimeSpan.FromSeconds(60));

    private static async Task SchemaValid(CliRun r)
    {
        var errors = await ReportSchema.ErrorsAsync(File.ReadAllText(Path.Combine(r.OutDir, "report.json")));
        Expect.isEmpty(errors, "report.json must validate:\n" + string.Join("\n", errors.Take(20)));
    }
}
