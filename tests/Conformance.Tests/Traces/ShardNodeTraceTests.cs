// The Shard node traces (the suite plays the edge): the reference node passes them over websocket and stdio, every
// step kind does what it says against the reference and a broken node, a broken node's leftover resume does not spoil
// the next trace, and the replay line of a caught node fault (with the adapter the run used) reproduces its failing
// requirement.
using Conformance.Reference.Faults;
using Conformance.Reference.Shard;
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Traces;
using Conformance.Suite.Traces.Shard;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Traces;

public static class ShardNodeTraceTests
{
    private static readonly string[] NodeRequirements =
        ["SHARD-2.1-negotiation", "SHARD-2.2-header-sent", "SHARD-4.2-chunks-sent", "SHARD-4.2-resend", "SHARD-4.3-node-resume"];

    public static Test Tests() => TestList("traces.shard-node",
    [
        TestCase("the reference node passes 200 traces over websocket and stdio, every node requirement checked", async () =>
        {
            foreach (var adapter in new[] { "websocket", "stdio" })
            {
                var r = await TestCli.RunAsync("run", "--spec", "shard", "--role", "client", "--filter", "SHARD-N-traces", "--adapter", adapter);
                Expect.equal(r.Exit, 0, $"{adapter}: the reference passes\n{r}");
                var c = TraceEngineTests.TraceCase(r);
                Expect.equal(c.GetProperty("id").GetString(), "SHARD-N-traces", "the node's trace case");
                Expect.equal(c.GetProperty("outcome").GetString(), "pass", $"{adapter}: pass");
                Expect.equal(c.GetProperty("traces").GetProperty("count").GetInt32(), 200, "the default is 200 traces");
                var checkedIds = c.GetProperty("checks").EnumerateArray().Select(k => k.GetProperty("requirement").GetString()).ToHashSet();
                foreach (var id in NodeRequirements) Expect.isTrue(checkedIds.Contains(id), $"{adapter}: {id} is checked by some trace");
            }
        }),
        TestCase("200 node traces draw every step kind, valid and mutated, and only steps the protocol knows", () =>
        {
            var p = ShardNodeTraces.Instance;
            var traces = Enumerable.Range(0, 200).Select(i => TraceEngine.Generate(p, 1, i)).ToArray();
            var steps = traces.SelectMany(t => t).ToArray();
            foreach (var kind in new[] { "hello-ack", "header-ack", "nack", "drop", "resume-ack", "error", "text" })
                Expect.isTrue(steps.Any(s => s.Kind == kind), $"some step is a {kind}");
            foreach (var (kind, variant) in new[] { ("hello-ack", "unoffered"), ("hello-ack", "other"), ("nack", "range"), ("resume-ack", "no-received") })
                Expect.isTrue(steps.Any(s => s.Kind == kind && s.Variant == variant), $"some step is a {kind}:{variant}");
            Expect.isTrue(steps.All(s => p.Unknown(s) is null), "every drawn step is one the protocol knows");
            Expect.isGreaterThan(traces.Select(TraceStep.Script).Distinct().Count(), 60, "the traces are mostly different");
        }),
        TestCase("each step kind against the reference node and a broken one", async () =>
        {
            (string Script, string? Fault, string? Fails)[] rows =
            [
                ("hello-ack", null, null),
                ("hello-ack:other;header-ack", null, null),
                ("hello-ack:unoffered", null, null),
                ("hello-ack:no-token", null, null),
                ("hello-ack:notjson", null, null),
                ("error:version", null, null),
                ("hello-ack;error", null, null),
                ("hello-ack;text:garbage", null, null),
                ("hello-ack;text:hello-ack", null, null),
                ("hello-ack;nack:range", null, null),
                ("hello-ack;header-ack;nack#2;nack#2;nack#2;nack#2", null, null),
                ("hello-ack;header-ack;drop#3;resume-ack", null, null),
                ("hello-ack;header-ack;drop#1;resume-ack:unknown", null, null),
                ("hello-ack;header-ack;drop#1;resume-ack:no-received", null, null),
                ("hello-ack;header-ack;drop#1;text:commit", null, null),
                ("hello-ack:unoffered", "shard-node-any-version", "SHARD-2.1-negotiation"),
                ("hello-ack", "shard-node-foreign-signature", "SHARD-2.2-header-sent"),
                ("hello-ack;header-ack", "shard-node-wrong-proof", "SHARD-4.2-chunks-sent"),
                ("hello-ack;header-ack;nack#1", "shard-node-no-resend", "SHARD-4.2-resend"),
                ("hello-ack;header-ack;drop#2;resume-ack", "shard-node-resends-all", "SHARD-4.3-node-resume"),
            ];
            foreach (var (script, fault, fails) in rows)
            {
                var r = await Replay(script, fault is null ? null : LhsFaults.Find(fault)!);
                var failed = r.Checks.Where(k => !k.Passed).Select(k => k.Requirement).Distinct().ToArray();
                var what = $"{script} against {fault ?? "the reference"}: {r.Outcome.Name()} {r.Summary}";
                if (fails is null) Expect.equal(r.Outcome, Outcome.Pass, what);
                else Expect.sequenceEqual(failed, [fails], what);
                Expect.isNonEmpty(r.Checks, $"{script}: the model judged something");
            }
        }),
        TestCase("a broken node's leftover resume after a failed trace does not spoil the next trace", async () =>
        {
            await using var node = await EmbeddedShardNode.StartAsync(1, () => LhsFaults.Find("shard-node-any-version")!.As(ShardNodeBehaviour.Correct));
            var failing = await Replay("hello-ack:unoffered", null, node);
            Expect.equal(failing.Outcome, Outcome.Fail, "the broken node goes on with 9.9: " + failing.Summary);
            // The node took the suite's close as a drop and comes back with resume: the next trace closes that first.
            var next = await Replay("hello-ack;header-ack", null, node);
            Expect.equal(next.Outcome, Outcome.Pass, "the next trace meets a new upload: " + next.Summary);
        }),
        TestCase("the replay line of a caught node fault reproduces its failing requirement, over websocket and stdio", async () =>
        {
            foreach (var adapter in new[] { "websocket", "stdio" })
            {
                var run = await TestCli.RunAsync("run", "--spec", "shard", "--role", "client", "--filter", "SHARD-N-traces", "--fault", "shard-node-resends-all",
                    "--timeout-ms", "1000", "--adapter", adapter);
                Expect.equal(run.Exit, 1, $"{adapter}: the broken node fails\n{run}");
                var original = TraceEngineTests.TraceCase(run);
                var line = original.GetProperty("traces").GetProperty("replay").GetString()!;
                Expect.stringStarts(line, "./run-conformance.sh replay --spec shard --role client ", "a one-line command");
                Expect.equal(line.Contains("--adapter stdio"), adapter == "stdio", $"{adapter}: the line names the adapter the run used: {line}");
                var args = TraceDetectionTests.ShellWords(line["./run-conformance.sh ".Length..]);
                var replay = await TestCli.RunAsync([.. args, "--out", TestCli.TempDir("node-replay")]);
                Expect.equal(replay.Exit, 1, $"{adapter}: the replay fails\n{replay}");
                Expect.sequenceEqual(TraceDetectionTests.Failed(TraceEngineTests.TraceCase(replay)), ["SHARD-4.3-node-resume"], $"{adapter}: the fault's requirement");
                Expect.sequenceEqual(TraceDetectionTests.Failed(TraceEngineTests.TraceCase(replay)), TraceDetectionTests.Failed(original), "as the run's minimal trace");
            }
        }),
    ]);

    /// <summary>One script against the embedded reference node (broken by <paramref name="fault"/>), or against <paramref name="node"/>.</summary>
    private static async Task<CaseResult> Replay(string script, Fault? fault, EmbeddedShardNode? node = null)
    {
        var own = node is null ? await EmbeddedShardNode.StartAsync(1, () => fault.Or(ShardNodeBehaviour.Correct)) : null;
        try
        {
            var p = ShardNodeTraces.Instance;
            var def = TraceCases.Case(p, new TraceSettings(1, Parallel: 1), (0, TraceStep.Parse(script)!));
            var settings = new RunSettings(1, TimeSpan.FromMilliseconds(1000)) { AcceptTimeout = TimeSpan.FromSeconds(5) };
            return await CaseExecutor.RunAsync(def, p.Catalog, settings, null, node ?? own, default);
        }
        finally { if (own is not null) await own.DisposeAsync(); }
    }
}
