// ltp/jcs: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Ltp;

public sealed partial class JcsVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["jcs.canonicalize"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("jcs.canonicalize", Take(t, "input"), t.Result, [], WhenValid: a => Same(a, "outputHex", t.Test, "expectedHex"))];
}
