// The suite checks itself (BoringSSL's checkTests), for every spec: IDs unique, every requirement has a case of each
// role it applies to, cases cite only catalogued requirements, every must requirement has a broken variant that is
// supposed to fail it, and the model's rule IDs are catalogued.
using Conformance.Reference.Faults;
using Conformance.Reports.Model;
using Conformance.Suite.Cip;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs;
using Conformance.Suite.Shard;
using Modules = Conformance.Suite.Specs.Specs;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class CatalogTests
{
    private sealed record Spec(Catalog Catalog, IReadOnlyList<CaseDef> Cases, Type Rules, string[] ItemIds, string CasePrefix);

    /// <summary>What this test expects of each spec, written down independently of its module.</summary>
    private static readonly Dictionary<string, (Type Rules, string[] ItemIds, string CasePrefix)> Expected = new()
    {
        ["lhs"] = (typeof(global::Conformance.Model.Lhs.LhsRules), ["LHS-CL-1", "LHS-CL-2", "LHS-CL-3", "LHS-CL-4", "LHS-CL-5"], "LHS-"),
        ["cip"] = (typeof(global::Conformance.Model.Cip.CipRules), ["CIP-CL-1", "CIP-CL-2", "CIP-CL-3", "CIP-CL-4", "CIP-CL-5", "CIP-CL-6"], "CIP-A-"),
        ["shard"] = (typeof(global::Conformance.Model.Shard.ShardRules), ["SHARD-CL-1", "SHARD-CL-2", "SHARD-CL-3", "SHARD-CL-4", "SHARD-CL-5", "SHARD-CL-6", "SHARD-CL-7"], "SHARD-"),
    };

    // Iterated from the spec modules, as the CLI does: a spec added there is checked here (or this fails on Expected).
    private static readonly Spec[] Specs = [.. Modules.All.Select(m => new Spec(m.Catalog, m.Cases(), Expected[m.Name].Rules, Expected[m.Name].ItemIds, Expected[m.Name].CasePrefix))];

    public static Test Tests() => TestList("suite.catalog", [.. Specs.Select(SpecTests),
        TestCase("case IDs are unique across specs", () =>
        {
            var dup = Specs.SelectMany(s => s.Cases).GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            Expect.isEmpty(dup, "duplicate case IDs");
        }),
        TestCase("every spec module is whole: its own catalog, cases of its roles, faults, traces and vector topics", async () =>
        {
            Expect.sequenceEqual(Modules.All.Select(m => m.Name).Order(), Expected.Keys.Order(), "the specs this test knows are the suite's");
            foreach (var m in Modules.All)
            {
                Expect.equal(m.Catalog.Spec, m.Name, "the module's catalog is its spec's");
                Expect.isTrue(m.Cases().All(c => c.Spec == m.Name && m.Roles.Contains(c.Role)), m.Name + ": its cases are its own, in its roles");
                Expect.isNonEmpty(m.Faults, m.Name + ": broken variants");
                Expect.isTrue(m.Faults.All(f => f.Spec == m.Name), m.Name + ": its faults break its reference");
                Expect.isNonEmpty(m.Traces, m.Name + ": property traces");
                Expect.isNonEmpty(m.VectorTopics, m.Name + ": vector topics");
                foreach (var role in m.Roles)
                {
                    var start = m.StartEmbedded(new global::Conformance.Suite.Specs.EmbeddedStart(1, null), role);
                    Expect.isNotNull(start, $"{m.Name}: an embedded {role.Name()}");
                    var iut = await start!;
                    await iut.Owner.DisposeAsync();
                    Expect.isTrue(role switch { IutRole.Server => iut.Targets.Server, IutRole.Client => iut.Targets.Client, _ => (object?)iut.Targets.Agent } is not null,
                        $"{m.Name}: the embedded {role.Name()} is that role's target");
                }
            }
            Expect.equal(LhsFaults.Everything.Concat(LhsFaults.AllReadings).Count(), Modules.All.Sum(m => m.Faults.Count()), "every fault belongs to one spec module");
        }),
        TestCase("fault names are unique across specs", () =>
        {
            var all = LhsFaults.Everything.ToArray();
            Expect.equal(all.Select(f => f.Name).Distinct().Count(), all.Length, "unique names");
        })]);

    private static Test SpecTests(Spec s) => TestList(s.Catalog.Spec,
    [
        TestCase("requirement IDs are unique", () =>
            Expect.isEmpty(s.Catalog.Requirements.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key), "duplicate requirement IDs")),
        TestCase("the catalog root is the spec's checklist", () =>
            Expect.sequenceEqual(s.Catalog.Items.Select(i => i.Id), s.ItemIds, "checklist items")),
        TestCase("every requirement names a checklist item of its catalog", () =>
        {
            var items = s.Catalog.Items.Select(i => i.Id).ToHashSet();
            Expect.isEmpty(s.Catalog.Requirements.Where(r => !items.Contains(r.Item)).Select(r => r.Id), "requirements under an unknown item");
        }),
        TestCase("every checklist item has a must requirement", () =>
            Expect.isEmpty(s.Catalog.Items.Where(i => !s.Catalog.Requirements.Any(r => r.Item == i.Id && r.Level == Level.Must)).Select(i => i.Id), "items nothing gates")),
        TestCase("every case cites only catalogued requirements", () =>
        {
            var ids = s.Catalog.Requirements.Select(r => r.Id).ToHashSet();
            Expect.isEmpty(s.Cases.SelectMany(c => c.Requirements.Where(r => !ids.Contains(r)).Select(r => $"{c.Id} → {r}")), "unknown requirement IDs");
        }),
        TestCase("every requirement is cited by a case of each role it applies to", () =>
        {
            var missing = s.Catalog.Requirements.SelectMany(r => Enum.GetValues<IutRole>()
                .Where(role => r.Roles.Covers(role) && !s.Cases.Any(c => c.Role == role && c.Requirements.Contains(r.Id)))
                .Select(role => $"{r.Id} ({role.Name()})")).ToArray();
            Expect.isEmpty(missing, "requirements without a case");
        }),
        TestCase("case IDs carry the spec and role prefix", () =>
            Expect.isEmpty(s.Cases.Where(c => !c.Id.StartsWith(s.CasePrefix, StringComparison.Ordinal) || c.Spec != s.Catalog.Spec).Select(c => c.Id), "badly named cases")),
        TestCase("case IDs say their role", () =>
        {
            var (server, client) = s.Catalog.Spec == "shard" ? ("SHARD-E-", "SHARD-N-") : ("LHS-S-", "LHS-C-");
            var bad = s.Cases.Where(c => c.Role != IutRole.Agent && !c.Id.StartsWith(c.Role == IutRole.Server ? server : client, StringComparison.Ordinal)).Select(c => c.Id);
            Expect.isEmpty(bad, "case IDs whose prefix does not match the role");
        }),
        TestCase("every case has a description that starts with the tester's action", () =>
            Expect.isEmpty(s.Cases.Where(c => c.Description.Length == 0 || !char.IsUpper(c.Description[0])).Select(c => c.Id), "cases without a proper description")),
        TestCase("at least 40 cases", () => Expect.isGreaterThanOrEqual(s.Cases.Count, 40, "cases")),
        TestCase("every fault targets a catalogued must requirement", () =>
        {
            var bad = LhsFaults.Everything.Where(f => f.Spec == s.Catalog.Spec)
                .Where(f => s.Catalog.Requirements.FirstOrDefault(r => r.Id == f.ExpectedRequirement) is not { Level: Level.Must })
                .Select(f => $"{f.Name} → {f.ExpectedRequirement}");
            Expect.isEmpty(bad, "faults whose expected requirement is not a must");
        }),
        TestCase("every must requirement has a fault that must fail it", () =>
        {
            var covered = LhsFaults.Everything.Where(f => f.Spec == s.Catalog.Spec).Select(f => f.ExpectedRequirement).ToHashSet();
            Expect.isEmpty(s.Catalog.Requirements.Where(r => r.Level == Level.Must && !covered.Contains(r.Id)).Select(r => r.Id), "must requirements no broken variant exercises");
        }),
        TestCase("at least 12 faults", () => Expect.isGreaterThanOrEqual(LhsFaults.Everything.Count(f => f.Spec == s.Catalog.Spec), 12, "faults")),
        TestCase("the model's rule IDs are catalogued", () =>
        {
            var ids = s.Catalog.Requirements.Select(r => r.Id).ToHashSet();
            // LHS-2-timeout: the handshake timeout has no case (SPEC-NOTES.md "Handshake timeout"), so no requirement.
            var rules = s.Rules.GetFields().Select(f => (string)f.GetValue(null)!).Where(r => r != global::Conformance.Model.Lhs.LhsRules.Timeout);
            Expect.isEmpty(rules.Where(r => !ids.Contains(r)), "model rules without a catalog entry");
        }),
    ]);
}
