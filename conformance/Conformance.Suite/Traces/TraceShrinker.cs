// Greedy structured shrinking over a failing trace: drop runs of steps (halves first, then single steps), then
// simplify each remaining step's variant and number — keeping a candidate only if it still fails the same
// requirement, so shrinking cannot slide from one bug to another. Bounded by a number of reruns.
namespace Conformance.Suite.Traces;

public static class TraceShrinker
{
    /// <summary>The smallest trace found that still fails; <paramref name="stillFails"/> reruns a candidate.</summary>
    public static async Task<(IReadOnlyList<TraceStep> Minimal, int Runs)> ShrinkAsync(IReadOnlyList<TraceStep> failing,
        Func<IReadOnlyList<TraceStep>, Task<bool>> stillFails, Func<TraceStep, IEnumerable<TraceStep>> simpler, int maxRuns)
    {
        var current = failing.ToList();
        var runs = 0;
        async Task<bool> Try(List<TraceStep> candidate)
        {
            if (candidate.Count == 0 || runs >= maxRuns) return false;
            runs++;
            if (!await stillFails(candidate)) return false;
            current = candidate;
            return true;
        }

        var improved = true;
        while (improved && runs < maxRuns)
        {
            improved = false;
            // Remove chunks, largest first: a long trace loses its irrelevant tail or head in a few runs.
            for (var size = current.Count / 2; size >= 1 && !improved; size /= 2)
                for (var at = 0; at + size <= current.Count && !improved; at += size)
                    improved = await Try([.. current[..at], .. current[(at + size)..]]);
            if (improved) continue;
            for (var i = 0; i < current.Count && !improved; i++)
                foreach (var s in simpler(current[i]))
                {
                    if (s == current[i]) continue;
                    var candidate = current.ToList();
                    candidate[i] = s;
                    if (improved = await Try(candidate)) break;
                }
        }
        return (current, runs);
    }
}
