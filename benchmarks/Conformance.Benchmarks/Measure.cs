// A tiny harness for noisy shared machines: every benchmark is warmed up, then the rounds are interleaved (round r of
// every benchmark before round r+1 of any), so a load spike from a neighbour hits all of them alike and ratios stay fair.
// Each round is a fixed wall-clock duration measured with Stopwatch; a benchmark reports what it counted in it.
using System.Diagnostics;

namespace Conformance.Benchmarks;

/// <param name="WarmupSlice">One benchmark's turn in a warm-up pass.</param>
/// <param name="WarmupMin">Warm-up lasts at least this long: tier-0 code gives a plateau that can look settled.</param>
/// <param name="WarmupMax">Warm-up stops here even if the figures have not settled (the log says so).</param>
/// <param name="WarmupTolerance">"Settled": no benchmark's last two slices beat its earlier best by more than this fraction.</param>
public sealed record Settings(TimeSpan WarmupSlice, TimeSpan WarmupMin, TimeSpan WarmupMax, double WarmupTolerance, TimeSpan Round, int Rounds, bool Quick)
{
    public static readonly Settings Default = new(TimeSpan.FromSeconds(0.25), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), 0.05,
        TimeSpan.FromSeconds(1), 5, false);
    public static readonly Settings QuickRun = new(TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2.5), 0.05,
        TimeSpan.FromSeconds(0.3), 5, true);
}

/// <summary>What one round counted: <see cref="Ops"/> in the benchmark's unit, and optionally a second count (e.g. replies).</summary>
public readonly record struct RoundCount(long Ops, double Seconds, long Secondary = 0, bool RanOut = false);

/// <summary>One benchmark: a round runs for (about) the given duration, untimed setup included before its own clock starts.</summary>
public sealed class Benchmark
{
    public required string Name { get; init; }
    public required string Unit { get; init; }
    public required string What { get; init; }
    public required Func<TimeSpan, Task<RoundCount>> Round { get; init; }
    public string? SecondaryUnit { get; init; }
    public Func<ValueTask>? Cleanup { get; init; }
}

/// <summary>Rates of the measured rounds (not the warm-up).</summary>
public sealed class Series(IReadOnlyList<double> rates)
{
    public IReadOnlyList<double> Rates { get; } = rates;
    public double Median { get; } = MedianOf(rates);
    public double Min { get; } = rates.Min();
    public double Max { get; } = rates.Max();
    /// <summary>Largest distance of a round from the median, as a fraction of the median.</summary>
    public double Spread => Median == 0 ? 0 : Math.Max(Max - Median, Median - Min) / Median;

    private static double MedianOf(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}

public sealed record Result(Benchmark Benchmark, Series Ops, Series? Secondary, long TotalOps, int RoundsRanOut);

public static class Measure
{

    /// <summary>
    /// Runs <paramref name="op"/>(0), op(1), … until <paramref name="duration"/> has passed or op returns false (its
    /// pre-built inputs ran out). The clock is read after every op: fine for ops of microseconds, as here.
    /// </summary>
    public static RoundCount Loop(TimeSpan duration, Func<long, bool> op)
    {
        var limit = (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long n = 0;
        var ranOut = false;
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            if (!op(n)) { ranOut = true; break; }
            n++;
            if (Stopwatch.GetTimestamp() - start >= limit) break;
        }
        return new RoundCount(n, Stopwatch.GetElapsedTime(start).TotalSeconds, 0, ranOut);
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(IReadOnlyList<Benchmark> benchmarks, Settings s, Action<string> log)
    {
        // Warm-up, interleaved like the rounds: passes of one short slice per benchmark until no benchmark has set a new
        // best (by more than the tolerance) in its last two slices: the JIT only ever makes code faster, while a noisy
        // neighbour only ever makes it slower, so "no new best" is what settled looks like on a shared machine. Never
        // shorter than WarmupMin (tier-0 code runs at about half speed for up to a second or so and that plateau has no
        // new best either) nor longer than WarmupMax.
        var warm = Stopwatch.StartNew();
        var history = benchmarks.Select(_ => new List<double>()).ToArray();
        var passes = 0;
        var settled = false;
        while (true)
        {
            for (var i = 0; i < benchmarks.Count; i++)
            {
                var c = await benchmarks[i].Round(s.WarmupSlice);
                history[i].Add(Rate(c.Ops, c.Seconds));
            }
            passes++;
            settled = history.All(h => h.Count >= 3 && h[^2..].Max() <= h[..^2].Max() * (1 + s.WarmupTolerance));
            if ((settled && warm.Elapsed >= s.WarmupMin) || warm.Elapsed >= s.WarmupMax) break;
        }
        log($"  warm-up: {passes} passes of {s.WarmupSlice.TotalSeconds:0.0#} s in {warm.Elapsed.TotalSeconds:0.0} s" +
            (settled ? ", settled" : " (limit reached before every figure settled: figures may still be rising)"));
        for (var i = 0; i < benchmarks.Count; i++)
            log($"    {benchmarks[i].Name,-16} " + string.Join(" → ", history[i].Select(r => r.ToString("N0"))));

        var counts = benchmarks.Select(_ => new List<RoundCount>()).ToArray();
        for (var r = 0; r < s.Rounds; r++)
        {
            // Rotate the order each round so no benchmark always runs right after the same neighbour.
            for (var k = 0; k < benchmarks.Count; k++)
            {
                var i = (r + k) % benchmarks.Count;
                Settle();
                counts[i].Add(await benchmarks[i].Round(s.Round));
            }
            log($"  round {r + 1}/{s.Rounds}: " + string.Join("  ", benchmarks.Select((b, i) => $"{b.Name} {Rate(counts[i][^1].Ops, counts[i][^1].Seconds):N0}")));
        }

        return [.. benchmarks.Select((b, i) => new Result(b,
            new Series([.. counts[i].Select(c => Rate(c.Ops, c.Seconds))]),
            b.SecondaryUnit is null ? null : new Series([.. counts[i].Select(c => Rate(c.Secondary, c.Seconds))]),
            counts[i].Sum(c => c.Ops), counts[i].Count(c => c.RanOut)))];
    }

    public static double Rate(long count, double seconds) => seconds <= 0 ? 0 : count / seconds;

    /// <summary>Collects garbage left by the previous round so it is not charged to the next one.</summary>
    private static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
