// ltp/ed25519: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Ltp;

public sealed partial class Ed25519Vectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["ed25519.verify", "ed25519.sign"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        t.Result == "valid" && t.Test.TryGetProperty("seed", out _)
            ? [Verify(t), new("ed25519.sign", Take(t, "seed", "msg"), "valid", ["publicKey", "sig"])]
            : [Verify(t)];

    private static OpCall Verify(Shim.VectorTest t) => new("ed25519.verify", Take(t, "publicKey", "msg", "sig"), t.Result, []);
}
