// The model as oracle for edge-role cases: what a correct edge answers to what this case's connections sent. Every
// message the case's node connections send is recorded in order; asking replays them all through the edge model
// (ShardEdge.Run) over a shadow registry that starts empty, as a case's fresh shard ids do. Cases ask it for the rejection
// an input earns instead of writing the expected code down, so a rule lives only in the model (as Lhs/Play/Oracle.cs).
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;

namespace Conformance.Suite.Shard.Play;

public sealed class ShardOracle
{
    private readonly Lock _gate = new();
    private readonly List<(ShardClient Client, EdgeInput Input)> _sent = [];

    internal void Record(ShardClient client, EdgeInput input)
    {
        lock (_gate) _sent.Add((client, input));
    }

    /// <summary>The edge model's latest rejection of what <paramref name="client"/> sent, every recorded message replayed in order.</summary>
    public ShardError Rejection(ShardClient client)
    {
        (ShardClient Client, EdgeInput Input)[] sent;
        lock (_gate) sent = [.. _sent];
        var registry = new MemoryRegistry();
        var states = new Dictionary<ShardClient, ShardEdgeState>();
        ShardError? earned = null;
        foreach (var (c, input) in sent)
        {
            var state = states.GetValueOrDefault(c) ?? ShardEdgeState.Initial;
            // The session token the edge under test issued stands in for the one the model drew.
            if (state.Phase == EdgePhase.AwaitHeader && c.Token is { } token) state = state with { Token = token };
            // The case stamps its auth tokens with the real clock.
            var run = ShardEdge.Run(state, input, SuiteEdge.Config, SystemEnvironment.Instance, registry);
            states[c] = run.State;
            // The latest refusal: what an edge that went on past the model's refusal (a faulty one) was sent after it earns nothing more.
            if (c == client && run.Rejected is { } e) earned = e;
        }
        return earned ?? throw new InvalidOperationException("oracle: the edge model accepts what this connection sent; the case expects a rejection");
    }
}
