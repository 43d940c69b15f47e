// shard.header (adapters/SHIM.md): one session of the reference edge replayed from the request — the registry restored
// from `registry`, the clock at `now`, the hello answered with the given session token — and the header's verdict:
// every reply and registry effect, with the error code of a refusal. A faulty edge (ShimFaults.EdgeBehaviour) runs
// through its real behaviour around the model, as the LHS server faults do in lhs.negotiate.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Shard;
using Conformance.Reference.Faults;
using Conformance.Reference.Shard;
using Conformance.Suite.Vectors.Shard;

namespace Conformance.Cli.Shim;

internal static class ShardHeaderOp
{
    public static JsonObject Answer(JsonElement r, Fault? fault)
    {
        var behaviour = ShimFaults.EdgeBehaviour(fault, "shard.header");
        var registry = new MemoryRegistry();
        registry.Restore(JsonNode.Parse(r.GetProperty("registry").GetRawText())!.AsObject());
        var token = r.GetProperty("sessionToken").GetString()!;
        var edge = new EdgeDriver(registry, new ReplayEnvironment(ShardRequest.Time(r.GetProperty("now")), ShardRequest.TokenBytes(token)), ShardRequest.Config(r),
            behaviour.Around());
        var ack = edge.Text(JsonNode.Parse(r.GetProperty("hello").GetRawText())!.AsObject());
        if (EdgeDriver.Token(ack) != token) throw new InvalidOperationException("the edge did not issue the given session token");
        var result = edge.Text(r.GetProperty("header").GetString()!);
        var accepted = result.Wire.Any(w => (string?)w!["message"]?["type"] == "header_ack");
        var o = new JsonObject { ["result"] = accepted ? "valid" : "invalid", ["replies"] = result.Wire, ["effects"] = result.Effects };
        if (!accepted && edge.Rejections.LastOrDefault() is { } e)
        {
            o["errorCode"] = e.Code.Wire();
            o["rule"] = e.Rule;
        }
        return o;
    }
}
