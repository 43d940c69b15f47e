// lhs.transcript.server and lhs.transcript.client (adapters/SHIM.md): a whole connection replayed through the model —
// the server (LhsServer) with the request's capabilities, seal key, session lifetime and seeded environment, or the
// client (LhsClient) with the request's configuration — one list of actions per event the peer caused. A faulty
// server (ShimFaults.TranscriptServer) runs through its real behaviour around the model.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;

namespace Conformance.Cli.Shim;

internal static class LhsTranscriptOps
{
    public static JsonObject Server(JsonElement r, Fault? fault)
    {
        var behaviour = ShimFaults.TranscriptServer(fault);
        var caps = r.GetProperty("serverCapabilities");
        var capabilities = new ServerCapabilities(caps.GetProperty("lri_version").GetString()!, Strings(caps.GetProperty("encodings")),
            Strings(caps.GetProperty("features")), caps.GetProperty("max_frame_bytes").GetInt32());
        using var key = new Ed25519Signer(Convert.FromHexString(r.GetProperty("serverPrivateSeed").GetString()!));
        var cfg = new LhsServerConfig(capabilities, key, TimeSpan.FromSeconds(r.GetProperty("sessionLifetimeSeconds").GetInt64()));
        // The nonce and session_id come from the seeded stream the request names (its construction: vectors/lhs/transcripts.json).
        var e = r.GetProperty("environment");
        var env = behaviour.Environment(new SeededEnvironment(e.GetProperty("seed").GetUInt64(),
            DateTimeOffset.Parse(r.GetProperty("environmentStart").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            e.GetProperty("stream").GetString()!));
        var state = LhsServerState.Initial;
        var actions = new JsonArray();
        LhsError? rejected = null;
        var established = false;
        foreach (var ev in r.GetProperty("clientEvents").EnumerateArray())
        {
            var step = behaviour.Step(state, Input(ev), cfg, env, LhsServer.Step);
            state = step.State;
            rejected ??= step.Rejected;
            established |= step.Outputs.Any(o => o is LhsOutput.Established);
            actions.Add(Actions(step.Outputs));
        }
        return Answer(actions, established, state.Phase == LhsServerPhase.Closed, rejected);
    }

    public static JsonObject Client(JsonElement r)
    {
        var c = r.GetProperty("clientConfig");
        var cfg = new LhsClientConfig(c.GetProperty("lri_version").GetString()!, Strings(c.GetProperty("encodings")), Strings(c.GetProperty("features")),
            c.GetProperty("max_frame_bytes").GetInt32(), c.GetProperty("thread").GetString()!, Convert.FromHexString(c.GetProperty("trustedServerKey").GetString()!),
            Context: c.TryGetProperty("context", out var context) ? context.Clone() : null);
        var start = LhsClient.Start(cfg);
        var state = start.State;
        var actions = new JsonArray();
        LhsError? rejected = null;
        var established = false;
        foreach (var ev in r.GetProperty("serverEvents").EnumerateArray())
        {
            var step = LhsClient.Step(state, Input(ev), cfg);
            state = step.State;
            rejected ??= step.Rejected;
            established |= step.Outputs.Any(o => o is LhsOutput.Established);
            actions.Add(Actions(step.Outputs));
        }
        var answer = Answer(actions, established, state.Phase == LhsClientPhase.Closed, rejected);
        answer["startActions"] = Actions(start.Outputs);
        return answer;
    }

    private static JsonObject Answer(JsonArray actions, bool established, bool closed, LhsError? rejected)
    {
        var o = new JsonObject { ["result"] = rejected is null ? "valid" : "invalid", ["actions"] = actions, ["established"] = established, ["closed"] = closed };
        if (rejected is not null) o["errorCode"] = rejected.Code.Wire();
        return o;
    }

    private static LhsInput Input(JsonElement ev) => ev.GetProperty("type").GetString() switch
    {
        "text" => new LhsInput.Text(ev.GetProperty("text").GetString()!),
        "binary" => new LhsInput.Binary(Convert.FromHexString(ev.GetProperty("hex").GetString()!)),
        "handshake_timeout" => new LhsInput.HandshakeTimeout(),
        "peer_close" => new LhsInput.PeerClosed(),
        var t => throw new FormatException($"unknown event type \"{t}\""),
    };

    /// <summary>The model's outputs for one event as the vectors write them; Established is no action (the seal, or its verification, is).</summary>
    private static JsonArray Actions(IReadOnlyList<LhsOutput> outputs) => new([.. outputs.Select(o => (JsonNode?)(o switch
    {
        LhsOutput.SendText t => new JsonObject { ["type"] = "text", ["text"] = t.Value },
        LhsOutput.SendBinary b => new JsonObject { ["type"] = "binary", ["hex"] = Convert.ToHexStringLower(b.Value) },
        LhsOutput.Close c => new JsonObject { ["type"] = "close", ["code"] = c.Code },
        LhsOutput.Deliver d => new JsonObject { ["type"] = "deliver", ["lceHex"] = Convert.ToHexStringLower(d.Frame.LceBytes.Span), ["payloadHex"] = Convert.ToHexStringLower(d.Frame.Payload.Span) },
        LhsOutput.Observe ob => new JsonObject { ["type"] = "telemetry", ["name"] = ob.Name, ["data"] = JsonNode.Parse(ob.Data.GetRawText()) },
        _ => null,
    })).OfType<JsonNode>()]);

    private static string[] Strings(JsonElement a) => [.. a.EnumerateArray().Select(e => e.GetString()!)];
}
