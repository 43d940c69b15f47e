// Runs one case under its budget and turns its verdict into an outcome. This is the only place outcomes are decided.
using System.Diagnostics;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.WebSockets;
using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

public static class CaseExecutor
{
    public static async Task<CaseResult> RunAsync(CaseDef def, Catalog catalog, RunSettings settings, IServerTarget? server, IClientTarget? client, CancellationToken cancel,
        IAgentTarget? agent = null) =>
        await await StartAsync(def, catalog, settings, server, client, cancel, agent);

    /// <summary>
    /// Runs the case up to its last step. The outer task completes then; the inner one when its result is final — at
    /// once, or once the judgements it left running (<see cref="Verdict.Settle"/>) are in, within the case's budget.
    /// </summary>
    public static async Task<Task<CaseResult>> StartAsync(CaseDef def, Catalog catalog, RunSettings settings, IServerTarget? server, IClientTarget? client,
        CancellationToken cancel, IAgentTarget? agent = null)
    {
        var clock = Stopwatch.StartNew();
        var budget = TimeSpan.FromTicks(settings.StepTimeout.Ticks * def.BudgetSteps) + settings.AcceptTimeout;
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var ctx = new CaseContext(def, settings, server, client, cts.Token, agent);
        Verdict? verdict = null;
        string? error = null;
        var overran = false;
        string? hung = null;
        var run = Task.Run(() => def.Run(ctx), cts.Token);
        if (await Task.WhenAny(run, Task.Delay(budget, cancel)) != run)
        {
            overran = true;
            await cts.CancelAsync();
            ctx.Trace.Note($"case cut off after its budget of {budget.TotalMilliseconds:0} ms");
            await Task.WhenAny(run, Task.Delay(1000, CancellationToken.None));
        }
        else
        {
            try { verdict = await run; }
            catch (IutUnreachableException e) { error = "the IUT could not be reached: " + e.Message; }
            catch (IutUnimplementedException e) when (ShimFeatures.IsMandatory(def.Spec, e.Feature))
            {
                // A mandatory rule declared unimplemented mid-run is that rule not followed, not an optional part missing.
                var k = new Checks();
                k.Expect(def.Requirements[0], false, "the case's exchange carried to its end", $"the IUT declared the mandatory \"{e.Feature}\" unimplemented");
                verdict = k.Verdict();
            }
            catch (IutUnimplementedException e)
            {
                ctx.Trace.MarkUnimplemented(e.Feature);
                verdict = Verdict.NotImplemented($"the IUT declared \"{e.Feature}\" unimplemented");
            }
            catch (ShimTimeoutException e) { hung = e.Message; ctx.Trace.Note(e.Message); }
            catch (Exception e) { error = $"{e.GetType().Name}: {e.Message}"; ctx.Trace.Note("suite error: " + e); }
        }
        if (verdict?.Settle is not { } settle) return Task.FromResult(await FinishAsync(def, catalog, ctx, cts, verdict, error, overran, budget, hung, clock));
        return SettleThenFinish();

        async Task<CaseResult> SettleThenFinish()
        {
            var left = budget - clock.Elapsed;
            var settling = settle();
            if (await Task.WhenAny(settling, Task.Delay(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancel)) == settling)
            {
                try { verdict = await settling; }
                catch (Exception e) { error = $"{e.GetType().Name}: {e.Message}"; ctx.Trace.Note("suite error: " + e); }
            }
            else
            {
                overran = true;
                await cts.CancelAsync();
                ctx.Trace.Note($"case cut off after its budget of {budget.TotalMilliseconds:0} ms");
            }
            return await FinishAsync(def, catalog, ctx, cts, verdict, error, overran, budget, hung, clock);
        }
    }

    private static async Task<CaseResult> FinishAsync(CaseDef def, Catalog catalog, CaseContext ctx, CancellationTokenSource cts, Verdict? verdict,
        string? error, bool overran, TimeSpan budget, string? hung, Stopwatch clock)
    {
        await ctx.DisposeAsync();
        cts.Dispose();
        var checks = verdict?.Checks.Select(c => ToResult(c, catalog)).ToArray() ?? [];
        var blocked = verdict is null || verdict.Unimplemented is not null ? [] : BlockedOf(def, verdict, catalog);
        var (outcome, summary) = Decide(def, verdict, checks, error, overran, budget, hung);
        if (blocked.FirstOrDefault(b => !def.Requirements.Contains(b.Requirement)) is { } strayBlocked && outcome is not (Outcome.Error or Outcome.Timeout))
            (outcome, summary) = (Outcome.Error, $"suite defect: {strayBlocked.Requirement} reported blocked, which the case does not declare");
        // An IUT that declared a feature unimplemented (stdio shims) is never failed on it: whatever went wrong after
        // that declaration is the missing feature's doing. A pass stays a pass. A mandatory rule is not a feature.
        if (ctx.Trace.Unimplemented is { } feature && outcome != Outcome.Pass && !ShimFeatures.IsMandatory(def.Spec, feature))
            (outcome, summary) = (Outcome.Unimplemented, $"the IUT declared \"{feature}\" unimplemented");
        return new CaseResult(def.Id, def.Spec, def.Role.Name(), def.Section, def.Title, def.Description,
            CaseLevel(def, catalog), def.Requirements, outcome, summary, checks, ctx.Trace.Snapshot(), Math.Round(clock.Elapsed.TotalMilliseconds, 1))
        { Sanity = def.SanityRun, Traces = verdict?.Traces, Blocked = blocked };
    }

    /// <summary>
    /// What the case reported blocked, plus each of its subjects that no check judged while another check failed: the
    /// case stopped before it could judge them, so they are "not verified (blocked by the first failure)".
    /// </summary>
    private static BlockedResult[] BlockedOf(CaseDef def, Verdict verdict, Catalog catalog)
    {
        var list = verdict.Blocked.Select(b => new BlockedResult(b.Requirement, LevelOf(catalog, b.Requirement), b.BlockedBy, b.Expected)).ToList();
        var firstFailure = verdict.Checks.FirstOrDefault(c => !c.Passed)?.Requirement;
        if (firstFailure is not null)
            foreach (var subject in def.Subjects)
                if (!verdict.Checks.Any(c => c.Requirement == subject) && list.All(b => b.Requirement != subject))
                    list.Add(new BlockedResult(subject, LevelOf(catalog, subject), firstFailure, "judged by this case once the earlier steps succeed"));
        // A requirement that was also judged outright is judged, not blocked.
        return [.. list.Where(b => !verdict.Checks.Any(c => c.Requirement == b.Requirement)).DistinctBy(b => b.Requirement)];
    }

    private static Level LevelOf(Catalog catalog, string requirement) =>
        catalog.Requirements.FirstOrDefault(r => r.Id == requirement)?.Level ?? Reports.Model.Level.Model;

    /// <summary>A case disabled by a skip file: recorded with its reason, never run.</summary>
    public static CaseResult Skipped(CaseDef def, Catalog catalog, SkipEntry skip) =>
        new(def.Id, def.Spec, def.Role.Name(), def.Section, def.Title, def.Description, CaseLevel(def, catalog), def.Requirements,
            Outcome.Skipped, $"skipped: {skip.Reason} ({skip.Where})", [], [], 0) { Sanity = def.SanityRun };

    private static CheckResult ToResult(Check c, Catalog catalog) =>
        new(c.Requirement, catalog.Get(c.Requirement).Level, c.Passed, c.Expected, c.Actual, c.TimedOut);

    /// <summary>The strictest level among the requirements a case checks.</summary>
    public static Level CaseLevel(CaseDef def, Catalog catalog) =>
        def.Requirements.Select(r => catalog.Get(r).Level).DefaultIfEmpty(Level.Model).Min();

    private static (Outcome, string) Decide(CaseDef def, Verdict? verdict, CheckResult[] checks, string? error, bool overran, TimeSpan budget, string? hung)
    {
        if (overran) return (Outcome.Timeout, $"the case did not finish within its budget of {budget.TotalMilliseconds:0} ms");
        if (hung is not null) return (Outcome.Timeout, hung);
        if (error is not null) return (Outcome.Error, error);
        var stray = checks.FirstOrDefault(c => !def.Requirements.Contains(c.Requirement));
        if (stray is not null) return (Outcome.Error, $"suite defect: check cites {stray.Requirement}, which the case does not declare");
        if (verdict!.Unimplemented is { } why) return (Outcome.Unimplemented, why);
        if (verdict.Traces is { Flaky: true }) return (Outcome.Flaky, verdict.Note ?? "a trace failed, then passed on rerun");
        if (checks.Length == 0) return (Outcome.Error, "suite defect: the case made no check");
        var failed = checks.Where(c => !c.Passed).ToArray();
        var must = failed.Where(c => c.Level == Level.Must).ToArray();
        if (must.Length > 0)
            return (must.Any(c => c.TimedOut) ? Outcome.Timeout : Outcome.Fail, Describe(must[0]));
        if (failed.Any(c => c.Level == Level.Should)) return (Outcome.NonStrict, Describe(failed.First(c => c.Level == Level.Should)));
        if (failed.Length > 0) return (Outcome.Informational, Describe(failed[0]));
        return (Outcome.Pass, $"{checks.Length} check(s) passed" + (verdict.Note is { } n ? "; " + n : ""));
    }

    private static string Describe(CheckResult c) => $"{c.Requirement}: expected {c.Expected}; got {c.Actual}";
}
