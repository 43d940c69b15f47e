// A vector run as a RunResult for the usual writers. Every vector file is a requirement "VEC-spec/topic" (so topics
// without a shim op show as not tested, never as passed); each spec's checklist has one item, its golden vectors.
// A vector run never ratifies: the vectors check building blocks, not a protocol conversation.
using Conformance.Reports.Model;

namespace Conformance.Suite.Vectors.Shim;

public static class VectorReport
{
    public const string Item = "VEC";

    public static RunResult Build(RunManifest manifest, IReadOnlyList<CaseResult> cases, IReadOnlyList<VectorTopicFile> files, IReadOnlyList<string> notRun)
    {
        var requirements = files.Select(f =>
        {
            var id = VectorRunner.RequirementId(f.File);
            var checks = cases.SelectMany(c => c.Checks).Where(k => k.Requirement == id).ToArray();
            var status = checks.Any(k => !k.Passed) ? RequirementStatus.Failed : checks.Length > 0 ? RequirementStatus.Passed : RequirementStatus.NotTested;
            return new RequirementResult(id, f.Spec, Level.Must, $"vectors/{f.File}.json", f.Header, Item, [VectorRunner.Role], status,
                [.. cases.Where(c => c.Requirements.Contains(id)).Select(c => c.Id)]);
        }).ToArray();
        var specs = files.Select(f => f.Spec).Distinct().ToArray();
        var checklist = specs.Select(spec =>
        {
            var reqs = requirements.Where(r => r.Spec == spec).ToArray();
            var failed = reqs.Where(r => r.Status == RequirementStatus.Failed).Select(r => r.Id).ToArray();
            var untested = reqs.Where(r => r.Status == RequirementStatus.NotTested).Select(r => r.Id).ToArray();
            var status = failed.Length > 0 ? ItemStatus.NotMet : untested.Length > 0 ? ItemStatus.NotVerified : ItemStatus.Met;
            return new ChecklistResult(spec, VectorRunner.Role, Item, $"{spec.ToUpperInvariant()} golden vectors",
                "vectors/MANIFEST.json: every test of every vector file gives its recorded result and outputs.", status, failed, untested);
        }).ToArray();

        var counts = new RunCounts(cases.Count,
            cases.Count(c => c.Outcome == Outcome.Pass), cases.Count(c => c.Outcome == Outcome.Fail),
            cases.Count(c => c.Outcome == Outcome.NonStrict), cases.Count(c => c.Outcome == Outcome.Unimplemented),
            cases.Count(c => c.Outcome == Outcome.Informational), cases.Count(c => c.Outcome == Outcome.Error),
            cases.Count(c => c.Outcome == Outcome.Timeout));
        var failures = cases.Count(c => c.Outcome.IsFailure());
        var ran = cases.Count(c => c.Outcome != Outcome.Unimplemented);
        var checks = cases.SelectMany(c => c.Checks).ToArray();
        var verdict = failures > 0 ? $"Vectors: {failures} file(s) with failing tests ({checks.Count(k => !k.Passed)} of {checks.Length} tests)"
            : ran == 0 ? "Nothing verified: the shim implements none of the selected vector tests"
            : $"Vectors: all {checks.Length} tests that ran passed";
        var notes = new List<string>();
        if (notRun.Count > 0)
            notes.Add($"Not run: {string.Join(", ", notRun)}: the shim protocol has no op for these vector files yet (adapters/SHIM.md).");
        var unimplemented = cases.Where(c => c.Outcome == Outcome.Unimplemented).Select(c => c.Id).ToArray();
        if (unimplemented.Length > 0) notes.Add($"Unimplemented by the shim: {string.Join(", ", unimplemented)}.");
        notes.Add("A vector run checks building blocks (canonical JSON, signatures, negotiation, proofs); it does not ratify an implementation.");
        return new RunResult(manifest, cases, requirements, checklist, counts, false, failures > 0 ? 1 : ran == 0 ? 2 : 0, verdict)
        {
            RequirementsCovered = requirements.Count(r => r.Status != RequirementStatus.NotTested),
            RequirementsTotal = requirements.Length,
            Specs = [.. specs.Select(spec =>
            {
                var reqs = requirements.Where(r => r.Spec == spec).ToArray();
                var bad = cases.Count(c => c.Spec == spec && c.Outcome.IsFailure());
                return new SpecVerdict(spec, false, bad > 0 ? $"{bad} vector file(s) failed" : "vectors only (not ratified)",
                    reqs.Count(r => r.Status != RequirementStatus.NotTested), reqs.Length);
            })],
            Notes = notes,
        };
    }
}
