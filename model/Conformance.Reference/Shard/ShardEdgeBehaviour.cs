// How the reference edge drives the Shard model; faults (Faults/Shard*) override one hook.
using Conformance.Model.Env;
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard;

public class ShardEdgeBehaviour
{
    public static readonly ShardEdgeBehaviour Correct = new();

    /// <summary>Called once when a host starts (a restart is a new start); the reference does nothing.</summary>
    public virtual void HostStarting() { }

    public virtual EdgeStep Step(ShardEdgeState state, EdgeInput input, ShardEdgeConfig config, IModelEnvironment env, EdgeModel model) =>
        model(state, input, config, env);

    /// <summary>This behaviour around the model, as the step function ShardEdge.Run takes.</summary>
    public EdgeModel Around(EdgeModel? model = null)
    {
        var inner = model ?? ShardEdge.Step;
        return (s, input, c, env) => Step(s, input, c, env, inner);
    }
}
