// shard/header: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class HeaderVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["shard.header"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("shard.header", Take(t, "now", "sessionToken", "hello", "registry", "header").With("keys", t.Group.GetProperty("keys")).With("edge", t.Group.GetProperty("edge")),
            t.Result, [], WhenValid: a => EdgeOutputsMatch(a, t.Test), WhenInvalid: a => SameAll(a, t.Test, "errorCode"))];
}
