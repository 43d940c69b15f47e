// Runs a plan of cases on Expecto: one Expecto test per case, grouped spec → role, sequenced (client-role cases share
// one stream of incoming connections, and a quiet IUT is easier to read one case at a time). The runner records
// results keyed by stable ID; writers in reports/ do the rest.
using System.Collections.Concurrent;
using Conformance.Reports.Model;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Suite.Core;

/// <summary>The IUTs of one spec, by the role they play.</summary>
public sealed record Targets(IServerTarget? Server = null, IClientTarget? Client = null, IAgentTarget? Agent = null);

public sealed record RunPlan(
    IReadOnlyList<CaseDef> Cases,
    IReadOnlyList<Catalog> Catalogs,
    RunSettings Settings,
    IReadOnlyDictionary<string, Targets> BySpec)
{
    /// <summary>Cases disabled by a skip file, by ID: recorded as skipped, never run.</summary>
    public IReadOnlyDictionary<string, SkipEntry> Skips { get; init; } = new Dictionary<string, SkipEntry>();
}

/// <summary>Thrown by an Expecto test whose case failed, so Expecto's own tally agrees with ours.</summary>
public sealed class CaseFailedException(CaseResult result) : Exception($"{result.Id} {result.Outcome.Name()}: {result.Summary}")
{
    public CaseResult Result { get; } = result;
}

public static class SuiteRunner
{
    /// <summary>The plan as an Expecto tree; each test runs its case and hands the result to <paramref name="record"/>.</summary>
    public static Test ToExpecto(RunPlan plan, Action<CaseResult> record, CancellationToken cancel = default, Action<CaseDef>? starting = null)
    {
        var duplicates = plan.Cases.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0) throw new InvalidOperationException("duplicate case IDs: " + string.Join(", ", duplicates));
        var bySpec = plan.Cases.GroupBy(c => c.Spec).Select(spec =>
            TestList(spec.Key, spec.GroupBy(c => c.Role).Select(role =>
                TestList(role.Key.Name(), role.Select(c => TestCase(c.Id, async () =>
                {
                    var catalog = plan.Catalogs.First(k => k.Spec == c.Spec);
                    if (plan.Skips.TryGetValue(c.Id, out var skip))
                    {
                        record(CaseExecutor.Skipped(c, catalog, skip));
                        return;
                    }
                    starting?.Invoke(c);
                    var t = plan.BySpec.GetValueOrDefault(c.Spec) ?? new Targets();
                    var result = await CaseExecutor.RunAsync(c, catalog, plan.Settings, t.Server, t.Client, cancel, t.Agent);
                    record(result);
                    if (result.Outcome.IsFailure()) throw new CaseFailedException(result);
                })).ToArray())).ToArray()));
        return TestSequenced(TestList("conformance", bySpec.ToArray()));
    }

    /// <summary>Runs the plan and returns the case results in plan order.</summary>
    public static async Task<IReadOnlyList<CaseResult>> RunAsync(RunPlan plan, Action<CaseResult>? progress = null, CancellationToken cancel = default,
        Action<CaseDef>? starting = null)
    {
        var results = new ConcurrentDictionary<string, CaseResult>();
        var tree = ToExpecto(plan, r => { results[r.Id] = r; progress?.Invoke(r); }, cancel, starting);
        Tests.CLIArguments[] args = [Tests.CLIArguments.NewPrinter(Impl.TestPrinters.silent), Tests.CLIArguments.No_Spinner, Tests.CLIArguments.Sequenced];
        await Task.Run(() => RunTestsWithCLIArgs(args, [], tree), cancel);
        return [.. plan.Cases.Where(c => results.ContainsKey(c.Id)).Select(c => results[c.Id])];
    }
}
