// Shared pieces of the CIP vector topics: fixed identities (published seeds), seeded UUIDs, payload builders after
// cip.md §3, envelopes composed and signed with the model's own CipCompose/CipSigning, and JSON editing.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Vectors.Ltp;

namespace Conformance.Suite.Vectors.Cip;

public static class CipVectorKit
{
    /// <summary>An identity whose key seed is SHA-256 of "vectors/cip/" + label (TestKeys.FromLabel): published, never secret.</summary>
    public static CipIdentity Identity(string agentId, string label) => new(agentId, TestKeys.FromLabel("vectors/cip/" + label));

    public static string SeedHex(string label) =>
        VectorJson.Hex(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("vectors/cip/" + label)));

    /// <summary>{agentId, seed, publicKey, publicKeyBase64, fingerprint} of an identity made by <see cref="Identity"/>.</summary>
    public static JsonObject Describe(CipIdentity id, string label) => new()
    {
        ["agentId"] = id.AgentId,
        ["seed"] = SeedHex(label),
        ["publicKey"] = VectorJson.Hex(id.Key.PublicKey),
        ["publicKeyBase64"] = id.PublicKeyBase64,
        ["fingerprint"] = id.Fingerprint,
    };

    public static Peer PeerOf(CipIdentity id) => new(id.AgentId, id.Fingerprint);

    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly Signal Calm = new(Presence.Focused, 10, [], null);

    /// <summary>A version-4 UUID from the seeded stream.</summary>
    public static string Uuid(SeededBits r)
    {
        var b = r.Bytes(16);
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        var h = Convert.ToHexStringLower(b);
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }

    public static int Pick(SeededBits r, int n) => (int)(r.Next() % (ulong)n);

    public static T Pick<T>(SeededBits r, IReadOnlyList<T> items) => items[Pick(r, items.Count)];

    public static JsonArray Arr(params IEnumerable<string> items) => CipCompose.Array(items);

    /// <summary>Signed by <paramref name="signer"/> (default: the sender's own key) over JCS of the envelope without "sign".</summary>
    public static string Signed(JsonObject unsigned, Ed25519Signer signer) => CipSigning.Sign(unsigned, signer);

    /// <summary>A JSON text edited (after signing: the signature no longer covers the edit).</summary>
    public static string Edit(string json, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        edit(o);
        return o.ToJsonString(Conformance.Model.Lhs.LhsJson.Options);
    }

    /// <summary>The object at a dotted path ("" is the root).</summary>
    public static JsonObject At(JsonObject root, string path) =>
        path.Length == 0 ? root : path.Split('.').Aggregate(root, (o, name) => o[name]!.AsObject());

    /// <summary>Sets (or, with <paramref name="remove"/>, removes) the member at a dotted path such as "state.lri".</summary>
    public static void Set(JsonObject root, string path, JsonNode? value, bool remove = false)
    {
        var dot = path.LastIndexOf('.');
        var parent = At(root, dot < 0 ? "" : path[..dot]);
        var name = path[(dot + 1)..];
        if (remove) parent.Remove(name); else parent[name] = value;
    }

    // ---- payloads (cip.md §3) ------------------------------------------------------------------------------------

    public static JsonObject Hello(byte[] nonce, byte[] challenge, byte[]? response = null)
    {
        var p = new JsonObject
        {
            ["protocols"] = Arr("cip/1.0"),
            ["capabilities"] = Arr("state_exchange", "knowledge_exchange", "dmp_trace"),
            ["session_nonce"] = Convert.ToBase64String(nonce),
            ["challenge"] = Convert.ToBase64String(challenge),
            ["features"] = new JsonObject { ["supports_mesh"] = true, ["supports_multiplex"] = true },
        };
        if (response is not null) p["challenge_response"] = Convert.ToBase64String(response);
        return p;
    }

    public static JsonObject Intent(string goal = "ask", string topic = "trust", string priority = "normal", string context = "vectors") =>
        new() { ["goal"] = goal, ["topic"] = topic, ["priority"] = priority, ["context"] = context };

    public static JsonObject Trace(string decisionId, IEnumerable<string> steps, IEnumerable<string> evidence, bool counterfactuals = true)
    {
        var t = new JsonObject { ["decision_id"] = decisionId, ["steps"] = Arr(steps) };
        if (counterfactuals) t["counterfactuals"] = Arr();
        t["evidence"] = Arr(evidence);
        return t;
    }

    public static JsonObject Claim(string statement, string decisionId, IReadOnlyList<string> sources, IReadOnlyList<string> causalLinks,
        double confidence = 0.75, string domain = "vectors", bool withTrace = true, IReadOnlyList<string>? steps = null, IReadOnlyList<string>? evidence = null)
    {
        var p = new JsonObject
        {
            ["fact"] = new JsonObject
            {
                ["statement"] = statement, ["domain"] = domain, ["confidence"] = confidence, ["sources"] = Arr(sources), ["context"] = "vectors",
            },
        };
        if (withTrace) p["dmp_trace"] = Trace(decisionId, steps ?? ["observe", "conclude"], evidence ?? sources);
        p["causal_links"] = Arr(causalLinks);
        return p;
    }

    public static JsonObject Verdict(string factRef, string decision, double confidence = 0.9, string notes = "vectors") =>
        new() { ["fact_ref"] = factRef, ["decision"] = decision, ["confidence"] = confidence, ["notes"] = notes };

    public static JsonObject Challenge(string factRef, string reason = "conflict", string notes = "vectors") =>
        new() { ["fact_ref"] = factRef, ["reason"] = reason, ["notes"] = notes };

    public static JsonObject Decision(string choice, string outcome, string context, string decisionId, IEnumerable<string>? steps = null, IEnumerable<string>? evidence = null) => new()
    {
        ["decision"] = new JsonObject { ["choice"] = choice, ["outcome"] = outcome, ["context"] = context },
        ["dmp_trace"] = new JsonObject { ["decision_id"] = decisionId, ["steps"] = Arr(steps ?? ["decide"]), ["evidence"] = Arr(evidence ?? ["review"]) },
        ["retrospective"] = "none",
    };

    public static JsonObject StateUpdate(string presence = "focused", int lri = 10, string? peerState = null, IEnumerable<string>? kernel = null, string? intent = null)
    {
        var p = new JsonObject { ["presence"] = presence, ["lri"] = lri, ["ltppeerstate"] = peerState ?? TrustState.Probing.Wire(), ["kernel_signals"] = Arr(kernel ?? []) };
        if (intent is not null) p["intent"] = intent;
        return p;
    }
}
