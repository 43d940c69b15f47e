// cip/knowledge: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class KnowledgeVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["cip.knowledge"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("cip.knowledge", Take(t, "claim", "proposerTrust", "causalMemory", "confirmations", "conflicts", "selfOverloaded").WithOptional(t, "proposerTrustLater"),
            t.Result, ["status", "stage", "rule", "resolution"], WhenInvalid: a => SameAll(a, t.Test, "status", "rule"))];
}
