// From case results to requirement statuses, the checklist roll-up per spec and role, the verdict and the exit code.
using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

public static class Summary
{
    public static RunResult Build(RunManifest manifest, IReadOnlyList<CaseResult> cases, IReadOnlyList<Catalog> catalogs, IReadOnlyList<IutRole> roles)
    {
        var requirements = catalogs.SelectMany(cat => cat.Requirements.Select(r => new RequirementResult(
            r.Id, cat.Spec, r.Level, r.Section, r.Quote, r.Item, r.Roles.Names(),
            Status(cases.SelectMany(c => c.Checks).Where(k => k.Requirement == r.Id)),
            [.. cases.Where(c => c.Requirements.Contains(r.Id)).Select(c => c.Id)]))).ToArray();

        var checklist = new List<ChecklistResult>();
        foreach (var cat in catalogs)
        foreach (var role in roles)
        {
            var roleCases = cases.Where(c => c.Spec == cat.Spec && c.Role == role.Name()).ToArray();
            if (roleCases.Length == 0) continue;
            foreach (var item in cat.Items)
            {
                var musts = cat.Requirements.Where(r => r.Item == item.Id && r.Level == Level.Must && r.Roles.Covers(role)).ToArray();
                var statuses = musts.Select(r => (r.Id, Status: Status(roleCases.SelectMany(c => c.Checks).Where(k => k.Requirement == r.Id)))).ToArray();
                var failed = statuses.Where(s => s.Status == RequirementStatus.Failed).Select(s => s.Id).ToArray();
                var untested = statuses.Where(s => s.Status == RequirementStatus.NotTested).Select(s => s.Id).ToArray();
                var status = musts.Length == 0 ? ItemStatus.NotApplicable
                    : failed.Length > 0 ? ItemStatus.NotMet
                    : untested.Length > 0 ? ItemStatus.NotVerified
                    : ItemStatus.Met;
                checklist.Add(new ChecklistResult(cat.Spec, role.Name(), item.Id, item.Title, item.Quote, status, failed, untested));
            }
        }

        var counts = new RunCounts(cases.Count,
            cases.Count(c => c.Outcome == Outcome.Pass), cases.Count(c => c.Outcome == Outcome.Fail),
            cases.Count(c => c.Outcome == Outcome.NonStrict), cases.Count(c => c.Outcome == Outcome.Unimplemented),
            cases.Count(c => c.Outcome == Outcome.Informational), cases.Count(c => c.Outcome == Outcome.Error),
            cases.Count(c => c.Outcome == Outcome.Timeout));
        var ran = cases.Count(c => c.Outcome != Outcome.Unimplemented);
        var failures = cases.Count(c => c.Outcome.IsFailure());
        var ratified = checklist.Count > 0 && failures == 0
            && checklist.All(i => i.Status is ItemStatus.Met or ItemStatus.NotApplicable)
            && checklist.Any(i => i.Status == ItemStatus.Met);
        var exit = failures > 0 ? 1 : ran == 0 ? 2 : 0;
        var verdict = failures > 0 ? $"Not ratified: {failures} case(s) failed on must requirements"
            : ran == 0 ? "Nothing verified: every selected case was unimplemented"
            : ratified ? "Ratified"
            : "Not ratified: " + string.Join("; ", checklist.Where(i => i.Status == ItemStatus.NotVerified)
                .Select(i => $"{i.Item} ({i.Spec} {i.Role}) not verified: {string.Join(", ", i.UntestedRequirements)} untested"));
        return new RunResult(manifest, cases, requirements, checklist, counts, ratified, exit, verdict);
    }

    private static RequirementStatus Status(IEnumerable<CheckResult> checks)
    {
        var list = checks.ToArray();
        return list.Any(c => !c.Passed) ? RequirementStatus.Failed
            : list.Length > 0 ? RequirementStatus.Passed
            : RequirementStatus.NotTested;
    }
}
