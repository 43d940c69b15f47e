// The Shard edge model on a dropped connection: the session stays open for resume, nothing is committed, and a
// session mid-transfer is observed as detached (the suite waits for that instead of guessing a delay).
using System.Collections.Immutable;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Suite.Shard.Play;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class ShardEdgeTests
{
    private static EdgeStep Drop(ShardEdgeState s) => ShardEdge.Step(s, new EdgeInput.Closed(), SuiteEdge.Config, new SeededEnvironment(1));

    public static Test Tests() => TestList("model.shard-edge",
    [
        TestCase("a drop mid-transfer commits nothing and reports the detached session with its received chunks", () =>
        {
            var receiving = ShardEdgeState.Initial with
            {
                Phase = EdgePhase.Receiving, Token = "EDGE-SESSION-t",
                Received = ImmutableDictionary<long, byte[]>.Empty.Add(0, [1]).Add(1, [2]),
            };
            var step = Drop(receiving);
            Expect.equal(step.State.Phase, EdgePhase.Closed, "the connection's state is closed");
            Expect.isFalse(step.Outputs.Any(o => o is EdgeOutput.Commit), "nothing is committed");
            var observed = step.Outputs.OfType<EdgeOutput.Observe>().Single();
            Expect.equal(observed.Name, ShardObservations.SessionDetached, "the drop is observed");
            Expect.equal(observed.Data.GetProperty("session_token").GetString(), "EDGE-SESSION-t", "with the session token");
            Expect.equal(observed.Data.GetProperty("received").GetInt32(), 2, "and the number of chunks held for resume");
        }),
        TestCase("a drop before any session exists is silent", () =>
        {
            Expect.isEmpty(Drop(ShardEdgeState.Initial).Outputs, "no session, nothing to observe");
            Expect.isEmpty(Drop(ShardEdgeState.Initial with { Phase = EdgePhase.Done, Token = "EDGE-SESSION-t" }).Outputs, "a committed session is not detached");
        }),
    ]);
}
