// The step kinds of one protocol and their variants: valid ones (other choices a conforming IUT must accept) and
// broken ones (mutations it must refuse). Checks a step of a replay script and gives the default simplifications.
namespace Conformance.Suite.Traces;

public sealed class TraceVariants(IReadOnlyDictionary<string, (string[] Valid, string[] Invalid)> kinds, int maxN)
{
    public IReadOnlyCollection<string> Kinds => [.. kinds.Keys];
    public string[] Valid(string kind) => kinds[kind].Valid;
    public string[] Invalid(string kind) => kinds[kind].Invalid;

    /// <summary>Null when the step is one of these kinds and variants with N in 0..maxN; else why not.</summary>
    public string? Unknown(TraceStep s) =>
        !kinds.TryGetValue(s.Kind, out var v) ? $"unknown step kind \"{s.Kind}\" (known: {string.Join(", ", kinds.Keys)})"
        : s.Variant.Length > 0 && !v.Valid.Contains(s.Variant) && !v.Invalid.Contains(s.Variant) ? $"unknown variant \"{s.Variant}\" of {s.Kind}"
        : s.N < 0 || s.N > maxN ? $"#{s.N} is out of range 0..{maxN}" : null;

    /// <summary>The default simplifications of a step: its plain variant, then smaller numbers.</summary>
    public static IEnumerable<TraceStep> Simpler(TraceStep s)
    {
        if (s.Variant.Length > 0) yield return s with { Variant = "" };
        if (s.N != 0) { yield return s with { N = 0 }; yield return s with { N = s.N / 2 }; }
    }
}
