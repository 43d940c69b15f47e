// shard.transcript (adapters/SHIM.md): a whole hand-off replayed through the reference edge — one edge session per
// numbered connection over one registry restored from `registryBefore`, the clock at each step's `at`, each hello
// answered with the next of the given session tokens — and what the edge did at every step, the registry after,
// and every refusal code it sent. A faulty edge (ShimFaults.EdgeBehaviour) runs through its real behaviour.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Shard;
using Conformance.Reference.Faults;
using Conformance.Suite.Vectors.Shard;

namespace Conformance.Cli.Shim;

internal static class ShardTranscriptOp
{
    public static JsonObject Answer(JsonElement r, Fault? fault)
    {
        var behaviour = ShimFaults.EdgeBehaviour(fault, "shard.transcript");
        var registry = new MemoryRegistry();
        var before = JsonNode.Parse(r.GetProperty("registryBefore").GetRawText())!.AsObject();
        registry.Restore(before);
        var shardId = before["shard_id"]!.GetValue<string>();
        var tokens = r.GetProperty("sessionTokens").EnumerateArray().Select(t => ShardRequest.TokenBytes(t.GetString()!)).ToArray();
        var env = new ReplayEnvironment(ShardRequest.Time(r.GetProperty("now")), tokens);
        var config = ShardRequest.Config(r);
        var connections = new Dictionary<int, EdgeDriver>();
        var steps = new JsonArray();
        var refusals = new JsonArray();
        JsonObject? last = null;
        foreach (var s in r.GetProperty("steps").EnumerateArray())
        {
            env.Now = ShardRequest.Time(s.GetProperty("at"));
            var id = s.GetProperty("connection").GetInt32();
            if (!connections.TryGetValue(id, out var edge)) connections[id] = edge = new EdgeDriver(registry, env, config, behaviour.Around());
            var seen = edge.Rejections.Count;
            var node = s.GetProperty("node");
            var result = node.TryGetProperty("message", out var m) ? edge.Text(JsonNode.Parse(m.GetRawText())!.AsObject())
                : node.TryGetProperty("frame", out var f) ? edge.Binary(Convert.FromHexString(f.GetString()!))
                : node.TryGetProperty("disconnect", out _) ? edge.Feed(new EdgeInput.Closed())
                : throw new FormatException("a step's node is none of message, frame, disconnect");
            foreach (var e in edge.Rejections.Skip(seen)) refusals.Add(e.Code.Wire());
            steps.Add(new JsonObject { ["edge"] = result.Wire, ["effects"] = result.Effects });
            last = result.Wire.Select(w => w!["message"]).OfType<JsonObject>().LastOrDefault() ?? last;
        }
        // The transcript ends refused when the edge's last message is an error or a chunk_nack.
        var refused = ShardMessages.IsRefusal((string?)last?["type"]);
        return new JsonObject
        {
            ["result"] = refused ? "invalid" : "valid",
            ["steps"] = steps,
            ["registryAfter"] = registry.State(shardId),
            ["refusals"] = refusals,
        };
    }
}
