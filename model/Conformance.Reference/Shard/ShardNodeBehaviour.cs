// How the reference CCML node drives the model; faults override one hook.
using Conformance.Model.Env;
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard;

public class ShardNodeBehaviour
{
    public static readonly ShardNodeBehaviour Correct = new();

    public virtual NodeStep Start(ShardNodeConfig cfg, IModelEnvironment env, string? resumeToken) => ShardNode.Start(cfg, env, resumeToken);

    public virtual NodeStep Step(ShardNodeState state, string text, ShardNodeConfig cfg, IModelEnvironment env) => ShardNode.Step(state, text, cfg, env);

    /// <summary>The chunk frame put on the wire.</summary>
    public virtual byte[] Frame(string token, long index, ReadOnlySpan<byte> data, IReadOnlyList<byte[]> proof) => ShardMessages.Chunk(token, index, proof, data);
}
