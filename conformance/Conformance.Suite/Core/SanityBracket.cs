// A plain happy-path case runs first and last for each spec and role, so a report can tell "the IUT broke this rule"
// from "the IUT died (or degraded) halfway through the run and everything after failed with it".
namespace Conformance.Suite.Core;

public static class SanityBracket
{
    /// <summary>The case copied for each spec and role: the simplest complete exchange that role has.</summary>
    public static readonly IReadOnlyDictionary<(string Spec, IutRole Role), string> Templates = new Dictionary<(string, IutRole), string>
    {
        [("lhs", IutRole.Server)] = "LHS-S-happy-json",
        [("lhs", IutRole.Client)] = "LHS-C-happy-json",
        [("shard", IutRole.Server)] = "SHARD-E-commit-one-chunk",
        [("shard", IutRole.Client)] = "SHARD-N-upload",
        [("cip", IutRole.Agent)] = "CIP-A-handshake",
    };

    public const string FirstSuffix = "-sanity-first", LastSuffix = "-sanity-last";

    /// <summary>
    /// <paramref name="selected"/> with, around each spec-and-role group of two or more cases, a copy of its template
    /// first and another last (from <paramref name="all"/>, so a filter need not select the template). Cases salt
    /// their fresh identities with their ID, so the copies never collide with the original or each other.
    /// </summary>
    public static IReadOnlyList<CaseDef> Apply(IReadOnlyList<CaseDef> selected, IEnumerable<CaseDef> all)
    {
        var byId = all.ToDictionary(c => c.Id);
        var result = new List<CaseDef>();
        foreach (var group in selected.GroupBy(c => (c.Spec, c.Role)))
        {
            var cases = group.ToArray();
            if (cases.Length < 2 || !Templates.TryGetValue(group.Key, out var id) || !byId.TryGetValue(id, out var template))
            {
                result.AddRange(cases);
                continue;
            }
            result.Add(template with { Id = id + FirstSuffix, SanityRun = "first" });
            result.AddRange(cases);
            result.Add(template with { Id = id + LastSuffix, SanityRun = "last" });
        }
        return result;
    }
}
