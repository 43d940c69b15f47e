// Runs a plan of cases on Expecto: one Expecto test per case, grouped spec → role, each group sequenced (client-role
// cases share one stream of incoming connections, and a quiet IUT is easier to read one case at a time). Groups have
// IUTs of their own, so several may run at once (RunPlan.Jobs); results come back in plan order either way. The
// runner records results keyed by stable ID; writers in reports/ do the rest.
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

    /// <summary>
    /// How many spec/role groups run at once (each group has its own IUT; its cases stay in sequence): 1 runs them one
    /// after another, 0 all at once.
    /// </summary>
    public int Jobs { get; init; } = 1;
}

/// <summary>Thrown by an Expecto test whose case failed, so Expecto's own tally agrees with ours.</summary>
public sealed class CaseFailedException(CaseResult result) : Exception($"{result.Id} {result.Outcome.Name()}: {result.Summary}")
{
    public CaseResult Result { get; } = result;
}

public static class SuiteRunner
{
    /// <summary>
    /// The plan as an Expecto tree; each test runs its case and hands the result to <paramref name="record"/>. A case
    /// whose last judgement is still running (a close awaited after an error frame) is recorded when it settles, and
    /// the next case starts meanwhile (<see cref="RunSettings.Overlap"/>); <paramref name="settling"/> holds those.
    /// </summary>
    public static Test ToExpecto(RunPlan plan, Action<CaseResult> record, CancellationToken cancel = default, Action<CaseDef>? starting = null,
        Settling? settling = null)
    {
        settling ??= new Settling();
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
                    // The closing sanity case judges the IUT's health: nothing of earlier cases may still hold it.
                    if (c.SanityRun == "last") await settling.DrainAsync();
                    await settling.MakeRoomAsync();
                    starting?.Invoke(c);
                    var t = plan.BySpec.GetValueOrDefault(c.Spec) ?? new Targets();
                    var final = await CaseExecutor.StartAsync(c, catalog, plan.Settings, t.Server, t.Client, cancel, t.Agent);
                    if (!final.IsCompleted && plan.Settings.Overlap)
                    {
                        settling.Add(final.ContinueWith(r => record(r.Result), TaskScheduler.Default));
                        return;
                    }
                    var result = await final;
                    record(result);
                    if (result.Outcome.IsFailure()) throw new CaseFailedException(result);
                })).ToArray())).ToArray()));
        return TestSequenced(TestList("conformance", bySpec.ToArray()));
    }

    /// <summary>
    /// The plan's spec/role groups in the order the Expecto tree runs them (spec by first appearance, then role by first
    /// appearance within the spec).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<CaseDef>> Groups(IReadOnlyList<CaseDef> cases) =>
        [.. cases.GroupBy(c => c.Spec).SelectMany(spec => spec.GroupBy(c => c.Role).Select(role => (IReadOnlyList<CaseDef>)[.. role]))];

    /// <summary>
    /// Runs the plan and returns the case results in plan order. Spec/role groups run <see cref="RunPlan.Jobs"/> at a
    /// time, each as its own sequenced Expecto run; <paramref name="progress"/> sees the results in the groups' case
    /// order, the same for any number of jobs: a result is held back until every case before it has been handed on.
    /// </summary>
    public static async Task<IReadOnlyList<CaseResult>> RunAsync(RunPlan plan, Action<CaseResult>? progress = null, CancellationToken cancel = default,
        Action<CaseDef>? starting = null)
    {
        var duplicates = plan.Cases.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0) throw new InvalidOperationException("duplicate case IDs: " + string.Join(", ", duplicates));
        var results = new ConcurrentDictionary<string, CaseResult>();
        var groups = Groups(plan.Cases);
        var ordered = new InOrder(groups, progress);
        var next = -1;
        async Task Worker()
        {
            for (var i = Interlocked.Increment(ref next); i < groups.Count; i = Interlocked.Increment(ref next))
            {
                var g = i;
                try
                {
                    var settling = new Settling();
                    var tree = ToExpecto(plan with { Cases = groups[g] }, r => { results[r.Id] = r; ordered.Add(g, r); }, cancel, starting, settling);
                    Tests.CLIArguments[] args = [Tests.CLIArguments.NewPrinter(Impl.TestPrinters.silent), Tests.CLIArguments.No_Spinner, Tests.CLIArguments.Sequenced];
                    await Task.Run(() => RunTestsWithCLIArgs(args, [], tree), cancel);
                    await settling.DrainAsync();
                }
                finally { ordered.Complete(g); }
            }
        }
        var jobs = plan.Jobs <= 0 ? groups.Count : Math.Min(plan.Jobs, groups.Count);
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, jobs)).Select(_ => Task.Run(Worker, cancel)));
        return [.. plan.Cases.Where(c => results.ContainsKey(c.Id)).Select(c => results[c.Id])];
    }

    /// <summary>
    /// Hands results on in the order of the groups' cases, whatever order they finish in (a case still settling, or a
    /// later group running at once): a result waits until every case before it has been handed on. A group that ends
    /// with cases never recorded hands on what it has and lets the next group go.
    /// </summary>
    private sealed class InOrder(IReadOnlyList<IReadOnlyList<CaseDef>> groups, Action<CaseResult>? sink)
    {
        private readonly Dictionary<string, CaseResult>[] _held = [.. groups.Select(_ => new Dictionary<string, CaseResult>())];
        private readonly int[] _next = new int[groups.Count];
        private readonly bool[] _done = new bool[groups.Count];
        private int _current;

        public void Add(int group, CaseResult r)
        {
            lock (_held)
            {
                _held[group][r.Id] = r;
                Flush();
            }
        }

        public void Complete(int group)
        {
            lock (_held)
            {
                _done[group] = true;
                Flush();
            }
        }

        private void Flush()
        {
            while (_current < groups.Count)
            {
                var g = _current;
                var cases = groups[g];
                while (_next[g] < cases.Count && _held[g].Remove(cases[_next[g]].Id, out var r))
                {
                    sink?.Invoke(r);
                    _next[g]++;
                }
                if (!_done[g]) return;
                foreach (var rest in cases.Skip(_next[g]).Where(c => _held[g].ContainsKey(c.Id))) sink?.Invoke(_held[g][rest.Id]);
                _held[g].Clear();
                _current++;
            }
        }
    }

    /// <summary>Cases whose last judgement is still running, at most <see cref="Max"/> at once.</summary>
    public sealed class Settling
    {
        /// <summary>More than this many connections left open by the IUT at once would be a load test, not a conformance run.</summary>
        public const int Max = 64;
        private readonly List<Task> _tasks = [];

        public void Add(Task t)
        {
            lock (_tasks) _tasks.Add(t);
        }

        public async Task MakeRoomAsync()
        {
            while (true)
            {
                Task[] all;
                lock (_tasks) { _tasks.RemoveAll(t => t.IsCompleted); all = [.. _tasks]; }
                if (all.Length < Max) return;
                await Task.WhenAny(all);
            }
        }

        public async Task DrainAsync()
        {
            while (true)
            {
                Task[] all;
                lock (_tasks) { all = [.. _tasks]; _tasks.Clear(); }
                if (all.Length == 0) return;
                await Task.WhenAll(all);
            }
        }
    }
}
