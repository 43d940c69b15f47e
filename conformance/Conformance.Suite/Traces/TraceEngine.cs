// Property-based traces (DESIGN.md "Property-based traces"): draw traces from the model, run each against the IUT
// with the model judging every reply, shrink the first failure to a minimal trace, rerun it for evidence, and say
// how to replay it. A failure that does not reproduce on rerun is flaky, neither pass nor fail.
using System.Collections.Concurrent;
using Conformance.Adapters.Trace;
using Conformance.Reports.Model;
using Conformance.Suite.Core;

namespace Conformance.Suite.Traces;

public static class TraceEngine
{
    /// <summary>After this many flaky traces generation stops: the IUT (or the machine) is not steady enough to judge.</summary>
    private const int Reproductions = 3;

    /// <summary>The verdict of a trace case: aggregated checks when every trace passed, else the minimal failing trace's.</summary>
    public static async Task<Verdict> RunAsync(CaseContext ctx, ITraceProtocol p, TraceSettings o)
    {
        var seed = ctx.Settings.Seed;
        var traces = Enumerable.Range(0, o.Count).Select(i => Generate(p, seed, i)).ToArray();
        var results = new Outcome?[o.Count];
        var flaky = new System.Collections.Concurrent.ConcurrentBag<int>();
        var stop = false;
        // Like any property run, the first failure ends generation (traces already under way finish, no new one
        // starts) — once it reproduces: a failure that passes on an immediate rerun is flaky, and generation goes on.
        await Parallel.ForEachAsync(Enumerable.Range(0, o.Count),
            // An agent's trust anchors are the suite's and hold one session each: their traces take turns.
            new ParallelOptions { MaxDegreeOfParallelism = p.Role == IutRole.Agent ? 1 : Math.Max(1, o.Parallel), CancellationToken = ctx.Cancel },
            async (i, _) =>
            {
                if (Volatile.Read(ref stop)) return;
                var r = await RunOneAsync(ctx, p, i, traces[i], null, null);
                if (r.Failed && !(await RunOneAsync(ctx, p, i, traces[i], null, null)).FailsLike(r.Signature))
                {
                    flaky.Add(i);
                    r = r with { Flaky = true };
                }
                results[i] = r;
                if (r.Gates(p.Catalog) && !r.Flaky && flaky.Count < Reproductions) Volatile.Write(ref stop, true);
                if (flaky.Count >= Reproductions) Volatile.Write(ref stop, true);
            });
        var ran = Enumerable.Range(0, o.Count).Where(i => results[i] is not null).ToArray();
        var run = new TraceRun(seed, ran.Length, ran.Sum(i => traces[i].Count));
        // A broken must or should first; a model-level reading broken only when nothing worse turned up.
        var reproduced = ran.Where(i => !results[i]!.Flaky).ToArray();
        var failing = reproduced.Where(i => results[i]!.Gates(p.Catalog)).Concat(reproduced.Where(i => results[i]!.Failed && !results[i]!.Gates(p.Catalog))).ToArray();
        if (failing.Length == 0 && flaky.IsEmpty) return Passed(ctx, p, [.. ran.Select(i => results[i]!)], run);

        foreach (var id in failing.Take(1))
        {
            var original = results[id]!;
            // A candidate still fails when it breaks a must or should rule, as the original did (a model-level finding:
            // the same requirement). One fault often shows under several requirements — a reply to a dropped envelope
            // is read where a later answer was due — so insisting on the first symptom's requirement would keep the
            // longer trace; the minimal trace's own checks are the evidence the report shows.
            var (minimal, runs) = await TraceShrinker.ShrinkAsync(traces[id],
                async candidate => (await RunOneAsync(ctx, p, id, candidate, null, null)).FailsAs(original, p.Catalog), p.Simpler, o.ShrinkRuns);
            var evidence = await EvidenceAsync(ctx, p, o, id, minimal);
            run = run with
            {
                FailingTrace = id, Generated = TraceStep.Script(traces[id]), Minimal = TraceStep.Script(minimal), ShrinkRuns = runs,
                Flaky = !evidence.Failed,
                Replay = o.ReplayCommand?.Invoke(id, TraceStep.Script(minimal)),
            };
            var note = $"trace {id} (seed {seed}) failed; shrunk from {traces[id].Count} to {minimal.Count} step(s) in {runs} run(s): {run.Minimal}" +
                (run.Replay is { } r ? $"; replay: {r}" : "") + (run.Flaky ? "; the minimal trace passed on its evidence rerun: flaky" : "");
            ctx.Trace.Note(note);
            // The shrunk trace's own checks are the evidence; a rerun that passed still shows what failed at first.
            return new Verdict(run.Flaky ? results[id]!.Checks : evidence.Checks, null, note) { Traces = run };
        }
        var first = flaky.Min();
        var why = $"trace {first} (seed {seed}) failed, then passed on rerun: flaky ({flaky.Count} such trace(s), no failure that reproduced)";
        ctx.Trace.Note(why + ": " + TraceStep.Script(traces[first]));
        return new Verdict(results[first]!.Checks, null, why)
        {
            Traces = run with { FailingTrace = first, Generated = TraceStep.Script(traces[first]), Flaky = true },
        };
    }

    /// <summary>Runs one script (a replay): its checks, recorded into <paramref name="ctx"/>'s trace, against a fresh IUT when one can be had.</summary>
    public static async Task<Verdict> ReplayAsync(CaseContext ctx, ITraceProtocol p, TraceSettings o, int id, IReadOnlyList<TraceStep> steps)
    {
        var evidence = await EvidenceAsync(ctx, p, o, id, steps);
        var run = new TraceRun(ctx.Settings.Seed, 1, steps.Count) { FailingTrace = evidence.Failed ? id : null, Minimal = TraceStep.Script(steps) };
        return new Verdict(evidence.Checks, null, $"replay of trace {id}: {run.Minimal}") { Traces = run };
    }

    public static IReadOnlyList<TraceStep> Generate(ITraceProtocol p, ulong seed, int id) => TraceGen.Sample(p.Traces, seed, p.CaseId, id);

    /// <summary>The minimal trace once more, into the case's own wire trace, against a fresh seeded IUT when there is one.</summary>
    private static async Task<Outcome> EvidenceAsync(CaseContext ctx, ITraceProtocol p, TraceSettings o, int id, IReadOnlyList<TraceStep> steps)
    {
        if (o.Fresh is null) return await RunOneAsync(ctx, p, id, steps, null, ctx.Trace);
        var fresh = await o.Fresh($"{p.CaseId}/{id}");
        try { return await RunOneAsync(ctx, p, id, steps, fresh.Targets, ctx.Trace); }
        finally { await fresh.Owner.DisposeAsync(); }
    }

    private static async Task<Outcome> RunOneAsync(CaseContext parent, ITraceProtocol p, int id, IReadOnlyList<TraceStep> steps, Targets? targets, WireTrace? trace)
    {
        // Every step may wait a few step timeouts (a reply, then the close); more than that is the IUT stalling.
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(parent.Cancel);
        cts.CancelAfter(parent.Step * (4 * steps.Count + 4));
        await using var ctx = new CaseContext(parent.Case, parent.Settings, targets?.Server ?? parent.Server, targets?.Client ?? parent.Client, cts.Token,
            targets?.Agent ?? parent.Agent, stream: $"{p.CaseId}/{id}", trace: trace);
        // Once a full step timeout has shown this IUT keeps connections open after its error frame, a trace waits only
        // briefly for that close: shrinking reruns the same rejection many times, and the evidence cites the full wait.
        ctx.CloseMayRestOnFacts = true;
        if (parent.Settings.Facts.KeepsOpenAfterError(p.Spec, p.Role.Name()) is { } known)
        {
            ctx.CloseWindow = parent.Step < CaseContext.ShortCloseWindow ? parent.Step : CaseContext.ShortCloseWindow;
            ctx.CloseKnownFrom = known;
        }
        var checks = new Checks();
        try
        {
            await p.RunAsync(ctx, checks, steps);
            await checks.SettleAsync();
        }
        catch (OperationCanceledException) when (!parent.Cancel.IsCancellationRequested)
        {
            checks.Expect(p.Requirements[0], false, "the trace completes within its budget", "the IUT stalled the trace past its budget", timedOut: true);
        }
        return new Outcome(checks.All);
    }

    private static Verdict Passed(CaseContext ctx, ITraceProtocol p, Outcome[] results, TraceRun run)
    {
        var checks = new Checks();
        foreach (var g in results.SelectMany(r => r.Checks).GroupBy(c => c.Requirement).OrderBy(g => g.Key, StringComparer.Ordinal))
            checks.Expect(g.Key, true, "every reply as the model allows", $"{g.Count()} check(s) passed across the traces");
        var note = $"{run.Count} traces, {run.Steps} steps (seed {run.Seed}): every reply as the model allows";
        ctx.Trace.Note(note);
        return checks.Verdict(note) with { Traces = run };
    }

    private sealed record Outcome(IReadOnlyList<Check> Checks)
    {
        /// <summary>Failed, then passed when run again at once.</summary>
        public bool Flaky { get; init; }
        public bool Failed => Checks.Any(c => !c.Passed);
        public string? Signature => Checks.FirstOrDefault(c => !c.Passed)?.Requirement;
        public bool FailsLike(string? signature) => Failed && Signature == signature;
        public bool FailsAs(Outcome original, Catalog catalog) => original.Gates(catalog) ? Gates(catalog) : FailsLike(original.Signature);
        public bool Gates(Catalog catalog) => Checks.Any(c => !c.Passed && catalog.Get(c.Requirement).Level is Level.Must or Level.Should);
    }
}
