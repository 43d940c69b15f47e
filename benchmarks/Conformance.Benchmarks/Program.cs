// Reference throughput, reported as ratios against a limit of the machine measured in the same run: CIP against the raw
// Ed25519 verify rate, the Shard hand-off against the SHA-256 rate (and the shard edge's peak memory).
//   dotnet run --project benchmarks/Conformance.Benchmarks -c Release [-- --quick] [--rounds N] [--uploads N] [--only NAME[,NAME]]
using System.Globalization;
using System.Runtime.InteropServices;
using Conformance.Benchmarks;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

// Short names for --only; a group's baseline always runs (raw Ed25519 for cip.*, SHA-256 for shard.*), since every
// other figure in it is a ratio to it.
var aliases = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
{
    ["raw"] = ["ed25519.verify"], ["ed25519.verify"] = ["ed25519.verify"],
    ["model"] = ["cip.verify"], ["verify"] = ["cip.verify"], ["cip.verify"] = ["cip.verify"],
    ["agent"] = ["cip.agent"], ["cip.agent"] = ["cip.agent"],
    ["ws"] = ["cip.agent.ws"], ["loopback"] = ["cip.agent.ws"], ["cip.agent.ws"] = ["cip.agent.ws"],
    ["cip"] = ["ed25519.verify", "cip.verify", "cip.agent", "cip.agent.ws"],
    ["sha256"] = ["sha256"],
    ["store"] = ["shard.store"], ["shard.store"] = ["shard.store"],
    ["ingest"] = ["shard.ingest"], ["shard.ingest"] = ["shard.ingest"],
    ["rss"] = ["shard.rss"], ["shard.rss"] = ["shard.rss"],
    ["shard"] = ["sha256", "shard.store", "shard.ingest", "shard.rss"],
    ["bound"] = ["lhs.bound"], ["lhs.bound"] = ["lhs.bound"],
    ["lhs.model"] = ["lhs.bound", "lhs.model"],
    ["edge"] = ["lhs.bound", "lhs.edge"], ["lhs.edge"] = ["lhs.bound", "lhs.edge"],
    ["handshake"] = ["lhs.bound", "lhs.handshake"], ["lhs.handshake"] = ["lhs.bound", "lhs.handshake"],
    ["traces"] = ["lhs.bound", "lhs.handshake", "traces.lhs"], ["traces.lhs"] = ["lhs.bound", "lhs.handshake", "traces.lhs"],
    ["lhs"] = ["lhs.bound", "lhs.model", "lhs.edge", "lhs.handshake", "traces.lhs"],
    ["run"] = ["suite.run"], ["suite.run"] = ["suite.run"],
};

var settings = Settings.Default;
int? rounds = null, uploads = null, runs = null;
var runArgs = new List<string>();
var only = new HashSet<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick": settings = Settings.QuickRun; break;
        case "--rounds":
            if (i + 1 >= args.Length || !int.TryParse(args[++i], out var n) || n is < 1 or > 100) return Usage("--rounds needs a number from 1 to 100");
            rounds = n;
            break;
        case "--uploads":
            if (i + 1 >= args.Length || !int.TryParse(args[++i], out var u) || u is < 1 or > 20) return Usage("--uploads needs a number from 1 to 20");
            uploads = u;
            break;
        case "--runs":
            if (i + 1 >= args.Length || !int.TryParse(args[++i], out var rn) || rn is < 1 or > 20) return Usage("--runs needs a number from 1 to 20");
            runs = rn;
            break;
        case "--run-arg" when i + 1 < args.Length:
            runArgs.Add(args[++i]);
            break;
        case "--only" when i + 1 < args.Length:
            foreach (var name in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!aliases.TryGetValue(name, out var full)) return Usage($"unknown benchmark \"{name}\"");
                only.UnionWith(full);
            }
            break;
        case "-h" or "--help": Usage(null); return 0;
        default: return Usage($"unexpected argument \"{args[i]}\"");
    }
}
if (rounds is { } r) settings = settings with { Rounds = r };
bool Wanted(string name) => only.Count == 0 || only.Contains(name);
var runCip = only.Count == 0 || only.Any(n => n.StartsWith("cip.", StringComparison.Ordinal) || n == "ed25519.verify");
var runShard = only.Count == 0 || only.Any(n => n.StartsWith("shard.", StringComparison.Ordinal) || n == "sha256");
var runTraces = only.Count == 0 || only.Any(n => n.StartsWith("lhs.", StringComparison.Ordinal) || n == "traces.lhs");
var runSuite = only.Count == 0 || only.Contains("suite.run");

Console.WriteLine($"Reference throughput: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription.Trim()} " +
    $"{RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cores, {Build}");
Console.WriteLine($"{settings.Rounds} interleaved rounds of {settings.Round.TotalSeconds:0.0#} s per benchmark, after a warm-up until the figures settle" +
    (settings.Quick ? " (--quick)" : ""));
#if DEBUG
Console.WriteLine("WARNING: Debug build; figures are not representative. Use -c Release.");
#endif
var started = System.Diagnostics.Stopwatch.StartNew();
if (runCip) await RunCipAsync();
if (runShard)
{
    if (runCip) Console.WriteLine();
    await ShardIngestBenchmark.RunAsync(settings, Wanted("shard.store"), Wanted("shard.ingest"), Wanted("shard.rss"), uploads, Console.WriteLine);
}
if (runTraces)
{
    if (runCip || runShard) Console.WriteLine();
    await RunTracesAsync();
}
if (runSuite)
{
    if (runCip || runShard || runTraces) Console.WriteLine();
    await SuiteRunBenchmark.RunAsync(runs ?? (settings.Quick ? 1 : 3), runArgs, Console.WriteLine);
}
Console.WriteLine($"({started.Elapsed.TotalSeconds:0.0} s measuring)");
return 0;

async Task RunCipAsync()
{
    Console.WriteLine($"CIP envelopes: {CipVerifyBenchmark.EnvelopeSizes()}");

    var benchmarks = new List<Benchmark> { CipVerifyBenchmark.Raw() };
    if (Wanted("cip.verify")) benchmarks.Add(CipVerifyBenchmark.Model());
    if (Wanted("cip.agent")) benchmarks.Add(CipVerifyBenchmark.Agent());
    if (Wanted("cip.agent.ws")) benchmarks.Add(await CipVerifyBenchmark.LoopbackAsync());

    IReadOnlyList<Result> results;
    try
    {
        results = await Measure.RunAsync(benchmarks, settings, Console.WriteLine);
    }
    finally
    {
        foreach (var b in benchmarks)
            if (b.Cleanup is { } cleanup) await cleanup();
    }

    var raw = results[0].Ops;
    Console.WriteLine();
    Console.WriteLine($"{"benchmark",-16} {"unit",-12} {"median",10} {"min",10} {"max",10} {"spread",7} {"× raw",7}");
    foreach (var res in results)
    {
        Row(res.Benchmark.Name, res.Benchmark.Unit, res.Ops);
        if (res.Secondary is { } sec) Row("", res.Benchmark.SecondaryUnit!, sec);
    }
    Console.WriteLine();
    foreach (var res in results)
    {
        var b = res.Benchmark;
        var tail = $"[median of {res.Ops.Rates.Count}, spread ±{Percent(res.Ops.Spread)}]" +
            (res.RoundsRanOut > 0 ? $" ({res.RoundsRanOut} round(s) ran out of pre-built input early)" : "");
        if (ReferenceEquals(res, results[0]))
        {
            Console.WriteLine($"{b.Name}: {raw.Median:0} {b.Unit} (the baseline: {b.What}) {tail}");
            continue;
        }
        var line = $"{b.Name}: {res.Ops.Median:0} {b.Unit} = {Ratio(res.Ops)} × raw Ed25519 verify ({raw.Median:0}/s)";
        if (res.Secondary is { } s) line += $", {s.Median:0} {b.SecondaryUnit} = {Ratio(s)} × raw";
        Console.WriteLine($"{line} {tail}");
    }

    string Ratio(Series s) => raw.Median > 0 ? (s.Median / raw.Median).ToString("0.00") : "n/a";

    void Row(string name, string unit, Series s) =>
        Console.WriteLine($"{name,-16} {unit,-12} {s.Median,10:N0} {s.Min,10:N0} {s.Max,10:N0} {"±" + Percent(s.Spread),7} {Ratio(s),7}");
}

async Task RunTracesAsync()
{
    Console.WriteLine($"LHS handshakes against lhs.bound (JCS of the signed frames + one Ed25519 sign + one verify, one thread); " +
        $"the suite's engine against the embedded edge in this process ({TracesBenchmark.Parallel} traces at once)");
    List<Benchmark> benchmarks = [HandshakeBenchmark.Bound()];
    if (Wanted("lhs.model")) benchmarks.Add(HandshakeBenchmark.Model());
    ServeProcess? edge = null;
    try
    {
        if (Wanted("lhs.edge"))
        {
            var (b, e) = await HandshakeBenchmark.EdgeAsync();
            edge = e;
            benchmarks.Add(b);
        }
        if (Wanted("lhs.handshake")) benchmarks.Add(await TracesBenchmark.HandshakesAsync());
        if (Wanted("traces.lhs")) benchmarks.Add(await TracesBenchmark.TracesAsync());
        var results = await Measure.RunAsync(benchmarks, settings, Console.WriteLine);
        var bound = results[0].Ops;
        string Tail(Result r) => $"[median of {r.Ops.Rates.Count}, spread ±{Percent(r.Ops.Spread)}]";
        Console.WriteLine();
        Console.WriteLine($"lhs.bound: {bound.Median:0} handshakes/s (the baseline: {results[0].Benchmark.What}) {Tail(results[0])}");
        foreach (var r in results.Skip(1))
        {
            var b = r.Benchmark;
            var line = $"{b.Name}: {r.Ops.Median:0} {b.Unit}";
            if (b.Name == "traces.lhs")
            {
                var hs = results.FirstOrDefault(x => x.Benchmark.Name == "lhs.handshake");
                line += $", {r.Secondary!.Median:0} steps/s" + (hs is null ? "" : $" = {r.Ops.Median / hs.Ops.Median:0.00} × the suite's handshakes/s");
            }
            else
            {
                line += $" = {r.Ops.Median / bound.Median:0.00} × lhs.bound ({bound.Median:0}/s)";
                if (b.Name == "lhs.edge" && edge is { Served: { Ops: > 0 } served })
                    line += $"; edge CPU {served.Cpu.TotalMilliseconds * 1000 / served.Ops:0} µs per handshake (bound: {1e6 / bound.Median:0} µs)";
            }
            Console.WriteLine($"{line} {Tail(r)}");
        }
    }
    finally { foreach (var b in benchmarks) if (b.Cleanup is { } cleanup) await cleanup(); }
}

static string Percent(double fraction) => (fraction * 100).ToString("0") + "%";

static int Usage(string? error)
{
    var w = error is null ? Console.Out : Console.Error;
    if (error is not null) w.WriteLine("error: " + error);
    w.WriteLine("usage: Conformance.Benchmarks [--quick] [--rounds N] [--uploads N] [--runs N] [--run-arg ARG]... [--only NAME[,NAME...]]");
    w.WriteLine("  --quick       rounds of 0.3 s after a 1.5-2.5 s warm-up, smaller shards (32 MiB; 16 and 128 MiB for rss)");
    w.WriteLine("  --rounds N    measured rounds per benchmark (default 5)");
    w.WriteLine("  --uploads N   timed uploads for shard.ingest (default 3, --quick 2; one upload is one round)");
    w.WriteLine("  --runs N      how many times suite.run repeats the default run (default 3, --quick 1)");
    w.WriteLine("  --run-arg A   an argument added to suite.run's `run` (repeatable; e.g. --run-arg --jobs --run-arg 1)");
    w.WriteLine("  --only NAME   cip: raw | model | agent | ws, or cip for all (the raw Ed25519 baseline always runs with them)");
    w.WriteLine("                shard: sha256 | store | ingest | rss, or shard for all (the SHA-256 baseline always runs with them)");
    w.WriteLine("                lhs: bound | edge | handshake | traces, or lhs for all (the lhs.bound baseline always runs with them):");
    w.WriteLine("                the reference edge in its own process, the suite's handshakes and its property traces per second");
    w.WriteLine("                run (suite.run): the CLI's default run in its own process: cases, traces, wall seconds");
    w.WriteLine("                (full names work too: cip.verify, shard.ingest, ...); default: everything");
    return 2;
}

internal static partial class Program
{
#if DEBUG
    private const string Build = "Debug";
#else
    private const string Build = "Release";
#endif
}
