using System.Diagnostics;
using System.Reflection;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Reports.Model;
using Conformance.Reports.Writers;
using Conformance.Reference.Cip;
using Conformance.Suite.Cip;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Lhs;
using Conformance.Suite.Shard;
using Conformance.Suite.Specs;
using Conformance.Suite.Traces;
using Conformance.Reference.Shard;

namespace Conformance.Cli.Commands;

internal static class RunCommand
{
    private static readonly HashSet<string> Flags = ["list"];

    /// <summary>The specs the suite can test today, in run order.</summary>
    public static IReadOnlyList<string> Implemented => Specs.Names;

    /// <param name="replay">`conformance replay`: run one trace script (--trace ID --steps SCRIPT) instead of the cases.</param>
    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel, bool replay = false)
    {
        if (args.Contains("--vectors")) return await VectorRunCommand.ExecuteAsync(args, stdout, stderr, cancel);
        var a = new Args(args, Flags);
        var specText = a.Get("spec");
        StdioCommand? stdio = null;
        if (a.Get("target") is { } t && t.StartsWith(StdioCommand.Scheme, StringComparison.Ordinal))
        {
            try { stdio = StdioCommand.Parse(t); }
            catch (FormatException e) { throw new UsageException($"--target: {e.Message}"); }
        }
        var target = stdio is null ? a.Uri("target", "ws", "wss", "http") : null;
        var adapterText = a.Get("adapter");
        var listen = a.Uri("listen", "ws", "http");
        var observe = a.Uri("observe", "ws", "wss");
        var keyText = a.Get("server-key");
        var agentId = a.Get("agent-id");
        var roleText = a.Get("role");
        var filter = a.Get("filter");
        var list = a.Flag("list");
        var seed = a.ULong("seed", 1);
        var step = TimeSpan.FromMilliseconds(a.Int("timeout-ms", 2000, min: 10, max: 600_000));
        var acceptGiven = a.Get("accept-timeout-ms") is not null;
        var accept = TimeSpan.FromMilliseconds(a.Int("accept-timeout-ms", 10_000, min: 10, max: 3_600_000));
        var fault = FaultsCommand.Resolve(a.Get("fault"));
        var outDir = a.Get("out") ?? Path.Combine("reports", "latest");
        var skipFile = a.Get("skip");
        var expectFile = a.Get("expect");
        var writeExpect = a.Get("write-expect");
        var traceCount = a.Int("traces", TraceSettings.DefaultCount, min: 0, max: 1_000_000);
        var traceParallel = a.Int("trace-parallel", 4, min: 1, max: 64);
        var saveVector = a.Get("save-vector");
        var replayed = replay ? ReplayArgs(a) : ((int Id, IReadOnlyList<TraceStep> Steps)?)null;
        a.RejectUnknown();
        var adapter = Adapter(adapterText ?? ((target ?? listen) is null && stdio is null ? fault?.Adapter : null), target ?? listen, stdio is not null);
        // --adapter stdio without a stdio: target runs the reference implementations as shims.
        var viaStdio = adapter == "stdio" && stdio is null;
        var baseline = expectFile is null ? null : Gate(() => Baseline.Load(expectFile), expectFile);
        var skipList = skipFile is null ? null : Gate(() => SkipList.Load(skipFile), skipFile);

        string[] specs = specText switch
        {
            // A fault belongs to one spec; --role names LHS and Shard roles (with an external IUT, LHS as before).
            null => fault is not null ? [fault.Spec] : roleText is not null ? (target ?? listen) is not null || stdio is not null ? ["lhs"] : [.. Specs.All.Where(sp => !sp.Roles.Contains(IutRole.Agent)).Select(sp => sp.Name)] : [.. Implemented],
            _ when Implemented.Contains(specText) => [specText],
            _ => throw new UsageException($"unknown spec \"{specText}\" (available: {string.Join(", ", Implemented)})"),
        };
        if (fault is not null && !specs.Contains(fault.Spec)) throw new UsageException($"fault {fault.Name} breaks the {fault.Spec} reference, not {string.Join("/", specs)}");
        if ((target is not null || listen is not null || stdio is not null) && specs.Length != 1) throw new UsageException("--target and --listen test one spec: give --spec");
        if (stdio is not null && (listen is not null || observe is not null)) throw new UsageException("a stdio target carries its connections and observations itself: no --listen or --observe");
        if (viaStdio && (target is not null || listen is not null || stdio is not null)) throw new UsageException("--adapter stdio runs the reference implementations as shims; an external shim is --target \"stdio:COMMAND\"");
        var cip = specs.Contains("cip");
        if (cip && (listen is not null || roleText is not null)) throw new UsageException("a CIP IUT is an agent: test it with --spec cip --target");
        if (agentId is not null && !(cip && (target is not null || stdio is not null))) throw new UsageException("--agent-id is for an external CIP agent (--spec cip --target)");
        // §5 is LHS's profile. An embedded run over http runs Shard and CIP over websocket (itself an HTTP upgrade, without
        // the §5 headers), so "the whole suite over http" means something; an external IUT names its one spec.
        if (adapter == "http" && !specs.Contains("lhs")) throw new UsageException("the http adapter is for LHS: give --spec lhs");
        if (adapter == "http" && specs.Length != 1 && (target ?? listen) is not null) throw new UsageException("the http adapter is for LHS: give --spec lhs");

        IutRole[] roles = roleText switch
        {
            null => target is not null || stdio is not null ? [IutRole.Server] : listen is not null ? [IutRole.Client] : [IutRole.Server, IutRole.Client],
            "server" => [IutRole.Server],
            "client" => [IutRole.Client],
            _ => throw new UsageException("--role must be server or client"),
        };
        if (cip) roles = specs.Length == 1 ? [IutRole.Agent] : [.. roles, IutRole.Agent];
        if (target is not null && roles.Contains(IutRole.Client)) throw new UsageException("--target tests a server IUT; a client IUT connects to --listen");
        if (listen is not null && roles.Contains(IutRole.Server)) throw new UsageException("--listen waits for a client IUT: use it with --role client");
        if (fault is not null && (target is not null || listen is not null || stdio is not null)) throw new UsageException("--fault breaks the embedded reference; it cannot apply to an external IUT");
        if (keyText is not null && target is null && stdio is null) throw new UsageException("--server-key is for an external IUT (--target)");
        if (observe is not null && target is null) throw new UsageException("--observe is for an external IUT (--target)");
        byte[] iutKey = [];
        if (target is not null && specs[0] != "shard")
        {
            if (keyText is null) throw new UsageException(cip ? "--target needs --server-key: the agent's Ed25519 public key" : "--target needs --server-key: the seal is verified with the IUT's public key");
            if (!Ed25519.TryParsePublicKey(keyText, out var k)) throw new UsageException("--server-key must be 32 bytes as 64 hex digits or 43 base64url characters");
            iutKey = k;
            if (cip && agentId is null) throw new UsageException("--spec cip --target needs --agent-id: the agent's agent_id, to address envelopes to it");
        }

        var all = new List<CaseDef>();
        foreach (var sp in specs) all.AddRange(Specs.Of(sp).Cases().Where(c => roles.Contains(c.Role)));
        if (replay) all.Clear();
        var traceProtocols = specs.SelectMany(sp => roles.Select(r => TraceCases.Find(sp, r))).OfType<ITraceProtocol>().ToArray();
        if (replay && traceProtocols.Length != 1) throw new UsageException("replay needs --spec and --role naming one spec and role with traces (" +
            string.Join(", ", TraceCases.Protocols.Select(p => $"{p.Spec} {p.Role.Name()}")) + ")");
        if (replayed is { } rp && rp.Steps.Select(traceProtocols[0].Unknown).FirstOrDefault(u => u is not null) is { } unknown) throw new UsageException("--steps: " + unknown);
        // A client IUT brings one connection at a time. Only the embedded references (not a shim, not an external IUT)
        // can be started afresh with seeded randomness for the minimal trace's evidence.
        var embedded = target is null && listen is null && stdio is null && !viaStdio;
        TraceSettings TraceSettingsFor(ITraceProtocol p) => new(traceCount, p.Role == IutRole.Client ? 1 : traceParallel,
            Fresh: embedded ? TraceCases.EmbeddedFresh(p.Spec, p.Role, seed, fault) : null,
            ReplayCommand: (id, steps) => ReplayLine(p, seed, id, steps, fault?.Name, stdio is not null ? a.Get("target") : target?.ToString(), viaStdio, listen, keyText, a.Get("timeout-ms"), agentId));
        if (traceCount > 0 || replay)
            all.AddRange(traceProtocols.Select(p => TraceCases.Case(p, TraceSettingsFor(p), replayed)));
        // A case that has no meaning over this run's adapter is never run; the report lists it as not applicable.
        string AdapterOf(string spec) => adapter == "http" && spec != "lhs" ? "websocket" : adapter;
        var notApplicable = all.Where(c => c.NotApplicableOver(AdapterOf(c.Spec)) is not null).ToList();
        all = [.. all.Except(notApplicable)];
        var cases = all;
        if (filter is not null)
        {
            var match = Glob.Compile(filter);
            cases = [.. cases.Where(c => match(c.Id))];
            if (cases.Count == 0) throw new UsageException($"--filter \"{filter}\" matches no case");
        }
        if (!replay) cases = [.. SanityBracket.Apply(cases, all)];
        var skips = skipList is null ? new Dictionary<string, SkipEntry>() : Gate(() => skipList.Resolve(cases), skipFile!);
        roles = [.. roles.Where(r => cases.Any(c => c.Role == r))];
        specs = [.. specs.Where(sp => cases.Any(c => c.Spec == sp))];
        var catalogs = specs.Select(CatalogOf).ToArray();
        if (list)
        {
            foreach (var c in cases)
                stdout.WriteLine($"{c.Id,-44} {c.Role.Name(),-6} {CaseExecutor.CaseLevel(c, CatalogOf(c.Spec)).Name(),-6} {c.Section,-8} {c.Title}" +
                    (skips.TryGetValue(c.Id, out var skip) ? $"  [skipped: {skip.Reason}]" : ""));
            foreach (var c in notApplicable.Where(c => filter is null || Glob.Compile(filter)(c.Id)))
                stdout.WriteLine($"{c.Id,-44} {c.Role.Name(),-6} not applicable over {AdapterOf(c.Spec)}: {c.NotApplicableOver(AdapterOf(c.Spec))}");
            stdout.WriteLine($"{cases.Count} case(s)");
            return Cli.Ok;
        }

        // An IUT that takes one connection at a time (--trace-parallel 1) gets no overlapping cases either.
        var settings = new RunSettings(seed, step) { AcceptTimeout = accept, Overlap = traceParallel > 1 };
        await using var resources = new Resources();
        var bySpec = new Dictionary<string, Targets>();
        FirstConnectionGrace? external = null;
        try
        {
            foreach (var spec in specs)
            {
                bool Plays(IutRole r) => cases.Any(c => c.Spec == spec && c.Role == r);
                // The spec's own embedded reference in that role, broken by the run's fault.
                async Task<Targets> Embedded(IutRole r)
                {
                    var start = Specs.Of(spec).StartEmbedded(new EmbeddedStart(seed, fault, adapter), r)
                        ?? throw new UsageException($"{spec} has no embedded reference in the {r.Name()} role");
                    var iut = await start;
                    resources.Add(iut.Owner);
                    return iut.Targets;
                }
                IServerTarget? server = null;
                IClientTarget? client = null;
                IAgentTarget? agent = null;
                // A stdio IUT (external, or the reference as a shim): one shim process per spec and role.
                if (stdio is not null || viaStdio)
                {
                    foreach (var role in new[] { IutRole.Server, IutRole.Client, IutRole.Agent }.Where(Plays))
                    {
                        string? store = null;
                        if (viaStdio && spec == "shard" && role == IutRole.Server) store = resources.Add(new TempDirectory("conformance-registry-")).Path;
                        var shim = resources.Add(await RunStdio.StartAsync(stdio ?? RunStdio.Reference(spec, role, fault, seed, store), spec, role, keyText, agentId, step));
                        if (role == IutRole.Server) server = (IServerTarget)shim;
                        else if (role == IutRole.Client) client = (IClientTarget)shim;
                        else agent = (IAgentTarget)shim;
                    }
                }
                else
                {
                if (Plays(IutRole.Server))
                {
                    if (target is not null)
                    {
                        if (adapter == "http") await HttpProbe(target, Probe(step));
                        else await using (await WebSocketClient.ConnectAsync(target, Probe(step))) { }
                        var observations = observe is null ? null : resources.Add(await WebSocketObservations.ConnectAsync(observe, step));
                        server = adapter == "http" ? new HttpUpgradeServerTarget(target, iutKey, observations) : new WebSocketServerTarget(target, iutKey, observations);
                    }
                    else server = (await Embedded(IutRole.Server)).Server;
                }
                if (Plays(IutRole.Client))
                {
                    if (listen is not null)
                    {
                        IClientTarget inner;
                        Uri url;
                        try
                        {
                            if (adapter == "http")
                            {
                                var http = resources.Add(await Adapters.Http.HttpUpgradeListener.StartAsync(listen));
                                (inner, url) = (new HttpUpgradeClientTarget(http), http.Url);
                            }
                            else
                            {
                                var ws = resources.Add(await WebSocketListener.StartAsync(listen));
                                (inner, url) = (new WebSocketClientTarget(ws), ws.Url);
                            }
                        }
                        catch (IOException e) { throw new UsageException($"cannot listen on {listen}: {e.Message}"); }
                        var grace = acceptGiven ? accept : TimeSpan.FromSeconds(30);
                        client = external = inner is IHttpUpgradeClientTarget http2 ? new HttpFirstConnectionGrace(http2, grace) : new FirstConnectionGrace(inner, grace);
                        stdout.WriteLine(spec == "lhs"
                            ? $"waiting for the client IUT at {url} (trust the suite's key {Convert.ToHexStringLower(Suite.Lhs.Play.SuiteServer.Key.PublicKey)})"
                            : $"waiting for the CCML node at {url} (sign with the suite's published CCML key: see `keys`)");
                    }
                    else client = (await Embedded(IutRole.Client)).Client;
                }
                if (Plays(IutRole.Agent))
                {
                    if (target is null)
                        agent = (await Embedded(IutRole.Agent)).Agent;
                    else
                    {
                        await using (await WebSocketClient.ConnectAsync(target, Probe(step))) { }
                        var observations = observe is null ? null : resources.Add(await WebSocketObservations.ConnectAsync(observe, step));
                        agent = new WebSocketAgentTarget(target, agentId!, iutKey, observations);
                    }
                }
                }
                bySpec[spec] = new Targets(server, client, agent);
            }
        }
        catch (IutUnreachableException e)
        {
            stderr.WriteLine("conformance: " + e.Message);
            return Cli.Unreachable;
        }

        var started = DateTimeOffset.UtcNow;
        var described = Describe(bySpec);
        stdout.WriteLine($"running {cases.Count} case(s): {described}{(fault is null ? "" : $" [fault {fault.Name}]")}");
        var progress = new RunProgress(stdout, cases.Count, RunProgress.Enabled(stdout != Console.Out || Console.IsOutputRedirected, Environment.GetEnvironmentVariable("CI")));
        var results = await SuiteRunner.RunAsync(new RunPlan(cases, catalogs, settings, bySpec) { Skips = skips },
            r => progress.Finished($"  {r.Outcome.Name(),-13} {r.Id,-40} {r.DurationMs,8:0.0} ms{(r.Outcome == Outcome.Pass ? "" : "  " + Clip(r.Summary))}"),
            cancel, c => progress.Starting(c.Id));
        progress.Done();
        var manifest = new RunManifest("conformance", Version(), Commit(), specs, [.. roles.Select(r => r.Name())],
            adapter, described, seed, (int)step.TotalMilliseconds,
            fault?.Name, filter, target is null && listen is null ? "embedded reference implementation" : null, started, DateTimeOffset.UtcNow, args)
        {
            RunId = settings.RunId,
            VectorsManifestSha256 = VectorsManifest(),
            ExpectFile = expectFile,
            SkipFile = skipFile,
        };
        var result = Summary.Build(manifest, results, catalogs, roles, baseline,
            [.. notApplicable.Where(c => cases.Any(r => r.Spec == c.Spec && r.Role == c.Role)).Select(c => new NotApplicableCase(c, AdapterOf(c.Spec), c.NotApplicableOver(AdapterOf(c.Spec))!))],
            specs.ToDictionary(sp => sp, AdapterOf));
        ReportFolder.Write(result, outDir);
        if (writeExpect is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(writeExpect))!);
            File.WriteAllText(writeExpect, Baseline.Write(results, manifest));
        }
        PrintSummary(stdout, result, outDir);
        if (saveVector is not null) SaveVector(results, saveVector, embedded, stdout, stderr);
        if (writeExpect is not null) stdout.WriteLine($"baseline: {writeExpect} ({results.Count} expected outcomes)");
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

    /// <summary>replay's --trace ID --steps SCRIPT.</summary>
    private static (int Id, IReadOnlyList<TraceStep> Steps) ReplayArgs(Args a)
    {
        var id = a.Int("trace", -1, min: 0);
        if (id < 0) throw new UsageException("replay needs --trace ID (the trace's number in the report)");
        var script = a.Get("steps") ?? throw new UsageException("replay needs --steps SCRIPT (the minimal trace as printed in the report)");
        return (id, TraceStep.Parse(script) ?? throw new UsageException($"--steps \"{script}\" is not a trace script (kind[:variant][#n];…)"));
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

    /// <summary>
    /// --adapter websocket|http|stdio (default websocket). With --target or --listen the URL's scheme decides (a
    /// stdio: target is stdio), and a conflicting --adapter is a usage error.
    /// </summary>
    private static string Adapter(string? given, Uri? url, bool stdioTarget)
    {
        var fromUrl = stdioTarget ? "stdio" : url?.Scheme switch { null => null, "http" => "http", _ => "websocket" };
        var adapter = given switch
        {
            null => fromUrl ?? "websocket",
            "websocket" or "http" or "stdio" => given,
            _ => throw new UsageException($"--adapter must be websocket, http or stdio (got \"{given}\")"),
        };
        if (fromUrl is not null && fromUrl != adapter && !(adapter == "stdio" && stdioTarget))
            throw new UsageException($"--adapter {adapter} does not match the target {(stdioTarget ? "stdio:" : url!.Scheme + "://")}");
        return adapter;
    }

    /// <summary>Reachability for the http adapter: a TCP connection (an upgrade request is a case's business).</summary>
    private static async Task HttpProbe(Uri target, TimeSpan timeout)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        using var cts = new CancellationTokenSource(timeout);
        try { await tcp.ConnectAsync(target.Host, target.Port, cts.Token); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            throw new IutUnreachableException($"cannot open a TCP connection to {target}: {e.Message}", e);
        }
    }

    /// <summary>The reachability check before a run: generous, since failing it ends the run with exit 3.</summary>
    private static TimeSpan Probe(TimeSpan step) => step > TimeSpan.FromSeconds(10) ? step : TimeSpan.FromSeconds(10);

    /// <summary>Reads a --skip or --expect file; a missing or malformed one is a configuration error (exit 2).</summary>
    private static T Gate<T>(Func<T> read, string file)
    {
        try { return read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot read {file}: {e.Message}"); }
        catch (FormatException e) { throw new UsageException(e.Message); }
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

    /// <summary>Disposes what the run started, in reverse order.</summary>
    private sealed class Resources : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _items = [];
        public T Add<T>(T item) where T : IAsyncDisposable { _items.Add(item); return item; }
        public async ValueTask DisposeAsync()
        {
            for (var i = _items.Count - 1; i >= 0; i--) await _items[i].DisposeAsync();
        }
    }

    /// <summary>A temporary directory removed when the run ends (a stdio reference edge's registry).</summary>
    private sealed class TempDirectory(string prefix) : IAsyncDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;
        public ValueTask DisposeAsync()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>An external client IUT gets longer for its first connection (someone may still be starting it).</summary>
    private class FirstConnectionGrace(IClientTarget inner, TimeSpan first) : IClientTarget
    {
        /// <summary>The wait for the next connection: the grace until one has arrived, then <paramref name="timeout"/>.</summary>
        protected TimeSpan Wait(TimeSpan timeout) => EverConnected ? timeout : (first > timeout ? first : timeout);

        public bool EverConnected { get; protected set; }
        public string Adapter => inner.Adapter;
        public string Describe => inner.Describe;

        public async Task<IWireConnection?> AcceptAsync(Adapters.Trace.WireTrace trace, TimeSpan timeout, CancellationToken cancel)
        {
            var conn = await inner.AcceptAsync(trace, Wait(timeout), cancel);
            EverConnected |= conn is not null;
            return conn;
        }
    }

    /// <summary>The same grace for a client IUT over the http adapter.</summary>
    private sealed class HttpFirstConnectionGrace(IHttpUpgradeClientTarget inner, TimeSpan first) : FirstConnectionGrace(inner, first), IHttpUpgradeClientTarget
    {
        public async Task<Adapters.Http.PendingUpgrade?> AcceptUpgradeAsync(Adapters.Trace.WireTrace trace, TimeSpan timeout, CancellationToken cancel)
        {
            var pending = await inner.AcceptUpgradeAsync(trace, Wait(timeout), cancel);
            EverConnected |= pending is not null;
            return pending;
        }
    }
}
