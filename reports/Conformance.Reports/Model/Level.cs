namespace Conformance.Reports.Model;

/// <summary>
/// A requirement's level, from the spec's own words: MUST/MUST NOT → Must, SHOULD → Should, MAY → May.
/// Model: the spec is silent or vague and the project decided (conformance/SPEC-NOTES.md); reported, never gating.
/// </summary>
public enum Level { Must, Should, May, Model }

public static class Levels
{
    public static string Name(this Level level) => level switch
    {
        Level.Must => "must",
        Level.Should => "should",
        Level.May => "may",
        Level.Model => "model",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>Only a failed must requirement makes a run fail (exit code 1).</summary>
    public static bool Gates(this Level level) => level == Level.Must;
}
