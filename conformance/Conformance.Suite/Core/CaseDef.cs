using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

/// <summary>
/// One case: a stable ID, the section it checks, what the tester does (Description starts with the tester's action),
/// the requirements its checks may cite, and the run function that ends in one verifier call.
/// </summary>
public sealed record CaseDef(
    string Id,
    string Spec,
    IutRole Role,
    string Section,
    string Title,
    string Description,
    IReadOnlyList<string> Requirements,
    Func<CaseContext, Task<Verdict>> Run)
{
    /// <summary>How many step timeouts the whole case may take before it is cut off.</summary>
    public int BudgetSteps { get; init; } = 20;

    /// <summary>
    /// Adapters this case cannot run over, each with the reason (e.g. a case about WebSocket message order has no
    /// meaning over the HTTP Upgrade profile). Such a case is not run there and is reported as not applicable.
    /// </summary>
    public IReadOnlyDictionary<string, string> NotOver { get; init; } = new Dictionary<string, string>();

    /// <summary>When set, the only adapters this case runs over (a §5 case exists only over http), with the reason.</summary>
    public (string[] Adapters, string Reason)? OnlyOver { get; init; }

    /// <summary>Why this case cannot run over <paramref name="adapter"/>, or null when it can.</summary>
    public string? NotApplicableOver(string adapter) =>
        NotOver.TryGetValue(adapter, out var why) ? why
        : OnlyOver is { } only && !only.Adapters.Contains(adapter) ? only.Reason
        : null;

    /// <summary>"first" or "last" on the sanity copies that bracket a spec and role (see <see cref="SanityBracket"/>).</summary>
    public string? SanityRun { get; init; }
}

/// <summary>One judged aspect: a requirement, whether it held, and expected vs actual in words.</summary>
public sealed record Check(string Requirement, bool Passed, string Expected, string Actual, bool TimedOut = false);

/// <summary>What a case concluded: its checks, or that the IUT (or adapter) lacks what the case needs.</summary>
public sealed record Verdict(IReadOnlyList<Check> Checks, string? Unimplemented = null, string? Note = null)
{
    /// <summary>Set by property-trace cases (see <c>Traces/TraceEngine</c>).</summary>
    public TraceRun? Traces { get; init; }

    public static Verdict NotImplemented(string why, IReadOnlyList<Check>? checks = null) => new(checks ?? [], why);
}

/// <summary>Collects checks as a case runs; the case returns <see cref="Verdict"/> from it.</summary>
public sealed class Checks
{
    private readonly List<Check> _list = [];

    public IReadOnlyList<Check> All => _list;

    public bool AnyFailed => _list.Any(c => !c.Passed);

    public bool Expect(string requirement, bool passed, string expected, string actual, bool timedOut = false)
    {
        _list.Add(new Check(requirement, passed, expected, actual, timedOut && !passed));
        return passed;
    }

    public Verdict Verdict(string? note = null) => new(_list, null, note);

    public Verdict Unimplemented(string why) => new(_list, why);
}
