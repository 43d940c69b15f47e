// From case results to requirement statuses, the checklist roll-up per spec and role, the verdict and the exit code.
using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

/// <summary>A case that was not run because it has no meaning over this run's adapter.</summary>
public sealed record NotApplicableCase(CaseDef Case, string Adapter, string Reason);

public static class Summary
{
    public static RunResult Build(RunManifest manifest, IReadOnlyList<CaseResult> cases, IReadOnlyList<Catalog> catalogs, IReadOnlyList<IutRole> roles,
        Baseline? baseline = null, IReadOnlyList<NotApplicableCase>? notApplicable = null, IReadOnlyDictionary<string, string>? adapters = null)
    {
        // A flaky case's checks are evidence of neither passing nor failing: it is shown, not counted.
        var judged = cases.Where(c => c.Outcome != Outcome.Flaky).ToArray();
        notApplicable ??= [];
        // A requirement the catalog marks as not exercisable over this run's adapter for its spec.
        // Without a word on adapters, a run is over websocket (every run was, before there was a choice).
        string AdapterOf(string spec) => adapters?.GetValueOrDefault(spec) ?? "websocket";
        string? NotOver(Catalog cat, Requirement r) => r.NotOver.TryGetValue(AdapterOf(cat.Spec), out var why) ? why : null;
        var requirements = catalogs.SelectMany(cat => cat.Requirements.Select(r => new RequirementResult(
            r.Id, cat.Spec, r.Level, r.Section, r.Quote, r.Item, r.Roles.Names(),
            Status(judged, r.Id),
            [.. cases.Where(c => c.Requirements.Contains(r.Id)).Select(c => c.Id)]) { BlockedBy = BlockersOf(judged, r.Id) })).ToArray();

        var checklist = new List<ChecklistResult>();
        foreach (var cat in catalogs)
        foreach (var role in roles)
        {
            var roleCases = judged.Where(c => c.Spec == cat.Spec && c.Role == role.Name()).ToArray();
            if (roleCases.Length == 0) continue;
            foreach (var item in cat.Items)
            {
                var musts = cat.Requirements.Where(r => r.Item == item.Id && r.Level == Level.Must && r.Roles.Covers(role)).ToArray();
                musts = [.. musts.Where(r => NotOver(cat, r) is null)];
                var statuses = musts.Select(r => (r.Id, Status: Status(roleCases, r.Id))).ToArray();
                var failed = statuses.Where(s => s.Status == RequirementStatus.Failed).Select(s => s.Id).ToArray();
                var untested = statuses.Where(s => s.Status == RequirementStatus.NotTested).Select(s => s.Id).ToArray();
                var blocked = statuses.Where(s => s.Status == RequirementStatus.Blocked)
                    .Select(s => new BlockedRequirement(s.Id, BlockersOf(roleCases, s.Id))).ToArray();
                var status = musts.Length == 0 ? ItemStatus.NotApplicable
                    : failed.Length > 0 ? ItemStatus.NotMet
                    : untested.Length > 0 || blocked.Length > 0 ? ItemStatus.NotVerified
                    : ItemStatus.Met;
                checklist.Add(new ChecklistResult(cat.Spec, role.Name(), item.Id, item.Title, item.Quote, status, failed, untested) { BlockedRequirements = blocked });
            }
        }

        var counts = new RunCounts(cases.Count,
            cases.Count(c => c.Outcome == Outcome.Pass), cases.Count(c => c.Outcome == Outcome.Fail),
            cases.Count(c => c.Outcome == Outcome.NonStrict), cases.Count(c => c.Outcome == Outcome.Unimplemented),
            cases.Count(c => c.Outcome == Outcome.Informational), cases.Count(c => c.Outcome == Outcome.Error),
            cases.Count(c => c.Outcome == Outcome.Timeout)) { Skipped = cases.Count(c => c.Outcome == Outcome.Skipped), Flaky = cases.Count(c => c.Outcome == Outcome.Flaky) };
        var ran = cases.Count(c => c.Outcome is not (Outcome.Unimplemented or Outcome.Skipped));
        var (ratified, verdict, failures) = Judge(cases, checklist);
        var specs = catalogs.Select(cat =>
        {
            var (r, v, _) = Judge([.. cases.Where(c => c.Spec == cat.Spec)], [.. checklist.Where(i => i.Spec == cat.Spec)]);
            var reqs = requirements.Where(q => q.Spec == cat.Spec).ToArray();
            return new SpecVerdict(cat.Spec, r, v, reqs.Count(q => q.Status is RequirementStatus.Passed or RequirementStatus.Failed), reqs.Length);
        }).ToArray();

        var notes = new List<string>();
        notes.AddRange(SanityNotes(cases));
        if (counts.Flaky > 0) notes.Add($"{counts.Flaky} case(s) flaky: a property trace failed, then passed on rerun; see the case for the trace and its replay command.");
        foreach (var group in notApplicable.GroupBy(n => (n.Case.Spec, n.Adapter)))
        {
            notes.Add($"{group.Count()} {group.Key.Spec} case(s) not applicable over the {group.Key.Adapter} adapter, not run: " +
                string.Join("; ", group.Select(n => $"{n.Case.Id} ({n.Reason})")));
        }
        // Said when the caller named the adapters (a run does; a bare summary keeps to its cases).
        foreach (var cat in adapters is null ? [] : catalogs)
        {
            var off = cat.Requirements.Where(r => NotOver(cat, r) is not null).Select(r => $"{r.Id} ({NotOver(cat, r)})").ToArray();
            if (off.Length > 0)
                notes.Add($"{cat.Spec} requirement(s) not applicable over the {AdapterOf(cat.Spec)} adapter, so not verified by this run: {string.Join("; ", off)}");
        }
        if (counts.Skipped > 0) notes.Add($"{counts.Skipped} case(s) skipped by {manifest.SkipFile ?? "a skip file"}: they were not run, and what only they check is not verified.");
        IReadOnlyList<Deviation> deviations = [];
        // 0 only when Ratified: a run whose checklist has an item not verified (a case unimplemented, skipped, blocked or
        // filtered out) must not look like a pass to a CI gate, so it exits 4 even though no must failed.
        var exit = failures > 0 ? 1 : ran == 0 ? 2 : ratified ? 0 : NotRatified;
        if (baseline is not null)
        {
            // With a baseline the question is "did anything change?", not "did everything pass?".
            deviations = baseline.Compare(cases);
            exit = ran == 0 ? 2 : deviations.Count > 0 ? 1 : 0;
            notes.Add(deviations.Count == 0
                ? $"Matches the baseline {baseline.File}: every case had its expected outcome."
                : $"{deviations.Count} deviation(s) from the baseline {baseline.File}: " + string.Join("; ", deviations.Take(20).Select(d =>
                    $"{d.CaseId} expected {d.Expected ?? "(not in the baseline)"}, got {d.Actual}")) + (deviations.Count > 20 ? "; …" : ""));
            if (baseline.NotRun(cases) is > 0 and var n) notes.Add($"{n} baseline entr{(n == 1 ? "y" : "ies")} for cases this run did not include were not judged.");
        }
        return new RunResult(manifest, cases, requirements, checklist, counts, ratified, exit, verdict)
        {
            Deviations = deviations,
            RequirementsCovered = requirements.Count(q => q.Status is RequirementStatus.Passed or RequirementStatus.Failed),
            RequirementsTotal = requirements.Length,
            Specs = specs,
            Notes = notes,
        };
    }

    /// <summary>The exit code of a run where no must requirement failed but the checklist is not all met.</summary>
    public const int NotRatified = 4;

    private static (bool Ratified, string Verdict, int Failures) Judge(IReadOnlyList<CaseResult> cases, IReadOnlyList<ChecklistResult> checklist)
    {
        var ran = cases.Count(c => c.Outcome is not (Outcome.Unimplemented or Outcome.Skipped));
        var failures = cases.Count(c => c.Outcome.IsFailure());
        var ratified = checklist.Count > 0 && failures == 0
            && checklist.All(i => i.Status is ItemStatus.Met or ItemStatus.NotApplicable)
            && checklist.Any(i => i.Status == ItemStatus.Met);
        var verdict = failures > 0 ? $"Not ratified: {failures} case(s) failed on must requirements"
            : ran == 0 ? "Nothing verified: every selected case was unimplemented or skipped"
            : ratified ? "Ratified"
            : "Not ratified: " + string.Join("; ", checklist.Where(i => i.Status == ItemStatus.NotVerified)
                .Select(i => $"{i.Item} ({i.Spec} {i.Role}) not verified: " + string.Join(", ",
                    i.UntestedRequirements.Select(u => u + " untested")
                        .Concat(i.BlockedRequirements.Select(b => $"{b.Requirement} blocked by {string.Join(", ", b.BlockedBy)}")))));
        return (ratified, verdict, failures);
    }

    /// <summary>What the sanity copies say about the IUT's health over the run, per spec and role.</summary>
    private static IEnumerable<string> SanityNotes(IReadOnlyList<CaseResult> cases)
    {
        foreach (var group in cases.Where(c => c.Sanity is not null).GroupBy(c => (c.Spec, c.Role)))
        {
            var first = group.FirstOrDefault(c => c.Sanity == "first");
            var last = group.FirstOrDefault(c => c.Sanity == "last");
            if (first is null || last is null || first.Outcome == Outcome.Skipped || last.Outcome == Outcome.Skipped) continue;
            var who = $"{group.Key.Spec} {group.Key.Role} IUT";
            if (first.Outcome != Outcome.Pass)
                yield return $"The {who} was not healthy at the start: the sanity case {first.Id} was {first.Outcome.Name()}; later failures may share that cause.";
            else if (last.Outcome != Outcome.Pass)
                yield return $"The {who} died or degraded during the run: {first.Id} passed but {last.Id} was {last.Outcome.Name()}; failures late in the run may be collateral.";
        }
    }

    private static RequirementStatus Status(IEnumerable<CaseResult> cases, string requirement)
    {
        var list = cases.SelectMany(c => c.Checks).Where(k => k.Requirement == requirement).ToArray();
        return list.Any(c => !c.Passed) ? RequirementStatus.Failed
            : list.Length > 0 ? RequirementStatus.Passed
            : BlockersOf(cases, requirement).Count > 0 ? RequirementStatus.Blocked
            : RequirementStatus.NotTested;
    }

    private static IReadOnlyList<string> BlockersOf(IEnumerable<CaseResult> cases, string requirement) =>
        [.. cases.SelectMany(c => c.Blocked).Where(b => b.Requirement == requirement).Select(b => b.BlockedBy).Distinct().Order(StringComparer.Ordinal)];
}
