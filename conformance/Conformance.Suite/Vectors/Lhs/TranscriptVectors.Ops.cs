// lhs/transcripts: the shim op(s) that answer its tests and the request plan for each test (adapters/SHIM.md, "Vector ops").
using Conformance.Suite.Vectors.Shim;
using static Conformance.Suite.Vectors.Shim.VectorOps;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class TranscriptVectors : IVectorPlan
{
    public IReadOnlyList<string> Ops => ["lhs.transcript.server", "lhs.transcript.client"];

    public IReadOnlyList<OpCall> Plan(Shim.VectorTest t) => t.GroupType switch
    {
        "ServerTranscript" => [new("lhs.transcript.server",
            Take(t, "environment", "clientEvents").With(t.Group, "serverCapabilities", "serverPrivateSeed", "sessionLifetimeSeconds", "environmentStart"),
            t.Result, ["established", "closed"], WhenValid: a => ActionsMatch(a, t.Test), WhenInvalid: a => ActionsMatch(a, t.Test) ?? ExpectedErrorMatches(a, t.Test))],
        "ClientTranscript" => [new("lhs.transcript.client", Take(t, "clientConfig", "serverEvents"),
            t.Result, ["established", "closed"], WhenValid: a => ActionsMatch(a, t.Test), WhenInvalid: a => ActionsMatch(a, t.Test) ?? ExpectedErrorMatches(a, t.Test))],
        _ => [],
    };
}
