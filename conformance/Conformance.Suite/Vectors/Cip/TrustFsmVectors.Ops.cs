// cip/trust-fsm: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class TrustFsmVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["cip.trust-fsm"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("cip.trust-fsm", Take(t, "initial", "events"), t.Result, ["states", "final"])];
}
