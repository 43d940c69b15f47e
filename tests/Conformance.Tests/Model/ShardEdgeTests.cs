// The Shard edge model on a message over the size limit (refused as unreadable) and on a dropped connection: the
// session stays open for resume, nothing is committed, and a session mid-transfer is observed as detached (the suite
// waits for that instead of guessing a delay).
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
        TestCase("a message over the size limit is unreadable: it ends an opening, an upload under way survives it", () =>
        {
            var env = new SeededEnvironment(1);
            var opening = ShardEdge.Step(ShardEdgeState.Initial, new EdgeInput.Oversize(false, 1 << 20), SuiteEdge.Config, env);
            Expect.equal(opening.Rejected?.Code, ShardErrorCode.InvalidMessage, "refused as a message the edge cannot read");
            Expect.equal(opening.State.Phase, EdgePhase.Closed, "the opening session ends");
            Expect.isTrue(opening.Outputs.OfType<EdgeOutput.Close>().Any(), "and the edge closes");
            var receiving = ShardEdgeState.Initial with { Phase = EdgePhase.Receiving, Token = "EDGE-SESSION-t" };
            var upload = ShardEdge.Step(receiving, new EdgeInput.Oversize(true, 1 << 25), SuiteEdge.Config, env);
            Expect.equal(upload.Rejected?.Code, ShardErrorCode.InvalidMessage, "refused");
            Expect.equal(upload.State, receiving, "the upload goes on");
            Expect.isFalse(upload.Outputs.OfType<EdgeOutput.Close>().Any(), "without a close");
        }),
        TestCase("a drop before any session exists is silent", () =>
        {
            Expect.isEmpty(Drop(ShardEdgeState.Initial).Outputs, "no session, nothing to observe");
            Expect.isEmpty(Drop(ShardEdgeState.Initial with { Phase = EdgePhase.Done, Token = "EDGE-SESSION-t" }).Outputs, "a committed session is not detached");
        }),
    ]);
}
