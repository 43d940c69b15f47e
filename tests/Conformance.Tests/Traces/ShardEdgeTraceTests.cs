// Shard edge traces beyond the upload: rollbacks, registry reads, overrides and restarts happen in a default run,
// each of the faults only those show is caught by the traces alone in a short trace, and a restart the IUT does not
// allow is skipped and said so, never faked.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Reference.Faults;
using Conformance.Reference.Shard;
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Traces;
using Conformance.Suite.Traces.Shard;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Traces;

public static class ShardEdgeTraceTests
{
    private static readonly ShardEdgeTraces P = ShardEdgeTraces.Instance;
    private static readonly RunSettings Settings = new(1, TimeSpan.FromMilliseconds(1000));

    public static Test Tests() => TestList("traces.shard-edge",
    [
        TestCase("200 traces at the default seed roll back, read back, build on an invalidated version and restart mid-upload", () =>
        {
            var scripts = Enumerable.Range(0, TraceSettings.DefaultCount).Select(i => TraceStep.Script(TraceEngine.Generate(P, 1, i))).ToArray();
            int Count(string pattern) => scripts.Count(s => System.Text.RegularExpressions.Regex.IsMatch(s, pattern));
            var stories = new (string Name, string Pattern, int AtLeast)[]
            {
                ("a commit, a rollback, then a read", @"(all|hello:empty;header);.*rollback;query", 15),
                ("a rollback, then a header on the invalidated version", @"rollback;.*header:(invalidated|override|override-node)", 8),
                ("a rollback, then the authority's override", @"rollback;.*header:override(;|$)", 1),
                ("a restart mid-upload, then resume", @"header;.*restart;resume", 5),
                ("a restart, then a read", @"restart;query", 5),
                ("a chunk in, a drop, then a resume or a read", @"header;(chunk[^;]*;)+(resume|reconnect;query)", 3),
                ("a tampered chunk or a wrong proof mid-upload", @"header;(chunk[^;]*;|all;)*chunk:(tampered|bad-proof)", 3),
                ("the canonical version sent again on itself", @"header:conflict-on-head", 3),
                ("a hash-based id of another tree, to the end", @"header:hash-version;all", 2),
            };
            foreach (var (name, pattern, _) in stories) Console.WriteLine($"  {Count(pattern),3} of 200: {name}");
            foreach (var (name, pattern, atLeast) in stories) Expect.isGreaterThanOrEqual(Count(pattern), atLeast, name);
        }),
        TestCase("the traces alone catch each fault only rollback, override, restart and conflict show, in a short trace", async () =>
        {
            var faults = new (string Name, int Frames)[]
            {
                ("shard-deletes-on-rollback", 12), ("shard-no-rollback-audit", 12), ("shard-override-not-required", 16),
                ("shard-sessions-not-durable", 12), ("shard-version-conflict-ignored", 11),
            };
            foreach (var (name, frames) in faults)
            {
                var f = ShardFaults.All.Single(x => x.Name == name);
                var r = await TracesAlone(f);
                var sent = r.Trace.Count(e => e.Direction == Direction.Sent && e.Kind is FrameKind.Text or FrameKind.Binary);
                Console.WriteLine($"  {name,-32} {r.Outcome.Name(),-6} {sent,2} frame(s) [{r.Traces?.Minimal}]");
                Expect.equal(r.Outcome, Outcome.Fail, $"{name}: the traces fail the edge");
                Expect.isTrue(r.Checks.Any(c => !c.Passed && c.Requirement == f.ExpectedRequirement), $"{name}: on {f.ExpectedRequirement} ({string.Join(", ", r.Checks.Where(c => !c.Passed).Select(c => c.Requirement))})");
                Expect.isLessThanOrEqual(sent, frames, $"{name}: the shrunk trace [{r.Traces?.Minimal}] is no longer than the shortest hand-written case");
            }
        }),
        TestCase("a trace is saved as a transcript unless the upload's connection goes on after a rollback or query beside it", () =>
        {
            string? Why(string script) => ShardEdgeTraces.NotTranscribable(TraceStep.Parse(script)!);
            Expect.isNull(Why("hello:empty;header;rollback;query"), "the side connections come last");
            Expect.isNull(Why("hello;header;query;reconnect;hello;header"), "a new connection after the read");
            Expect.isNull(Why("hello;header;restart;resume;chunk"), "a restart reads as a drop");
            Expect.isNotNull(Why("hello;header;query;chunk"), "the upload goes on after the read: frames of two connections interleave");
            Expect.isNotNull(Why("hello;header;chunk;resume;rollback;chunk"), "the same after a resume");
        }),
        TestCase("a restart the IUT does not allow is skipped and noted; what needs it is not judged", async () =>
        {
            var f = ShardFaults.All.Single(x => x.Name == "shard-sessions-not-durable");
            var script = TraceStep.Parse("hello;header;chunk;restart;resume")!;
            await using var edge = await EmbeddedShardEdge.StartAsync(() => f.As(ShardEdgeBehaviour.Correct));
            var restarted = await CaseExecutor.RunAsync(TraceCases.Case(P, new TraceSettings(1), (0, script)), P.Catalog, Settings, edge, null, default);
            Expect.equal(restarted.Outcome, Outcome.Fail, "restarted, the edge has lost the session");
            Expect.isTrue(restarted.Checks.Any(c => !c.Passed && c.Requirement == "SHARD-4.3-durable"), "under SHARD-4.3-durable");
            var fixedEdge = new NotRestartable(edge);
            var skipped = await CaseExecutor.RunAsync(TraceCases.Case(P, new TraceSettings(1), (0, script)), P.Catalog, Settings, fixedEdge, null, default);
            Expect.equal(skipped.Outcome, Outcome.Pass, "without a restart the session is there");
            Expect.isFalse(skipped.Checks.Any(c => c.Requirement == "SHARD-4.3-durable"), "nothing is judged as durability");
            Expect.isTrue(skipped.Trace.Any(e => e.Kind == FrameKind.Note && e.Note?.Contains("restart skipped", StringComparison.Ordinal) == true), "the trace says the restart was skipped");
        }),
    ]);

    private static async Task<CaseResult> TracesAlone(Fault f)
    {
        await using var edge = await EmbeddedShardEdge.StartAsync(() => f.As(ShardEdgeBehaviour.Correct));
        // The minimal trace's evidence run is against a fresh seeded edge, as in a CLI run: its restarts must go through too.
        var options = new TraceSettings(TraceSettings.DefaultCount, Fresh: TraceCases.EmbeddedFresh("shard", IutRole.Server, Settings.Seed, f));
        return await CaseExecutor.RunAsync(TraceCases.Case(P, options), P.Catalog, Settings, edge, null, default);
    }

    /// <summary>The embedded edge behind a target the suite cannot restart (as a remote IUT would be).</summary>
    private sealed class NotRestartable(EmbeddedShardEdge edge) : IServerTarget
    {
        public string Adapter => edge.Adapter;
        public string Describe => edge.Describe;
        public byte[] ServerKey => edge.ServerKey;
        public IObservationSource? Observations => edge.Observations;
        public Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) => edge.ConnectAsync(trace, timeout, cancel);
    }
}
