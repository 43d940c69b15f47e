// Shared helpers of the CIP model tests: fixed identities, envelopes composed and signed with the model's own
// CipCompose/CipSigning (as the suite's peers do), payload builders after cip.md §3, and JSON editing.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Suite.Vectors.Cip;

namespace Conformance.Tests.Model;

internal static class CipKit
{
    /// <summary>A fixed Ed25519 key per label: SHA-256("cip-test/" + label) as the 32-byte seed.</summary>
    public static Ed25519Signer Key(string label) => new(SHA256.HashData(Encoding.UTF8.GetBytes("cip-test/" + label)));

    public static CipIdentity Identity(string agentId) => new(agentId, Key(agentId));

    public static readonly CipIdentity Agent = Identity("agent-under-test");

    public static Peer PeerOf(CipIdentity id) => new(id.AgentId, id.Fingerprint);

    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly Signal Calm = new(Presence.Focused, 10, [], null);

    /// <summary>A UUID v4 not drawn from any agent environment.</summary>
    public static string Uuid(Random rng)
    {
        var b = new byte[16];
        rng.NextBytes(b);
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        var h = Convert.ToHexStringLower(b);
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }

    public static JsonObject Unsigned(CipIdentity from, Peer to, CipType type, JsonObject payload, string msgId, DateTimeOffset ts,
        Signal? signal = null, string senderView = "probing", string receiverView = "unknown") =>
        CipCompose.Unsigned(from, to, type, payload, msgId, ts, senderView, receiverView, signal ?? Calm);

    /// <summary>Signed by <paramref name="signer"/> (default: the sender's own key); <paramref name="tamper"/> edits before signing.</summary>
    public static string Signed(CipIdentity from, Peer to, CipType type, JsonObject payload, string msgId, DateTimeOffset ts,
        Signal? signal = null, Action<JsonObject>? tamper = null, Ed25519Signer? signer = null, string senderView = "probing")
    {
        var o = Unsigned(from, to, type, payload, msgId, ts, signal, senderView);
        tamper?.Invoke(o);
        return CipSigning.Sign(o, signer ?? from.Key);
    }

    // JSON editing and the HELLO payload are the vector generator's (one implementation of each).
    public static string Edit(string json, Action<JsonObject> edit) => CipVectorKit.Edit(json, edit);

    public static JsonObject At(JsonObject root, string path) => CipVectorKit.At(root, path);

    public static void Set(JsonObject root, string path, JsonNode? value, bool remove = false) => CipVectorKit.Set(root, path, value, remove);

    public static JsonArray Arr(params string[] items) => CipCompose.Array(items);

    // ---- payloads (cip.md §3) --------------------------------------------------------------------------------------

    public static JsonObject Hello(byte[] nonce, byte[] challenge, byte[]? response = null) => CipVectorKit.Hello(nonce, challenge, response);

    public static JsonObject Intent(string goal = "ask", string topic = "trust", string priority = "normal") =>
        new() { ["goal"] = goal, ["topic"] = topic, ["priority"] = priority, ["context"] = "model test" };

    public static JsonObject Trace(string decisionId, string[]? steps = null, string[]? evidence = null) => new()
    {
        ["decision_id"] = decisionId,
        ["steps"] = Arr(steps ?? ["observe", "conclude"]),
        ["counterfactuals"] = Arr(),
        ["evidence"] = Arr(evidence ?? ["observation:test"]),
    };

    public static JsonObject Claim(string statement, string decisionId, bool withTrace = true, string[]? sources = null, string[]? evidence = null,
        string[]? causalLinks = null, string[]? steps = null)
    {
        var src = sources ?? ["observation:test"];
        var p = new JsonObject
        {
            ["fact"] = new JsonObject
            {
                ["statement"] = statement, ["domain"] = "model-test", ["confidence"] = 0.75, ["sources"] = Arr(src), ["context"] = "unit",
            },
            ["causal_links"] = Arr(causalLinks ?? []),
        };
        if (withTrace) p["dmp_trace"] = Trace(decisionId, steps, evidence ?? src);
        return p;
    }

    public static JsonObject Verdict(string factRef, string decision, double confidence = 0.9) =>
        new() { ["fact_ref"] = factRef, ["decision"] = decision, ["confidence"] = confidence, ["notes"] = "model test" };

    public static JsonObject Challenge(string factRef, string reason = "conflict") =>
        new() { ["fact_ref"] = factRef, ["reason"] = reason, ["notes"] = "model test" };

    public static JsonObject Decision(string choice, string context, string decisionId) => new()
    {
        ["decision"] = new JsonObject { ["choice"] = choice, ["outcome"] = "done", ["context"] = context },
        ["dmp_trace"] = new JsonObject { ["decision_id"] = decisionId, ["steps"] = Arr("decide"), ["evidence"] = Arr("review") },
        ["retrospective"] = "none",
    };

    public static JsonObject StateUpdate(string presence = "focused", int lri = 10, string peerState = "probing", string[]? kernel = null, string? intent = null)
    {
        var p = new JsonObject { ["presence"] = presence, ["lri"] = lri, ["ltppeerstate"] = peerState, ["kernel_signals"] = Arr(kernel ?? []) };
        if (intent is not null) p["intent"] = intent;
        return p;
    }

    public static string Str(JsonElement e, string name) => e.GetProperty(name).GetString()!;
}
