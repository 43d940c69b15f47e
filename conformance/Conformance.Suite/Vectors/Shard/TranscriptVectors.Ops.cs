// shard/transcripts: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class TranscriptVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["shard.transcript"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("shard.transcript", ShardSteps(t).With(t.Group, "keys", "edge"), t.Result, ["registryAfter", "refusals"],
            WhenValid: a => ShardStepsMatch(a, t.Test), WhenInvalid: a => ShardStepsMatch(a, t.Test) ?? SameAll(a, t.Test, "refusals"))];
}
