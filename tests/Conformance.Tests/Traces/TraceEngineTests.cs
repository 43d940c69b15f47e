// The trace engine on its own: scripts print and parse back, generation is a function of the seed, shrinking finds a
// small failing trace, the reference passes, a failure that does not reproduce is flaky, replay rejects bad input.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Lhs;
using Conformance.Suite.Traces;
using Conformance.Suite.Traces.Lhs;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Traces;

public static class TraceEngineTests
{
    public static Test Tests() => TestList("traces.engine",
    [
        TestCase("a script prints and parses back", () =>
        {
            IReadOnlyList<TraceStep> steps = [new("hello", "enc-cbor", 256), new("reconnect"), new("flow", "wrongenc"), new("text", "", 3)];
            var script = TraceStep.Script(steps);
            Expect.equal(script, "hello:enc-cbor#256;reconnect;flow:wrongenc;text#3", "the printed script");
            Expect.sequenceEqual(TraceStep.Parse(script)!, steps, "parses back to the same steps");
            Expect.isNull(TraceStep.Parse("hel lo"), "a kind with a space is not a script");
            Expect.isNull(TraceStep.Parse("hello#x"), "a non-numeric #n is not a script");
            Expect.isNull(TraceStep.Parse(""), "an empty script is not a script");
        }),
        TestCase("generation is a function of the seed and the trace number", () =>
        {
            var p = LhsServerTraces.Instance;
            Expect.sequenceEqual(TraceEngine.Generate(p, 7, 3), TraceEngine.Generate(p, 7, 3), "same seed and number, same trace");
            var all = Enumerable.Range(0, 200).Select(i => TraceStep.Script(TraceEngine.Generate(p, 7, i))).ToArray();
            Expect.isGreaterThan(all.Distinct().Count(), 100, "200 traces are mostly different");
            Expect.isTrue(Enumerable.Range(0, 200).Any(i => TraceStep.Script(TraceEngine.Generate(p, 8, i)) != all[i]), "another seed, other traces");
            var steps = all.SelectMany(s => TraceStep.Parse(s)!).ToArray();
            foreach (var kind in new[] { "hello", "bind", "flow", "text", "reconnect" })
                Expect.isTrue(steps.Any(s => s.Kind == kind), $"some step is a {kind}");
            Expect.isTrue(steps.Any(s => s.Kind == "flow" && s.Variant == "wrongenc"), "mutations are drawn");
            Expect.isTrue(steps.All(s => p.Unknown(s) is null), "every generated step is one the protocol knows");
        }),
        TestCase("shrinking drops irrelevant steps and simplifies arguments", async () =>
        {
            // Fails when a flow step with N >= 3 follows a hello: the minimum is hello;flow#3 (or smaller N that still fails).
            static bool Fails(IReadOnlyList<TraceStep> t) =>
                t.Select((s, i) => (s, i)).Any(x => x.s.Kind == "flow" && x.s.N >= 3 && t.Take(x.i).Any(h => h.Kind == "hello"));
            IReadOnlyList<TraceStep> failing = [new("text", "garbage"), new("hello", "enc-cbor", 64), new("bind", "ulid"), new("reconnect"), new("flow", "sig", 40), new("bind")];
            var (minimal, runs) = await TraceShrinker.ShrinkAsync(failing, t => Task.FromResult(Fails(t)), LhsServerTraces.Instance.Simpler, 500);
            Expect.isTrue(Fails(minimal), "the minimal trace still fails");
            Expect.equal(TraceStep.Script(minimal), "hello;flow#5", "two steps, both simplified (40 → 20 → 10 → 5; 2 would pass)");
            Expect.isLessThan(runs, 100, "in a few runs");
        }),
        TestCase("the reference edge passes 200 traces", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--seed", "5");
            Expect.equal(r.Exit, Conformance.Suite.Core.Summary.NotRatified, $"the reference passes (a filtered run is not Ratified: exit 4)\n{r}");
            var c = TraceCase(r);
            Expect.equal(c.GetProperty("outcome").GetString(), "pass", "pass");
            Expect.equal(c.GetProperty("traces").GetProperty("count").GetInt32(), 200, "the default is 200 traces");
            Expect.equal(c.GetProperty("traces").GetProperty("seed").GetUInt64(), 5UL, "drawn from --seed");
            Expect.isGreaterThan(c.GetProperty("checks").GetArrayLength(), 15, "the checks of many requirements");
        }),
        TestCase("the reference agent passes 200 CIP traces; a replayed script catches an agent that ignores signatures", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--filter", "CIP-A-traces", "--seed", "5");
            Expect.equal(r.Exit, Conformance.Suite.Core.Summary.NotRatified, $"the reference passes (a filtered run is not Ratified: exit 4)\n{r}");
            var c = TraceCase(r);
            Expect.equal(c.GetProperty("outcome").GetString(), "pass", "pass");
            Expect.equal(c.GetProperty("traces").GetProperty("count").GetInt32(), 200, "the default is 200 traces");
            Expect.isGreaterThan(c.GetProperty("checks").GetArrayLength(), 10, "the checks of many requirements");
            string[] script = ["replay", "--spec", "cip", "--trace", "0", "--steps", "hello;intent:bad-sig"];
            Expect.equal((await TestCli.RunAsync(script)).Exit, 0, "the reference drops the badly signed INTENT");
            var broken = await TestCli.RunAsync([.. script, "--fault", "cip-signature-unchecked"]);
            Expect.equal(broken.Exit, 1, $"the broken agent answers it\n{broken}");
            Expect.stringContains(broken.Stdout, "CIP-A-traces", "the trace case failed");
        }),
        TestCase("--traces 0 leaves the trace case out; --traces N runs N", async () =>
        {
            var none = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--traces", "0", "--list");
            Expect.isFalse(none.Stdout.Contains("LHS-S-traces"), "no trace case\n" + none);
            var some = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--traces", "17");
            Expect.equal(TraceCase(some).GetProperty("traces").GetProperty("count").GetInt32(), 17, "17 traces");
        }),
        TestCase("a failure that does not reproduce is flaky, and flaky does not gate", async () =>
        {
            // Connection 1 reaches a broken edge (its seal is signed over the wrong bytes); every later one a correct edge.
            await using var broken = await EmbeddedLhsServer.StartAsync(1, () => LhsFaults.Find("seal-over-wrong-bytes")!.As(LhsServerBehaviour.Correct));
            await using var good = await EmbeddedLhsServer.StartAsync(1, () => LhsServerBehaviour.Correct);
            var target = new FirstConnectionElsewhere(broken.Target, good.Target);
            var p = LhsServerTraces.Instance;
            var seed = Enumerable.Range(1, 50).Select(s => (ulong)s).First(s => TraceEngine.Generate(p, s, 0) is [{ Kind: "hello", Variant: "" }, { Kind: "bind", Variant: "" }, ..]);
            var def = TraceCases.Case(p, new TraceSettings(5, Parallel: 1));
            var result = await CaseExecutor.RunAsync(def, LhsCatalog.Instance, new RunSettings(seed, TimeSpan.FromMilliseconds(500)), target, null, default);
            Expect.equal(result.Outcome, Outcome.Flaky, $"flaky: {result.Summary}");
            Expect.isTrue(result.Traces!.Flaky, "the trace section says flaky");
            Expect.isFalse(result.Outcome.IsFailure(), "flaky does not gate");
        }),
        // Per role with a vector kind: a broken variant whose trace the saved vector carries, and a fault of the
        // reference shim that reaches the same vector op (it must fail the vector the reference shim passes).
        TestCase("--save-vector: an LHS server trace becomes a TraceFound server transcripts vector", () =>
            SavesVector(["--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--fault", "seal-over-wrong-bytes"], "lhs/transcripts", "ServerTranscript", "seal-over-wrong-bytes")),
        // No shim fault reaches lhs.transcript.client: only the reference shim's agreement is checked.
        TestCase("--save-vector: an LHS client trace becomes a TraceFound client transcripts vector", () =>
            SavesVector(["--spec", "lhs", "--role", "client", "--filter", "LHS-C-traces", "--fault", "client-accepts-bad-seal"], "lhs/transcripts", "ClientTranscript", null)),
        TestCase("--save-vector: a Shard edge trace becomes a TraceFound shard transcripts vector", () =>
            SavesVector(["--spec", "shard", "--role", "server", "--filter", "SHARD-E-traces", "--fault", "shard-resume-forgets"], "shard/transcripts", "TranscriptTraceFound", "shard-resume-forgets")),
        TestCase("--save-vector: a CIP agent trace has no vector kind, and nothing is saved without a failing trace", async () =>
        {
            var dir = TestCli.TempDir("saved-vector");
            // A client that binds with a thread the client model never sends has no configuration to replay with.
            var thread = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--filter", "LHS-C-traces", "--fault", "client-bad-thread", "--timeout-ms", "500", "--save-vector", Path.Combine(dir, "thread.json"));
            Expect.equal(thread.Exit, 1, $"the broken agent fails, and the run ends normally\n{thread}");
            Expect.stringContains(thread.Stderr, "not one the client model sends", "says why it saves nothing");
            Expect.isFalse(File.Exists(Path.Combine(dir, "thread.json")), "nothing saved");
            File.WriteAllText(Path.Combine(dir, "not-a-vector.json"), "{\"spec\":1}");
            Expect.equal((await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(), "--vector-file", Path.Combine(dir, "not-a-vector.json"))).Exit, 2,
                "--vector-file that is not a vector file: usage error");
            var cip = await TestCli.RunAsync("run", "--spec", "cip", "--filter", "CIP-A-traces", "--fault", "cip-replay-accepted", "--timeout-ms", "500", "--save-vector", Path.Combine(dir, "cip.json"));
            Expect.equal(cip.Exit, 1, $"the broken agent fails\n{cip}");
            Expect.stringContains(cip.Stderr, "no vector kind", "says why it saves nothing");
            Expect.isFalse(File.Exists(Path.Combine(dir, "cip.json")), "nothing saved");
            var none = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--traces", "20", "--save-vector", Path.Combine(dir, "none.json"));
            Expect.equal(none.Exit, Conformance.Suite.Core.Summary.NotRatified, "the reference passes (filtered: not Ratified)");
            Expect.stringContains(none.Stdout, "no failing trace to save", "says so");
            Expect.isFalse(File.Exists(Path.Combine(dir, "none.json")), "nothing to save");
        }),
        TestCase("a stdio shim's failing trace is judged on that shim, and its replay line runs the same shim", async () =>
        {
            var shim = $"stdio:dotnet {typeof(global::Conformance.Cli.Cli).Assembly.Location} shim --spec lhs --role server --fault seal-over-wrong-bytes";
            var run = await TestCli.RunAsync("run", "--spec", "lhs", "--target", shim, "--filter", "LHS-S-traces", "--timeout-ms", "1000");
            Expect.equal(run.Exit, 1, $"the broken shim fails\n{run}");
            var traces = TraceCase(run).GetProperty("traces");
            Expect.isFalse(traces.GetProperty("flaky").GetBoolean(), "the minimal trace failed again on the shim (not on an embedded reference)");
            var line = traces.GetProperty("replay").GetString()!;
            Expect.stringContains(line, $" --target '{shim}'", "the replay names the shim, quoted as one word");
            var words = System.Text.RegularExpressions.Regex.Matches(line["./run-conformance.sh ".Length..], @"'([^']*)'|\S+").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToArray();
            var replay = await TestCli.RunAsync([.. words, "--out", TestCli.TempDir("replay")]);
            Expect.equal(replay.Exit, 1, $"the replay fails on the same shim\n{replay}");
            Expect.stringContains(replay.Stdout, "LHS-3.4-seal-covers", "for the same requirement");
        }),
        TestCase("replay refuses what it cannot run", async () =>
        {
            Expect.equal((await TestCli.RunAsync("replay", "--spec", "lhs", "--role", "server", "--steps", "hello")).Exit, 2, "no --trace");
            Expect.equal((await TestCli.RunAsync("replay", "--spec", "lhs", "--role", "server", "--trace", "1")).Exit, 2, "no --steps");
            var unknown = await TestCli.RunAsync("replay", "--spec", "lhs", "--role", "server", "--trace", "1", "--steps", "hello;dance");
            Expect.equal(unknown.Exit, 2, "an unknown step kind");
            Expect.stringContains(unknown.Stderr, "unknown step kind", "says why");
            Expect.equal((await TestCli.RunAsync("replay", "--spec", "lhs", "--role", "server", "--trace", "1", "--steps", "hello:nope")).Exit, 2, "an unknown variant");
            Expect.equal((await TestCli.RunAsync("replay", "--spec", "shard", "--trace", "1", "--steps", "hello")).Exit, 2, "two roles: replay needs one spec and role");
        }),
    ]);

    private static string ReferenceShim(string extra = "") => $"stdio:dotnet {typeof(global::Conformance.Cli.Cli).Assembly.Location} shim --vectors{extra}";

    /// <summary>
    /// The run fails and saves its minimal trace as a vector of <paramref name="file"/>'s kind, one test per connection
    /// of the trace, every test flagged TraceFound, valid against its schema; the reference shim answers every test as
    /// the model's expected result says, and the shim broken by <paramref name="shimFault"/> does not.
    /// </summary>
    private static async Task SavesVector(string[] run, string file, string group, string? shimFault)
    {
        var dir = TestCli.TempDir("saved-vector");
        var path = Path.Combine(dir, file.Split('/')[0], "found.json");
        var r = await TestCli.RunAsync(["run", .. run, "--timeout-ms", "500", "--save-vector", path]);
        Expect.equal(r.Exit, 1, $"the broken variant fails\n{r}");
        Expect.stringContains(r.Stdout, "saved the minimal trace", $"says so\n{r}");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        Expect.equal($"{doc.RootElement.GetProperty("spec").GetString()}/{doc.RootElement.GetProperty("topic").GetString()}", file, "the vector kind of the role");
        var groups = doc.RootElement.GetProperty("testGroups").EnumerateArray().ToArray();
        Expect.isTrue(groups.All(g => g.GetProperty("type").GetString() == group), $"tests in {group} groups");
        var tests = groups.SelectMany(g => g.GetProperty("tests").EnumerateArray()).ToArray();
        Expect.isNonEmpty(tests, "at least one transcript");
        Expect.isTrue(tests.All(t => t.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "TraceFound")), "flagged TraceFound");
        var connections = TraceCase(r).GetProperty("trace").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "open");
        // LHS: one transcript per connection; Shard: one transcript of numbered connections.
        Expect.equal(tests.Length, file == "shard/transcripts" ? 1 : connections, "the trace's connections, as transcripts");
        var note = doc.RootElement.GetProperty("notes").GetProperty("TraceFound").GetProperty("description").GetString()!;
        Expect.stringContains(note, TraceCase(r).GetProperty("traces").GetProperty("minimal").GetString()!, "the note names the minimal trace");
        // Its schema is found relative to the file, as in vectors/.
        CopyDir(Path.Combine(global::Conformance.Suite.Vectors.VectorSet.DefaultDirectory(), "schema"), Path.Combine(dir, "schema"));
        Expect.isEmpty(await global::Conformance.Suite.Vectors.VectorSet.SchemaErrorsAsync(dir, Path.GetRelativePath(dir, path)), $"valid against its schema ({file})");
        var reference = await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(), "--vector-file", path, "--out", TestCli.TempDir("saved-vector-run"));
        Expect.equal(reference.Exit, 0, $"the reference shim answers every test as the model says\n{reference}");
        Expect.stringContains(reference.Stdout, $"{tests.Length} pass", "every transcript ran and passed");
        if (shimFault is null) return;
        var broken = await TestCli.RunAsync("run", "--vectors", "--target", ReferenceShim(" --fault " + shimFault), "--vector-file", path, "--out", TestCli.TempDir("saved-vector-run"));
        Expect.equal(broken.Exit, 1, $"the shim broken by {shimFault} fails the saved trace\n{broken}");
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)), overwrite: true);
    }

    public static System.Text.Json.JsonElement TraceCase(CliRun r) =>
        r.Report().GetProperty("cases").EnumerateArray().First(c => c.GetProperty("id").GetString()!.EndsWith("-traces", StringComparison.Ordinal));

    private sealed class FirstConnectionElsewhere(IServerTarget first, IServerTarget rest) : IServerTarget
    {
        private int _connections;
        public string Adapter => rest.Adapter;
        public string Describe => "first connection to a broken edge, the rest to a correct one";
        public byte[] ServerKey => rest.ServerKey;
        public IObservationSource? Observations => null;

        public Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
            (Interlocked.Increment(ref _connections) == 1 ? first : rest).ConnectAsync(trace, timeout, cancel);
    }
}
