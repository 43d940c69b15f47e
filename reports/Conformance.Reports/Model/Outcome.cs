namespace Conformance.Reports.Model;

/// <summary>What one case concluded.</summary>
public enum Outcome
{
    /// <summary>Every check passed.</summary>
    Pass,
    /// <summary>A must check failed.</summary>
    Fail,
    /// <summary>Only should checks failed.</summary>
    NonStrict,
    /// <summary>The IUT lacks an optional feature (or the adapter cannot observe what the case needs).</summary>
    Unimplemented,
    /// <summary>Only model-level checks failed: the project's reading of a vague sentence, reported, never gating.</summary>
    Informational,
    /// <summary>The suite could not run the case (its own failure or a configuration problem).</summary>
    Error,
    /// <summary>A must check failed because the IUT did not answer within the step timeout, or the case overran.</summary>
    Timeout,
    /// <summary>Not run: disabled by a --skip file, with its written reason.</summary>
    Skipped,
    /// <summary>A property trace failed, then passed when run again: neither pass nor fail (never gating, always shown).</summary>
    Flaky,
}

public static class Outcomes
{
    public static string Name(this Outcome o) => o switch
    {
        Outcome.Pass => "pass",
        Outcome.Fail => "fail",
        Outcome.NonStrict => "non-strict",
        Outcome.Unimplemented => "unimplemented",
        Outcome.Informational => "informational",
        Outcome.Error => "error",
        Outcome.Timeout => "timeout",
        Outcome.Skipped => "skipped",
        Outcome.Flaky => "flaky",
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };

    /// <summary>Outcomes that make the run exit 1.</summary>
    public static bool IsFailure(this Outcome o) => o is Outcome.Fail or Outcome.Error or Outcome.Timeout;

    public static bool TryParse(string? name, out Outcome outcome)
    {
        foreach (var o in Enum.GetValues<Outcome>())
            if (o.Name() == name) { outcome = o; return true; }
        outcome = default;
        return false;
    }
}
