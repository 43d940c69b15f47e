// lhs/seal: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class SealVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["lhs.seal.verify"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("lhs.seal.verify", Take(t, "hello", "mirror", "bind", "nonce", "signature").With("serverPublicKey", t.Group.GetProperty("serverPublicKey")), t.Result, [])];
}
