// Shrinking a failing trace with FsCheck: the failing trace is the one value of an Arbitrary whose shrinker offers
// the trace without its first or second half, then FsCheck's own array shrinker (drop one step, or simplify one step
// by the protocol's Simpler); FsCheck's search keeps the first candidate that still fails and shrinks that again.
// What "still fails" means is the caller's (TraceEngine: a must or should rule broken, as by the original). Each candidate is
// a run against the live IUT, so the search is bounded by a number of runs: past it, candidates count as passing.
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace Conformance.Suite.Traces;

public static class TraceShrinker
{
    /// <summary>The smallest trace found that still fails; <paramref name="stillFails"/> reruns a candidate.</summary>
    public static async Task<(IReadOnlyList<TraceStep> Minimal, int Runs)> ShrinkAsync(IReadOnlyList<TraceStep> failing,
        Func<IReadOnlyList<TraceStep>, Task<bool>> stillFails, Func<TraceStep, IEnumerable<TraceStep>> simpler, int maxRuns)
    {
        var steps = Arb.Array(Arb.From(Gen.Constant(new TraceStep("")), simpler));
        IEnumerable<TraceStep[]> Candidates(TraceStep[] t) =>
            (t.Length >= 4 ? new[] { t[(t.Length / 2)..], t[..(t.Length / 2)] } : []).Concat(steps.Shrinker(t)).Where(c => c.Length > 0);

        TraceStep[] minimal = [.. failing];
        var runs = 0;
        // FsCheck first tests the value itself (it is known to fail: no run spent on it), then shrinks.
        var first = true;
        var property = Prop.ForAll(Arb.From(Gen.Constant(minimal), Candidates), async (TraceStep[] t) =>
        {
            if (first) { first = false; return false; }
            if (runs >= maxRuns) return true;
            runs++;
            if (!await stillFails(t)) return true;
            minimal = t;
            return false;
        });
        // FsCheck's runner is synchronous (it waits on the property's task): keep that wait off the caller's thread.
        await Task.Run(() => Check.One(Config.Quick.WithMaxTest(1).WithRunner(Quiet.Instance), property));
        return (minimal, runs);
    }

    /// <summary>Check.One prints through its runner: this one says nothing (the engine reports the outcome itself).</summary>
    private sealed class Quiet : IRunner
    {
        public static readonly Quiet Instance = new();
        public void OnStartFixture(Type t) { }
        public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every) { }
        public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) { }
        public void OnFinished(string name, TestResult testResult) { }
    }
}
