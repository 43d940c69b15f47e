// cip/replay: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class ReplayVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["cip.replay"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("cip.replay", ReplaySteps(t).With("agent", t.Group.GetProperty("agent")).With("replayWindowSeconds", t.Group.GetProperty("replayWindowSeconds")),
            t.Result, ["outcome"], WhenValid: a => VerdictsMatch(a, t.Test), WhenInvalid: a => VerdictsMatch(a, t.Test))];
}
