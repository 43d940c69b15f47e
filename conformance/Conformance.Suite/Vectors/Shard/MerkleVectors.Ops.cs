// shard/merkle: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class MerkleVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["merkle.root", "merkle.payload", "merkle.inclusion.verify", "shard.version-id"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) => t.GroupType switch
    {
        "MerkleRoot" => [new("merkle.root", Take(t, "leaves"), t.Result, ["leafHashes", "root", "versionId"])],
        "MerklePayload" => [new("merkle.payload", Take(t, "payload", "chunkSize"), t.Result, ["chunkCount", "leafHashes", "root", "versionId"])],
        "MerkleInclusion" or "MerkleInclusionInvalid" => [new("merkle.inclusion.verify", Take(t, "leaf", "leafHash", "index", "treeSize", "proof", "root"), t.Result, [])],
        "VersionIdForm" => [new("shard.version-id", Take(t, "versionId"), t.Result, ["form"])],
        _ => [],
    };
}
