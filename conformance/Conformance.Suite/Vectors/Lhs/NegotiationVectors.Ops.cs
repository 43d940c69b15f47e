// lhs/negotiation: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class NegotiationVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["lhs.negotiate"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("lhs.negotiate", Take(t, "hello").With("serverCapabilities", t.Group.GetProperty("serverCapabilities")), t.Result, [],
            WhenValid: a => MirrorMatches(a, t.Test.GetProperty("expectedMirror")), WhenInvalid: a => ErrorCodeMatches(a, t.Test.GetProperty("expectedError")))];
}
