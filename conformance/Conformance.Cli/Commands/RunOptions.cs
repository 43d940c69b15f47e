// `conformance run` options: parsed strictly (unknown options are usage errors) and checked against each other
// before anything starts, so a misconfigured CI gate exits 2 at once instead of running the wrong thing.
using Conformance.Adapters.Stdio;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;
using Conformance.Suite.Core;
using Conformance.Suite.Specs;
using Conformance.Suite.Traces;

namespace Conformance.Cli.Commands;

internal sealed class RunOptions
{
    private static readonly HashSet<string> Flags = ["list"];

    public required StdioCommand? Stdio { get; init; }
    public required Uri? Target { get; init; }
    public required Uri? Listen { get; init; }
    public required Uri? Observe { get; init; }
    public required string? KeyText { get; init; }
    public required string? AgentId { get; init; }
    public required string? RoleText { get; init; }
    public required string? Filter { get; init; }
    public required bool List { get; init; }
    public required ulong Seed { get; init; }
    public required TimeSpan Step { get; init; }
    public required bool AcceptGiven { get; init; }
    public required TimeSpan Accept { get; init; }
    public required Fault? Fault { get; init; }
    public required string OutDir { get; init; }
    public required string? SkipFile { get; init; }
    public required string? ExpectFile { get; init; }
    public required string? WriteExpect { get; init; }
    public required int TraceCount { get; init; }
    public required int TraceParallel { get; init; }
    /// <summary>--jobs: spec/role groups run at once (0: all of them).</summary>
    public required int Jobs { get; init; }
    public required string? SaveVector { get; init; }
    public required (int Id, IReadOnlyList<TraceStep> Steps)? Replayed { get; init; }
    public required string Adapter { get; init; }
    public required bool ViaStdio { get; init; }
    public required Baseline? Baseline { get; init; }
    public required SkipList? SkipList { get; init; }
    public required bool Cip { get; init; }
    public required byte[] IutKey { get; init; }
    /// <summary>The specs to run, in run order.</summary>
    public required string[] Specs { get; init; }
    /// <summary>The IUT roles to run.</summary>
    public required IutRole[] Roles { get; init; }
    /// <summary>--target as given (a URL or a stdio: command), for the replay line.</summary>
    public required string? TargetText { get; init; }
    /// <summary>--timeout-ms as given, for the replay line.</summary>
    public required string? TimeoutMsText { get; init; }

    /// <param name="replay">`conformance replay`: --trace ID --steps SCRIPT are required.</param>
    public static RunOptions Parse(string[] args, bool replay)
    {
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
        var jobs = a.Int("jobs", 0, min: 0, max: 64);
        var saveVector = a.Get("save-vector");
        var replayed = replay ? ReplayArgs(a) : ((int Id, IReadOnlyList<TraceStep> Steps)?)null;
        a.RejectUnknown();
        var adapter = AdapterOf(adapterText ?? ((target ?? listen) is null && stdio is null ? fault?.Adapter : null), target ?? listen, stdio is not null);
        // --adapter stdio without a stdio: target runs the reference implementations as shims.
        var viaStdio = adapter == "stdio" && stdio is null;
        var baseline = expectFile is null ? null : Gate(() => Baseline.Load(expectFile), expectFile);
        var skipList = skipFile is null ? null : Gate(() => SkipList.Load(skipFile), skipFile);

        string[] specs = specText switch
        {
            // A fault belongs to one spec; --role names LHS and Shard roles (with an external IUT, LHS as before).
            null => fault is not null ? [fault.Spec] : roleText is not null ? (target ?? listen) is not null || stdio is not null ? [Suite.Specs.Specs.Default.Name] : [.. Suite.Specs.Specs.All.Where(sp => !sp.IsAgent).Select(sp => sp.Name)] : [.. RunCommand.Implemented],
            _ when RunCommand.Implemented.Contains(specText) => [specText],
            _ => throw new UsageException($"unknown spec \"{specText}\" (available: {string.Join(", ", RunCommand.Implemented)})"),
        };
        if (fault is not null && !specs.Contains(fault.Spec)) throw new UsageException($"fault {fault.Name} breaks the {fault.Spec} reference, not {string.Join("/", specs)}");
        if ((target is not null || listen is not null || stdio is not null) && specs.Length != 1) throw new UsageException("--target and --listen test one spec: give --spec");
        if (stdio is not null && (listen is not null || observe is not null)) throw new UsageException("a stdio target carries its connections and observations itself: no --listen or --observe");
        if (viaStdio && (target is not null || listen is not null || stdio is not null)) throw new UsageException("--adapter stdio runs the reference implementations as shims; an external shim is --target \"stdio:COMMAND\"");
        var cip = specs.Any(sp => Suite.Specs.Specs.Of(sp).IsAgent);
        if (cip && (listen is not null || roleText is not null)) throw new UsageException("a CIP IUT is an agent: test it with --spec cip --target");
        if (agentId is not null && !(cip && (target is not null || stdio is not null))) throw new UsageException("--agent-id is for an external CIP agent (--spec cip --target)");
        // §5 is LHS's profile. An embedded run over http runs Shard and CIP over websocket (itself an HTTP upgrade, without
        // the §5 headers), so "the whole suite over http" means something; an external IUT names its one spec.
        var http = string.Join(", ", Suite.Specs.Specs.All.Where(sp => sp.HttpProfile).Select(sp => sp.Name));
        if (adapter == "http" && !specs.Any(sp => Suite.Specs.Specs.Of(sp).HttpProfile)) throw new UsageException($"the http adapter is for the HTTP Upgrade profile: give --spec {http}");
        if (adapter == "http" && specs.Length != 1 && (target ?? listen) is not null) throw new UsageException($"the http adapter is for the HTTP Upgrade profile: give --spec {http}");

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
        // A server that signs (the LHS seal) or an agent is checked against its public key; a Shard edge signs nothing.
        if (target is not null && (Suite.Specs.Specs.Of(specs[0]).ServerSigns || cip))
        {
            if (keyText is null) throw new UsageException(cip ? "--target needs --server-key: the agent's Ed25519 public key" : "--target needs --server-key: the seal is verified with the IUT's public key");
            if (!Ed25519.TryParsePublicKey(keyText, out var k)) throw new UsageException("--server-key must be 32 bytes as 64 hex digits or 43 base64url characters");
            iutKey = k;
            if (cip && agentId is null) throw new UsageException("--spec cip --target needs --agent-id: the agent's agent_id, to address envelopes to it");
        }

        return new RunOptions
        {
            Stdio = stdio,
            Target = target,
            Listen = listen,
            Observe = observe,
            KeyText = keyText,
            AgentId = agentId,
            RoleText = roleText,
            Filter = filter,
            List = list,
            Seed = seed,
            Step = step,
            AcceptGiven = acceptGiven,
            Accept = accept,
            Fault = fault,
            OutDir = outDir,
            SkipFile = skipFile,
            ExpectFile = expectFile,
            WriteExpect = writeExpect,
            TraceCount = traceCount,
            TraceParallel = traceParallel,
            Jobs = jobs,
            SaveVector = saveVector,
            Replayed = replayed,
            Adapter = adapter,
            ViaStdio = viaStdio,
            Baseline = baseline,
            SkipList = skipList,
            Cip = cip,
            IutKey = iutKey,
            Specs = specs,
            Roles = roles,
            TargetText = a.Get("target"),
            TimeoutMsText = a.Get("timeout-ms"),
        };
    }

    /// <summary>replay's --trace ID --steps SCRIPT.</summary>
    internal static (int Id, IReadOnlyList<TraceStep> Steps) ReplayArgs(Args a)
    {
        var id = a.Int("trace", -1, min: 0);
        if (id < 0) throw new UsageException("replay needs --trace ID (the trace's number in the report)");
        var script = a.Get("steps") ?? throw new UsageException("replay needs --steps SCRIPT (the minimal trace as printed in the report)");
        return (id, TraceStep.Parse(script) ?? throw new UsageException($"--steps \"{script}\" is not a trace script (kind[:variant][#n];…)"));
    }

    /// <summary>
    /// --adapter websocket|http|stdio (default websocket). With --target or --listen the URL's scheme decides (a
    /// stdio: target is stdio), and a conflicting --adapter is a usage error.
    /// </summary>
    internal static string AdapterOf(string? given, Uri? url, bool stdioTarget)
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

    /// <summary>Reads a --skip or --expect file; a missing or malformed one is a configuration error (exit 2).</summary>
    internal static T Gate<T>(Func<T> read, string file)
    {
        try { return read(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UsageException($"cannot read {file}: {e.Message}"); }
        catch (FormatException e) { throw new UsageException(e.Message); }
    }
}
