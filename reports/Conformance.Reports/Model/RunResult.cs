// A run as data. The runner only records results keyed by stable IDs; every writer reads this and nothing else.
using Conformance.Adapters.Trace;

namespace Conformance.Reports.Model;

/// <summary>One judged aspect of a case, tied to one requirement: expected vs actual, as text a person can read.</summary>
public sealed record CheckResult(string Requirement, Level Level, bool Passed, string Expected, string Actual, bool TimedOut = false);

/// <summary>
/// A requirement a case set out to judge but could not: an earlier check failed (<see cref="BlockedBy"/>) and what this
/// one needs never happened. Neither pass nor fail: the requirement is "not verified (blocked by …)".
/// </summary>
public sealed record BlockedResult(string Requirement, Level Level, string BlockedBy, string Expected);

public sealed record CaseResult(
    string Id,
    string Spec,
    string Role,
    string Section,
    string Title,
    string Description,
    Level Level,
    IReadOnlyList<string> Requirements,
    Outcome Outcome,
    string Summary,
    IReadOnlyList<CheckResult> Checks,
    IReadOnlyList<TraceEntry> Trace,
    double DurationMs)
{
    /// <summary>"first" or "last" for the sanity copies that bracket each spec and role; null for every other case.</summary>
    public string? Sanity { get; init; }

    /// <summary>For a property-trace case: what was generated and, on failure, the minimal trace and how to replay it.</summary>
    public TraceRun? Traces { get; init; }

    /// <summary>Requirements this case could not judge because an earlier check failed.</summary>
    public IReadOnlyList<BlockedResult> Blocked { get; init; } = [];
}

/// <summary>
/// A property-trace case's run: <see cref="Count"/> traces of <see cref="Steps"/> steps in all, drawn from <see cref="Seed"/>.
/// When one failed: its number, the trace as generated, the shrunk one (whose wire trace is the case's evidence),
/// how many runs shrinking took, whether it failed again on rerun (else flaky), and the command that replays it.
/// </summary>
public sealed record TraceRun(ulong Seed, int Count, int Steps)
{
    public int? FailingTrace { get; init; }
    public string? Generated { get; init; }
    public string? Minimal { get; init; }
    public int ShrinkRuns { get; init; }
    public bool Flaky { get; init; }
    public string? Replay { get; init; }
}

/// <summary>Blocked: no check judged it, and a case that set out to was stopped by another requirement's failure.</summary>
public enum RequirementStatus { Passed, Failed, NotTested, Blocked }

public sealed record RequirementResult(
    string Id,
    string Spec,
    Level Level,
    string Section,
    string Quote,
    string ChecklistItem,
    IReadOnlyList<string> Roles,
    RequirementStatus Status,
    IReadOnlyList<string> Cases)
{
    /// <summary>When <see cref="Status"/> is Blocked: the requirements whose failures stopped the cases that would have judged it.</summary>
    public IReadOnlyList<string> BlockedBy { get; init; } = [];
}

public enum ItemStatus { Met, NotMet, NotVerified, NotApplicable }

/// <summary>One checklist item for one role of the IUT: met when all its must requirements for that role passed.</summary>
public sealed record ChecklistResult(
    string Spec,
    string Role,
    string Item,
    string Title,
    string Quote,
    ItemStatus Status,
    IReadOnlyList<string> FailedRequirements,
    IReadOnlyList<string> UntestedRequirements)
{
    /// <summary>Must requirements of this item that no check judged because another requirement failed first, with their blockers.</summary>
    public IReadOnlyList<BlockedRequirement> BlockedRequirements { get; init; } = [];
}

public sealed record BlockedRequirement(string Requirement, IReadOnlyList<string> BlockedBy);

public sealed record RunManifest(
    string Suite,
    string SuiteVersion,
    string? Commit,
    IReadOnlyList<string> Specs,
    IReadOnlyList<string> Roles,
    string Adapter,
    string Target,
    ulong Seed,
    int StepTimeoutMs,
    string? Fault,
    string? Filter,
    string? IutIdentity,
    DateTimeOffset Started,
    DateTimeOffset Finished,
    IReadOnlyList<string> Arguments)
{
    /// <summary>Salts what must be fresh per run (CIP identities and nonces, shard ids).</summary>
    public string? RunId { get; init; }
    /// <summary>SHA-256 of vectors/MANIFEST.json when the run found one (which golden vectors this suite carries).</summary>
    public string? VectorsManifestSha256 { get; init; }
    public string? ExpectFile { get; init; }
    public string? SkipFile { get; init; }
}

public sealed record RunCounts(int Total, int Pass, int Fail, int NonStrict, int Unimplemented, int Informational, int Error, int Timeout)
{
    public int Skipped { get; init; }
    /// <summary>Property-trace cases whose failure did not reproduce.</summary>
    public int Flaky { get; init; }
}

/// <summary>One spec's own verdict: its checklist roll-up, its coverage and the badge a project may show for it.</summary>
public sealed record SpecVerdict(string Spec, bool Ratified, string Verdict, int RequirementsCovered, int RequirementsTotal);

/// <summary>A case whose outcome differs from the --expect baseline (Expected null: the baseline does not know the case).</summary>
public sealed record Deviation(string CaseId, string? Expected, string Actual);

public sealed record RunResult(
    RunManifest Manifest,
    IReadOnlyList<CaseResult> Cases,
    IReadOnlyList<RequirementResult> Requirements,
    IReadOnlyList<ChecklistResult> Checklist,
    RunCounts Counts,
    bool Ratified,
    int ExitCode,
    string Verdict)
{
    /// <summary>Deviations from the --expect baseline (empty without one).</summary>
    public IReadOnlyList<Deviation> Deviations { get; init; } = [];
    /// <summary>Requirements with at least one check from a case that ran, of all requirements in the catalogs run.</summary>
    public int RequirementsCovered { get; init; }
    public int RequirementsTotal { get; init; }
    /// <summary>Per spec, in run order.</summary>
    public IReadOnlyList<SpecVerdict> Specs { get; init; } = [];
    /// <summary>What a reader must know beyond the counts: an IUT that died mid-run, how the run compares to its baseline.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
