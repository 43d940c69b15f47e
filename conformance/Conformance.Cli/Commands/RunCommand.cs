using System.Diagnostics;
using System.Reflection;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Reports.Model;
using Conformance.Reports.Writers;
using Conformance.Suite.Core;
using Conformance.Suite.Specs;
using Conformance.Suite.Traces;

namespace Conformance.Cli.Commands;

internal static class RunCommand
{
    /// <summary>The specs the suite can test today, in run order.</summary>
    public static IReadOnlyList<string> Implemented => Specs.Names;

    /// <param name="replay">`conformance replay`: run one trace script (--trace ID --steps SCRIPT) instead of the cases.</param>
    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel, bool replay = false)
    {
        if (args.Contains("--vectors")) return await VectorRunCommand.ExecuteAsync(args, stdout, stderr, cancel);
        var o = RunOptions.Parse(args, replay);
        var specs = o.Specs;
        var roles = o.Roles;

        var all = new List<CaseDef>();
        foreach (var sp in specs) all.AddRange(Specs.Of(sp).Cases().Where(c => roles.Contains(c.Role)));
        if (replay) all.Clear();
        var traceProtocols = specs.SelectMany(sp => roles.Select(r => TraceCases.Find(sp, r))).OfType<ITraceProtocol>().ToArray();
        if (replay && traceProtocols.Length != 1) throw new UsageException("replay needs --spec and --role naming one spec and role with traces (" +
            string.Join(", ", TraceCases.Protocols.Select(p => $"{p.Spec} {p.Role.Name()}")) + ")");
        if (o.Replayed is { } rp && rp.Steps.Select(traceProtocols[0].Unknown).FirstOrDefault(u => u is not null) is { } unknown) throw new UsageException("--steps: " + unknown);
        // A client IUT brings one connection at a time. Only the embedded references (not a shim, not an external IUT)
        // can be started afresh with seeded randomness for the minimal trace's evidence.
        var embedded = o.Target is null && o.Listen is null && o.Stdio is null && !o.ViaStdio;
        TraceSettings TraceSettingsFor(ITraceProtocol p) => new(o.TraceCount, p.Role == IutRole.Client ? 1 : o.TraceParallel,
            Fresh: embedded ? TraceCases.EmbeddedFresh(p.Spec, p.Role, o.Seed, o.Fault) : null,
            ReplayCommand: (id, steps) => ReplayLine(p, o.Seed, id, steps, o.Fault?.Name, o.Stdio is not null ? o.TargetText : o.Target?.ToString(), o.ViaStdio, o.Listen, o.KeyText, o.TimeoutMsText, o.AgentId));
        if (o.TraceCount > 0 || replay)
            all.AddRange(traceProtocols.Select(p => TraceCases.Case(p, TraceSettingsFor(p), o.Replayed)));
        // A case that has no meaning over this run's adapter is never run; the report lists it as not applicable.
        string AdapterOf(string spec) => o.Adapter == "http" && !Specs.Of(spec).HttpProfile ? "websocket" : o.Adapter;
        var notApplicable = all.Where(c => c.NotApplicableOver(AdapterOf(c.Spec)) is not null).ToList();
        all = [.. all.Except(notApplicable)];
        var cases = all;
        if (o.Filter is not null)
        {
            var match = Glob.Compile(o.Filter);
            cases = [.. cases.Where(c => match(c.Id))];
            if (cases.Count == 0) throw new UsageException($"--filter \"{o.Filter}\" matches no case");
        }
        if (!replay) cases = [.. SanityBracket.Apply(cases, all)];
        var skips = o.SkipList is null ? new Dictionary<string, SkipEntry>() : RunOptions.Gate(() => o.SkipList.Resolve(cases), o.SkipFile!);
        roles = [.. roles.Where(r => cases.Any(c => c.Role == r))];
        specs = [.. specs.Where(sp => cases.Any(c => c.Spec == sp))];
        var catalogs = specs.Select(CatalogOf).ToArray();
        if (o.List)
        {
            foreach (var c in cases)
                stdout.WriteLine($"{c.Id,-44} {c.Role.Name(),-6} {CaseExecutor.CaseLevel(c, CatalogOf(c.Spec)).Name(),-6} {c.Section,-8} {c.Title}" +
                    (skips.TryGetValue(c.Id, out var skip) ? $"  [skipped: {skip.Reason}]" : ""));
            foreach (var c in notApplicable.Where(c => o.Filter is null || Glob.Compile(o.Filter)(c.Id)))
                stdout.WriteLine($"{c.Id,-44} {c.Role.Name(),-6} not applicable over {AdapterOf(c.Spec)}: {c.NotApplicableOver(AdapterOf(c.Spec))}");
            stdout.WriteLine($"{cases.Count} case(s)");
            return Cli.Ok;
        }

        // An IUT that takes one connection at a time (--trace-parallel 1) gets no overlapping cases either.
        var settings = new RunSettings(o.Seed, o.Step) { AcceptTimeout = o.Accept, Overlap = o.TraceParallel > 1 };
        await using var resources = new RunTargets.Resources();
        Dictionary<string, Targets> bySpec;
        RunTargets.FirstConnectionGrace? external;
        try
        {
            (bySpec, external) = await RunTargets.StartAsync(o, cases, specs, resources, stdout);
        }
        catch (IutUnreachableException e)
        {
            stderr.WriteLine("conformance: " + e.Message);
            return Cli.Unreachable;
        }

        var started = DateTimeOffset.UtcNow;
        var described = Describe(bySpec);
        stdout.WriteLine($"running {cases.Count} case(s): {described}{(o.Fault is null ? "" : $" [fault {o.Fault.Name}]")}");
        var progress = new RunProgress(stdout, cases.Count, RunProgress.Enabled(stdout != Console.Out || Console.IsOutputRedirected, Environment.GetEnvironmentVariable("CI")));
        var results = await SuiteRunner.RunAsync(new RunPlan(cases, catalogs, settings, bySpec) { Skips = skips, Jobs = o.Jobs },
            r => progress.Finished($"  {r.Outcome.Name(),-13} {r.Id,-40} {r.DurationMs,8:0.0} ms{(r.Outcome == Outcome.Pass ? "" : "  " + Clip(r.Summary))}"),
            cancel, c => progress.Starting(c.Id));
        progress.Done();
        var manifest = new RunManifest("conformance", Version(), Commit(), specs, [.. roles.Select(r => r.Name())],
            o.Adapter, described, o.Seed, (int)o.Step.TotalMilliseconds,
            o.Fault?.Name, o.Filter, o.Target is null && o.Listen is null ? "embedded reference implementation" : null, started, DateTimeOffset.UtcNow, args)
        {
            RunId = settings.RunId,
            VectorsManifestSha256 = VectorsManifest(),
            ExpectFile = o.ExpectFile,
            SkipFile = o.SkipFile,
        };
        var result = Summary.Build(manifest, results, catalogs, roles, o.Baseline,
            [.. notApplicable.Where(c => cases.Any(r => r.Spec == c.Spec && r.Role == c.Role)).Select(c => new NotApplicableCase(c, AdapterOf(c.Spec), c.NotApplicableOver(AdapterOf(c.Spec))!))],
            specs.ToDictionary(sp => sp, AdapterOf));
        ReportFolder.Write(result, o.OutDir);
        if (o.WriteExpect is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.WriteExpect))!);
            File.WriteAllText(o.WriteExpect, Baseline.Write(results, manifest));
        }
        PrintSummary(stdout, result, o.OutDir);
        if (o.SaveVector is not null) SaveVector(results, o.SaveVector, embedded, stdout, stderr);
        if (o.WriteExpect is not null) stdout.WriteLine($"baseline: {o.WriteExpect} ({results.Count} expected outcomes)");
        if (external is { EverConnected: false }) { stderr.WriteLine("conformance: no client IUT ever connected"); return Cli.Unreachable; }
        // A replay reruns one trace, not a certification run: it exits 0 when the trace passes, 1 when it fails.
        return replay && result.ExitCode == Cli.NotRatified ? Cli.Ok : result.ExitCode;
    }

    /// <summary>
    /// --save-vector FILE: the first reproduced minimal failing trace as a vector file (flag TraceFound): the suite's
    /// frames exactly as sent (from the case's wire trace), what the IUT must do from the model. LHS server and client
    /// traces become lhs transcripts, Shard edge traces shard transcripts. A CIP agent's trace is not saved: no CIP
    /// vector kind holds a conversation with an agent (envelopes, trust-fsm, knowledge and replay each hold one rule's
    /// inputs), and inventing one is more than a save. Nor is a CCML node's yet.
    /// </summary>
    /// <param name="seeded">The evidence ran on a fresh embedded reference, whose clock is a seeded environment's.</param>
    private static void SaveVector(IReadOnlyList<CaseResult> results, string file, bool seeded, TextWriter stdout, TextWriter stderr)
    {
        var found = results.FirstOrDefault(r => r.Traces is { Minimal: not null, Flaky: false, FailingTrace: not null });
        if (found is null)
        {
            stdout.WriteLine("--save-vector: no failing trace to save");
            return;
        }
        var t = found.Traces!;
        var origin = $"trace {t.FailingTrace} of seed {t.Seed}, shrunk to {t.Minimal}; {found.Summary}";
        var (connections, why) = Suite.Vectors.TraceFrames.ByConnection(found.Trace);
        Suite.Vectors.VectorFile? vector = null;
        if (connections is not null)
            try { (vector, why) = Build(connections); }
            // The trace's frames are the IUT's as much as the suite's: whatever they are, the run ends normally.
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
            {
                why = "the model cannot build a vector from this trace: " + e.Message;
            }
        (Suite.Vectors.VectorFile?, string?) Build(IReadOnlyList<IReadOnlyList<Suite.Vectors.TraceFrame>> connections) => found.Id switch
        {
            "LHS-S-traces" => (Suite.Vectors.Lhs.TranscriptVectors.TraceFound(t.Seed, origin,
                [.. connections.Select(c => c.Where(f => f.Sent).Select(f => (f.Binary, f.Bytes)).ToArray()).Where(c => c.Length > 0)]), null),
            "LHS-C-traces" => Suite.Vectors.Lhs.TranscriptVectors.ClientTraceFound(t.Seed, origin, connections),
            "SHARD-E-traces" => Suite.Traces.Shard.ShardEdgeTraces.NotTranscribable(Suite.Traces.TraceStep.Parse(t.Minimal!) ?? []) is { } interleaved ? (null, interleaved)
                : Suite.Vectors.Shard.TranscriptVectors.TraceFound(t.Seed, origin, seeded ? new SeededEnvironment(t.Seed).Now : null, connections),
            "CIP-A-traces" => (null, $"{found.Id}: no vector kind holds a conversation with a CIP agent (CIP's vectors each hold one rule's inputs)"),
            _ => (null, $"{found.Id}: this role's traces are not saved as vectors yet"),
        };
        if (vector is null)
        {
            stderr.WriteLine($"conformance: --save-vector: {why}; not saved");
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            File.WriteAllBytes(file, Suite.Vectors.VectorJson.Serialize(vector));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"conformance: --save-vector: cannot write {file}: {e.Message}");
            return;
        }
        stdout.WriteLine($"saved the minimal trace of {found.Id} as a vector: {file} ({vector.Spec}/{vector.Topic}, {vector.NumberOfTests} transcript(s), flag TraceFound)");
    }

    /// <summary>The one-line command that replays a trace of this run.</summary>
    /// <param name="target">As given: a URL, or a stdio: command (quoted, it may hold spaces).</param>
    /// <param name="viaStdio">The reference implementations ran as stdio shims (--adapter stdio).</param>
    private static string ReplayLine(ITraceProtocol p, ulong seed, int id, string steps, string? fault, string? target, bool viaStdio, Uri? listen, string? key, string? timeoutMs,
        string? agentId) =>
        // A CIP IUT is always an agent: its spec alone says so (the CLI refuses --role for it).
        $"./run-conformance.sh replay --spec {p.Spec}{(p.Role == IutRole.Agent ? "" : $" --role {p.Role.Name()}")} --seed {seed} --trace {id} --steps '{steps}'" +
        (fault is null ? "" : $" --fault {fault}") + (viaStdio ? " --adapter stdio" : "") + (target is null ? "" : $" --target {Quote(target)}" + (key is null ? "" : $" --server-key {key}")
            + (agentId is null ? "" : $" --agent-id {agentId}")) +
        (listen is null ? "" : $" --listen {listen}") +
        (timeoutMs is null ? "" : $" --timeout-ms {timeoutMs}");

    /// <summary>A shell word: single-quoted when it holds anything but plain characters.</summary>
    private static string Quote(string s) => s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=@%+,".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

    internal static void PrintSummary(TextWriter o, RunResult r, string outDir)
    {
        o.WriteLine();
        foreach (var group in r.Checklist.GroupBy(c => (c.Spec, c.Role)))
        {
            o.WriteLine($"{group.Key.Spec.ToUpperInvariant()} checklist, IUT as {group.Key.Role}:");
            foreach (var i in group)
                o.WriteLine($"  {i.Item,-10} {Status(i.Status),-13} {i.Title}" +
                    (i.FailedRequirements.Count > 0 ? $"  (failed: {string.Join(", ", i.FailedRequirements)})" : "") +
                    (i.Status == ItemStatus.NotVerified ? $"  (untested: {string.Join(", ", i.UntestedRequirements)})" : ""));
        }
        var c = r.Counts;
        o.WriteLine($"{c.Total} cases: {c.Pass} pass, {c.Fail} fail, {c.Timeout} timeout, {c.Error} error, {c.NonStrict} non-strict, {c.Informational} informational, {c.Unimplemented} unimplemented, {c.Skipped} skipped" + (c.Flaky > 0 ? $", {c.Flaky} flaky" : ""));
        o.WriteLine($"coverage: {r.RequirementsCovered} of {r.RequirementsTotal} requirements have a case that ran and checked them");
        foreach (var n in r.Notes) o.WriteLine("note: " + n);
        o.WriteLine($"verdict: {r.Verdict}");
        if (r.Manifest.ExpectFile is not null) o.WriteLine(r.Deviations.Count == 0 ? "baseline: no deviation" : $"baseline: {r.Deviations.Count} deviation(s)");
        o.WriteLine($"report: {Path.Combine(outDir, "index.html")} (report.json, junit.xml, summary.md)");
    }

    /// <summary>SHA-256 of vectors/MANIFEST.json of the checkout the suite runs in, when there is one.</summary>
    internal static string? VectorsManifest()
    {
        var file = Path.Combine(Suite.Vectors.VectorSet.DefaultDirectory(), "MANIFEST.json");
        return File.Exists(file) ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))) : null;
    }

    private static string Status(ItemStatus s) => s switch
    {
        ItemStatus.Met => "met",
        ItemStatus.NotMet => "NOT MET",
        ItemStatus.NotVerified => "not verified",
        _ => "n/a",
    };

    private static string Describe(Dictionary<string, Targets> bySpec) =>
        string.Join("; ", bySpec.SelectMany(kv => new[]
        {
            kv.Value.Server is { } s ? $"{kv.Key} server IUT {s.Describe}" : null,
            kv.Value.Client is { } c ? $"{kv.Key} client IUT {c.Describe}" : null,
            kv.Value.Agent is { } a ? $"{kv.Key} agent IUT {a.Describe}" : null,
        }).Where(x => x is not null));

    private static Catalog CatalogOf(string spec) => Specs.Of(spec).Catalog;

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";

    internal static string Version() =>
        typeof(RunCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The commit the suite was built from, when run from a git checkout.</summary>
    internal static string? Commit()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true });
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            return p.WaitForExit(2000) && p.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

}
