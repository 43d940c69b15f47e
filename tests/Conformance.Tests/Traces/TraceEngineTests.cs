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
            Expect.equal(r.Exit, 0, $"the reference passes\n{r}");
            var c = TraceCase(r);
            Expect.equal(c.GetProperty("outcome").GetString(), "pass", "pass");
            Expect.equal(c.GetProperty("traces").GetProperty("count").GetInt32(), 200, "the default is 200 traces");
            Expect.equal(c.GetProperty("traces").GetProperty("seed").GetUInt64(), 5UL, "drawn from --seed");
            Expect.isGreaterThan(c.GetProperty("checks").GetArrayLength(), 15, "the checks of many requirements");
        }),
        TestCase("the reference agent passes 200 CIP traces; a replayed script catches an agent that ignores signatures", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--filter", "CIP-A-traces", "--seed", "5");
            Expect.equal(r.Exit, 0, $"the reference passes\n{r}");
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
        TestCase("--save-vector writes the minimal trace as a TraceFound transcripts vector, valid against its schema", async () =>
        {
            var dir = TestCli.TempDir("saved-vector");
            var file = Path.Combine(dir, "lhs", "found.json");
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--fault", "nonce-reused", "--save-vector", file);
            Expect.equal(r.Exit, 1, $"the broken edge fails\n{r}");
            Expect.stringContains(r.Stdout, "saved the minimal trace as a vector", "says so");
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            var tests = doc.RootElement.GetProperty("testGroups").EnumerateArray().SelectMany(g => g.GetProperty("tests").EnumerateArray()).ToArray();
            Expect.equal(tests.Length, 2, "hello;reconnect;hello: one transcript per connection");
            Expect.isTrue(tests.All(t => t.GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "TraceFound")), "flagged TraceFound");
            Expect.stringContains(doc.RootElement.GetProperty("notes").GetProperty("TraceFound").GetString()!, "nonce", "the note says what the trace found");
            // Its schema is found relative to the file, as in vectors/.
            CopyDir(Path.Combine(global::Conformance.Suite.Vectors.VectorSet.DefaultDirectory(), "schema"), Path.Combine(dir, "schema"));
            Expect.isEmpty(await global::Conformance.Suite.Vectors.VectorSet.SchemaErrorsAsync(dir, Path.Combine("lhs", "found.json")), "valid against lhs-transcripts.schema.json");
            var none = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--traces", "20", "--save-vector", Path.Combine(dir, "none.json"));
            Expect.equal(none.Exit, 0, "the reference passes");
            Expect.isFalse(File.Exists(Path.Combine(dir, "none.json")), "nothing to save");
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
