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

    /// <summary>
    /// The requirements this case exists to judge (default: the first it declares). One that no check judged while
    /// another check failed is reported "not verified (blocked by …)", never passed or failed on the blocker's account.
    /// </summary>
    public IReadOnlyList<string> Subjects { get; init; } = Requirements.Take(1).ToArray();
}

/// <summary>One judged aspect: a requirement, whether it held, and expected vs actual in words.</summary>
public sealed record Check(string Requirement, bool Passed, string Expected, string Actual, bool TimedOut = false);

/// <summary>What a case concluded: its checks, or that the IUT (or adapter) lacks what the case needs.</summary>
/// <summary>A requirement the case could not judge: <paramref name="BlockedBy"/> failed first, and what this one needs never happened.</summary>
public sealed record Blocked(string Requirement, string BlockedBy, string Expected);

public sealed record Verdict(IReadOnlyList<Check> Checks, string? Unimplemented = null, string? Note = null)
{
    /// <summary>Set by property-trace cases (see <c>Traces/TraceEngine</c>).</summary>
    public TraceRun? Traces { get; init; }

    /// <summary>Requirements the case could not judge because an earlier check failed.</summary>
    public IReadOnlyList<Blocked> Blocked { get; init; } = [];

    /// <summary>
    /// Set when some checks are still being judged (a close awaited after an error frame): the final verdict, once they
    /// are in. The runner may start the next case meanwhile, so waiting out a silent IUT does not add up case after case.
    /// </summary>
    public Func<Task<Verdict>>? Settle { get; init; }

    public static Verdict NotImplemented(string why, IReadOnlyList<Check>? checks = null) => new(checks ?? [], why);
}

/// <summary>Collects checks as a case runs; the case returns <see cref="Verdict"/> from it.</summary>
public sealed class Checks
{
    private readonly List<Check> _list = [];

    public IReadOnlyList<Check> All { get { lock (_list) return _list.ToArray(); } }

    private readonly List<Blocked> _blocked = [];
    private readonly List<Task> _later = [];

    public bool AnyFailed { get { lock (_list) return _list.Any(c => !c.Passed); } }

    /// <summary>The requirement of the first failed check, or null while every check passed.</summary>
    public string? FirstFailure { get { lock (_list) return _list.FirstOrDefault(c => !c.Passed)?.Requirement; } }

    public bool Expect(string requirement, bool passed, string expected, string actual, bool timedOut = false)
    {
        lock (_list) _list.Add(new Check(requirement, passed, expected, actual, timedOut && !passed));
        return passed;
    }

    /// <summary>
    /// Judging that goes on after the case's last step (e.g. waiting for the IUT to close after its error frame): its
    /// checks join this list when <paramref name="judging"/> completes; the case's verdict settles only then.
    /// </summary>
    public void Later(Task judging)
    {
        lock (_later) _later.Add(judging);
    }

    /// <summary>Waits for every <see cref="Later"/> judgement (property traces judge each trace whole).</summary>
    public async Task SettleAsync()
    {
        while (true)
        {
            Task[] pending;
            lock (_later) { pending = [.. _later]; _later.Clear(); }
            if (pending.Length == 0) return;
            await Task.WhenAll(pending);
        }
    }

    private bool HasLater { get { lock (_later) return _later.Count > 0; } }

    private Verdict Snapshot(string? unimplemented, string? note)
    {
        lock (_list) return new(_list.ToArray(), unimplemented, note) { Blocked = [.. _blocked] };
    }

    /// <summary>
    /// <paramref name="requirement"/> cannot be judged: an earlier check failed (<paramref name="blockedBy"/>, default the
    /// first failure) and what it needs never happened. Reported "not verified (blocked by …)", not as a failure of its own.
    /// </summary>
    public void Blocked(string requirement, string expected, string? blockedBy = null)
    {
        var by = blockedBy ?? FirstFailure
            ?? throw new InvalidOperationException($"suite defect: {requirement} reported blocked, but no check failed before it");
        _blocked.Add(new Blocked(requirement, by, expected));
    }

    /// <summary>
    /// Judges <paramref name="requirement"/> unless an earlier check already failed and this one failed only for want of
    /// what that step would have given (<paramref name="passed"/> false): then it is blocked, not failed.
    /// </summary>
    public bool ExpectUnlessBlocked(string requirement, bool passed, string expected, string actual, bool timedOut = false)
    {
        if (!passed && FirstFailure is { } by && by != requirement)
        {
            Blocked(requirement, expected, by);
            return false;
        }
        return Expect(requirement, passed, expected, actual, timedOut);
    }

    public Verdict Verdict(string? note = null) => Finish(null, note);

    public Verdict Unimplemented(string why) => Finish(why, null);

    private Verdict Finish(string? unimplemented, string? note) =>
        HasLater
            ? Snapshot(unimplemented, note) with { Settle = async () => { await SettleAsync(); return Snapshot(unimplemented, note); } }
            : Snapshot(unimplemented, note);
}
