// Property traces per second against the reference LHS edge on loopback (issue 6), as a ratio to plain handshakes per
// second through the same engine, edge and parallelism: how many handshake-equivalents one generated trace costs.
using Conformance.Reference.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Traces;
using Conformance.Suite.Traces.Lhs;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Benchmarks;

public static class TracesBenchmark
{
    /// <summary>Traces per engine call: a round runs calls until its time is up.</summary>
    private const int Batch = 40;

    /// <summary>Traces at once, as `run` does by default (--trace-parallel 4).</summary>
    public const int Parallel = 4;

    /// <summary>The baseline: every trace is the plain handshake hello;bind (4 frames, one seal signed and verified).</summary>
    public static Task<Benchmark> HandshakesAsync() =>
        BuildAsync("lhs.handshake", "handshakes/s", "hello → mirror → bind → seal on a fresh loopback connection, judged by the model", new HandshakeOnly());

    public static Task<Benchmark> TracesAsync() =>
        BuildAsync("traces.lhs", "traces/s", "generated LHS server traces (valid runs and mutations), every reply judged by the model", LhsServerTraces.Instance);

    private static async Task<Benchmark> BuildAsync(string name, string unit, string what, ITraceProtocol p)
    {
        var edge = await EmbeddedLhsServer.StartAsync(1, () => LhsServerBehaviour.Correct);
        ulong seed = 0;
        return new Benchmark
        {
            Name = name, Unit = unit, What = what, SecondaryUnit = "steps/s",
            Round = async duration =>
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                long traces = 0, steps = 0;
                while (clock.Elapsed < duration)
                {
                    // A new seed per batch: the traces keep changing, as over a long run.
                    var run = await RunBatchAsync(p, edge.Target, ++seed);
                    traces += run.Count;
                    steps += run.Steps;
                }
                return new RoundCount(traces, clock.Elapsed.TotalSeconds, steps);
            },
            Cleanup = () => edge.DisposeAsync(),
        };
    }

    private static async Task<Reports.Model.TraceRun> RunBatchAsync(ITraceProtocol p, IServerTarget target, ulong seed)
    {
        var def = TraceCases.Case(p, new TraceSettings(Batch, Parallel));
        await using var ctx = new CaseContext(def, new RunSettings(seed, TimeSpan.FromSeconds(2)), target, null, CancellationToken.None);
        var verdict = await TraceEngine.RunAsync(ctx, p, new TraceSettings(Batch, Parallel));
        if (verdict.Traces is not { FailingTrace: null } run)
            throw new InvalidOperationException($"the reference edge failed a trace: {verdict.Note}");
        return run;
    }

    private sealed class HandshakeOnly : ITraceProtocol
    {
        private static readonly LhsServerTraces Inner = LhsServerTraces.Instance;
        public string Spec => Inner.Spec;
        public IutRole Role => Inner.Role;
        public string CaseId => Inner.CaseId;
        public string Section => Inner.Section;
        public Catalog Catalog => Inner.Catalog;
        public IReadOnlyList<string> Requirements => Inner.Requirements;
        public Gen<TraceStep[]> Traces => Gen.Constant<TraceStep[]>([new("hello"), new("bind")]);
        public IEnumerable<TraceStep> Simpler(TraceStep step) => [];
        public string? Unknown(TraceStep step) => Inner.Unknown(step);
        public Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps) => Inner.RunAsync(ctx, checks, steps);
    }
}
