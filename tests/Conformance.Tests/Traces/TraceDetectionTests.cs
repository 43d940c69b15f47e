// Proof that the traces work: with the hand-written cases left out, property traces alone must catch at least 80% of
// all the broken variants, each shrunk trace no longer (in frames the suite sends) than the shortest
// hand-written case that catches the same fault; and a replay command must reproduce a shrunk failure byte for byte.
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Reference.Cip;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Reference.Shard;
using Conformance.Reports.Model;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Lhs;
using Conformance.Suite.Traces;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Traces;

public static partial class TraceDetectionTests
{
    private const ulong Seed = 1;
    private const int Count = 200;
    // Generous for a busy machine (a shard commit fsyncs twice): a timeout here would be flaky, not a catch.
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(1000);

    public static Test Tests() => TestList("traces.detection",
    [
        TestCase("traces alone catch at least 80% of all broken variants, each in no more frames than the shortest hand-written case", async () =>
        {
            var covered = LhsFaults.Everything.Where(f => TraceCases.Find(f.Spec, Role(f)) is not null).ToArray();
            var notCovered = LhsFaults.Everything.Where(f => TraceCases.Find(f.Spec, Role(f)) is null).ToArray();
            var gate = new SemaphoreSlim(3);
            var rows = await Task.WhenAll(covered.Select(async f =>
            {
                await gate.WaitAsync();
                try { return (Fault: f, Traces: await TracesAlone(f), Shortest: await ShortestHandWritten(f)); }
                finally { gate.Release(); }
            }));
            var caught = rows.Where(r => Caught(r.Traces.Outcome)).ToArray();
            foreach (var r in rows.OrderBy(r => r.Fault.Name, StringComparer.Ordinal))
                Console.WriteLine($"  {r.Fault.Name,-32} {(Caught(r.Traces.Outcome) ? "caught" : "missed"),-7} {r.Traces.Outcome.Name(),-13} " +
                    $"trace {Sent(r.Traces.Trace)} frame(s) [{r.Traces.Traces?.Minimal}]  shortest hand-written {r.Shortest?.Frames.ToString() ?? "-"} ({r.Shortest?.Id ?? "none catches it"})");
            // Over every broken variant: one whose spec and role has no trace generator counts as missed.
            var percent = 100.0 * caught.Length / LhsFaults.Everything.Count();
            Console.WriteLine($"traces alone caught {caught.Length} of {LhsFaults.Everything.Count()} broken variants ({percent:0}%; {caught.Length} of {covered.Length} covered)");
            if (notCovered.Length > 0)
                Console.WriteLine($"not covered (no trace generator for their spec and role yet): {notCovered.Length} variants: " +
                    string.Join(", ", notCovered.GroupBy(f => $"{f.Spec} {Role(f).Name()}").Select(g => $"{g.Key} ({g.Count()})")));
            Expect.isGreaterThanOrEqual(percent, 80.0, "traces alone catch at least 80% of all broken variants");
            foreach (var r in caught.Where(r => r.Shortest is not null))
                Expect.isLessThanOrEqual(Sent(r.Traces.Trace), r.Shortest!.Value.Frames,
                    $"{r.Fault.Name}: the shrunk trace [{r.Traces.Traces?.Minimal}] is no longer than {r.Shortest.Value.Id}");
        }),
        // One broken variant per trace role: its minimal trace reruns on a fresh seeded reference, and so does the replay.
        .. Replays.Select(r => TestCase($"a replay command reproduces a shrunk failure, byte for byte the same wire trace ({r.Role})", () => ReplaysByteForByte(r.Run))),
    ]);

    /// <summary>Per trace role, a run of its trace case alone against a broken variant.</summary>
    private static readonly (string Role, string[] Run)[] Replays =
    [
        ("LHS server", ["--spec", "lhs", "--role", "server", "--filter", "LHS-S-traces", "--fault", "seal-over-wrong-bytes"]),
        ("LHS client", ["--spec", "lhs", "--role", "client", "--filter", "LHS-C-traces", "--fault", "client-accepts-bad-seal"]),
        ("Shard edge", ["--spec", "shard", "--role", "server", "--filter", "SHARD-E-traces", "--fault", "shard-auth-unchecked"]),
        // A claim confirmed by both anchors: the agent answers on several peers' connections at once.
        ("CIP agent", ["--spec", "cip", "--filter", "CIP-A-traces", "--fault", "cip-no-promotion"]),
    ];

    /// <summary>The run fails; the replay line it prints fails with the same requirements and the same frames, byte for byte.</summary>
    private static async Task ReplaysByteForByte(string[] runArgs)
    {
        var run = await TestCli.RunAsync(["run", .. runArgs, "--timeout-ms", "500"]);
        Expect.equal(run.Exit, 1, $"the broken variant fails\n{run}");
        var original = TraceEngineTests.TraceCase(run);
        var line = original.GetProperty("traces").GetProperty("replay").GetString()!;
        Expect.stringStarts(line, "./run-conformance.sh replay ", "a one-line command");
        var replay = await TestCli.RunAsync([.. ShellWords(line["./run-conformance.sh ".Length..]), "--out", TestCli.TempDir("replay")]);
        Expect.equal(replay.Exit, 1, $"the replay fails the same way\n{replay}");
        var replayed = TraceEngineTests.TraceCase(replay);
        Expect.isNonEmpty(Failed(original), "the minimal trace failed a requirement");
        Expect.equal(Failed(replayed), Failed(original), "the same failed requirements");
        var a = Frames(original);
        Expect.isGreaterThan(a.Count, 2, "the minimal trace sent and received frames");
        Expect.sequenceEqual(Frames(replayed), a, $"the same frames, byte for byte, in the same order ({line})");
    }

    private static IutRole Role(Fault f) => f.Side switch { FaultSide.Server => IutRole.Server, FaultSide.Client => IutRole.Client, _ => IutRole.Agent };

    /// <summary>A broken must or should found (an informational finding does not count as catching a fault).</summary>
    private static bool Caught(Outcome o) => o is Outcome.Fail or Outcome.Timeout or Outcome.NonStrict;

    /// <summary>The trace case alone against the embedded broken variant.</summary>
    private static async Task<CaseResult> TracesAlone(Fault f)
    {
        var p = TraceCases.Find(f.Spec, Role(f))!;
        LhsServerBehaviour Behaviour() => f.As(LhsServerBehaviour.Correct);
        var settings = new RunSettings(Seed, Step);
        switch (f.Spec, Role(f))
        {
            case ("lhs", IutRole.Server):
            {
                await using var server = await EmbeddedLhsServer.StartAsync(Seed, Behaviour);
                var def = TraceCases.Case(p, new TraceSettings(Count, Fresh: TraceCases.EmbeddedFresh(f.Spec, Role(f), Seed, f)));
                return await CaseExecutor.RunAsync(def, p.Catalog, settings, server.Target, null, default);
            }
            case ("lhs", IutRole.Client):
            {
                await using var client = await EmbeddedLhsClient.StartAsync(Seed, () => f.As(LhsClientBehaviour.Correct));
                var def = TraceCases.Case(p, new TraceSettings(Count, Parallel: 1));
                return await CaseExecutor.RunAsync(def, p.Catalog, settings with { AcceptTimeout = TimeSpan.FromSeconds(5) }, null, client, default);
            }
            case ("shard", IutRole.Server):
            {
                await using var edge = await EmbeddedShardEdge.StartAsync(() => f.As(ShardEdgeBehaviour.Correct));
                return await CaseExecutor.RunAsync(TraceCases.Case(p, new TraceSettings(Count)), p.Catalog, settings, edge, null, default);
            }
            case ("shard", IutRole.Client):
            {
                await using var node = await EmbeddedShardNode.StartAsync(Seed, () => f.As(ShardNodeBehaviour.Correct));
                var def = TraceCases.Case(p, new TraceSettings(Count, Parallel: 1));
                return await CaseExecutor.RunAsync(def, p.Catalog, settings with { AcceptTimeout = TimeSpan.FromSeconds(5) }, null, node, default);
            }
            case ("cip", IutRole.Agent):
            {
                await using var agent = await EmbeddedCipAgent.StartAsync(Seed, f.As(CipAgentBehaviour.Correct));
                return await CaseExecutor.RunAsync(TraceCases.Case(p, new TraceSettings(Count)), p.Catalog, settings, null, null, default, agent.Target);
            }
            default: throw new InvalidOperationException($"no embedded IUT for {f.Spec} {Role(f).Name()} traces");
        }
    }

    /// <summary>The hand-written case that catches the fault in the fewest frames sent, from a run without traces.</summary>
    private static async Task<(string Id, int Frames)?> ShortestHandWritten(Fault f)
    {
        // A CIP IUT is always an agent: the CLI takes no --role for it.
        string[] role = Role(f) == IutRole.Agent ? [] : ["--role", Role(f).Name()];
        var r = await TestCli.RunAsync(["run", "--spec", f.Spec, .. role, "--fault", f.Name, "--traces", "0", "--timeout-ms", "300"]);
        var catching = r.Report().GetProperty("cases").EnumerateArray()
            .Where(c => Outcomes.TryParse(c.GetProperty("outcome").GetString(), out var o) && Caught(o))
            .Select(c => (Id: c.GetProperty("id").GetString()!, Frames: c.GetProperty("trace").EnumerateArray().Count(IsSentFrame)))
            .OrderBy(c => c.Frames).ToArray();
        return catching.Length > 0 ? catching[0] : null;
    }

    private static int Sent(IReadOnlyList<global::Conformance.Adapters.Trace.TraceEntry> trace) =>
        trace.Count(e => e.Direction == global::Conformance.Adapters.Trace.Direction.Sent && e.Kind is global::Conformance.Adapters.Trace.FrameKind.Text or global::Conformance.Adapters.Trace.FrameKind.Binary);

    private static bool IsSentFrame(JsonElement e) =>
        e.GetProperty("direction").GetString() == "sent" && e.GetProperty("kind").GetString() is "text" or "binary";

    /// <summary>The arguments of a printed command line.</summary>
    internal static List<string> ShellWords(string line) => [.. Words().Matches(line).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value)];

    internal static string[] Failed(JsonElement c) =>
        [.. c.GetProperty("checks").EnumerateArray().Where(k => !k.GetProperty("passed").GetBoolean()).Select(k => k.GetProperty("requirement").GetString()!)];

    /// <summary>Every frame both ways (text, binary, close) as direction, kind and content; times and notes left out.</summary>
    private static List<string> Frames(JsonElement c) =>
        [.. c.GetProperty("trace").EnumerateArray()
            .Where(e => e.GetProperty("kind").GetString() is "text" or "binary" or "close")
            .Select(e => $"{e.GetProperty("direction").GetString()} {e.GetProperty("kind").GetString()} {e.GetProperty("length").GetInt64()} " +
                (e.TryGetProperty("hex", out var h) ? h.GetString() : e.TryGetProperty("text", out var t) ? t.GetString() : ""))];

    /// <summary>Shell words: '…' quoted or bare.</summary>
    [GeneratedRegex(@"'([^']*)'|\S+")]
    private static partial Regex Words();
}
