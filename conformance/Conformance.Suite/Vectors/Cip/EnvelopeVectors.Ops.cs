// cip/envelopes: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Cip;

public sealed partial class EnvelopeVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["cip.envelope.verify"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) =>
        [new("cip.envelope.verify", Take(t, "envelope"), t.Result, ["msgType", "publicKey", "fingerprint", "signature", "signingInput"])];
}
