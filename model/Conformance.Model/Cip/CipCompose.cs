// Builds envelopes (§2.1) in the spec's member order; the agent and the suite's peers both compose with it.
using System.Globalization;
using System.Text.Json.Nodes;

namespace Conformance.Model.Cip;

public static class CipCompose
{
    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An unsigned envelope; sign it with <see cref="CipSigning.Sign"/>.</summary>
    public static JsonObject Unsigned(CipIdentity from, Peer to, CipType type, JsonObject payload, string msgId, DateTimeOffset timestamp,
        string senderView, string receiverView, Signal state, IReadOnlyList<string>? capabilities = null)
    {
        var stateNode = new JsonObject
        {
            ["presence"] = state.Presence.Wire(),
            ["lri"] = state.Lri,
            ["kernel_signals"] = Array(state.KernelSignals),
        };
        if (state.Intent is not null) stateNode["intent"] = state.Intent;
        return new JsonObject
        {
            ["cip"] = "1.0",
            ["msg_id"] = msgId,
            ["type"] = type.Wire(),
            ["timestamp"] = Timestamp(timestamp),
            ["sender"] = new JsonObject
            {
                ["agent_id"] = from.AgentId,
                ["fingerprint"] = from.Fingerprint,
                ["capabilities"] = Array(capabilities ?? ["state_exchange", "knowledge_exchange", "dmp_trace"]),
                ["pubkey"] = from.PublicKeyBase64,
            },
            ["receiver"] = new JsonObject { ["agent_id"] = to.AgentId, ["fingerprint"] = to.Fingerprint },
            ["trust"] = new JsonObject { ["sender_view"] = senderView, ["receiver_view"] = receiverView },
            ["state"] = stateNode,
            ["payload"] = payload,
        };
    }

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode)JsonValue.Create(i))]);
}
