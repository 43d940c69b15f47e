// What each signature in the hand-off covers (SPEC-NOTES.md "Shard signatures"): Ed25519 over the JCS of a JSON
// object, keys named by key_id = lowercase hex SHA-256 of the raw public key.
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Ltp;

namespace Conformance.Model.Shard;

public static class ShardSigning
{
    public static string KeyId(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey));

    /// <summary>JCS of <paramref name="obj"/> with the named members removed.</summary>
    public static byte[] Input(JsonElement obj, params string[] without)
    {
        var node = JsonNode.Parse(obj.GetRawText())!.AsObject();
        foreach (var w in without) node.Remove(w);
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return Jcs.Canonicalize(doc.RootElement);
    }

    public static byte[] Input(JsonObject obj, params string[] without)
    {
        using var doc = JsonDocument.Parse(obj.ToJsonString());
        return Input(doc.RootElement, without);
    }

    /// <summary>A provenance link's signing input: {"shard_id","version_id","parent_version_id"}.</summary>
    public static byte[] LinkInput(string shardId, string versionId, string? parent) =>
        Input(new JsonObject { ["shard_id"] = shardId, ["version_id"] = versionId, ["parent_version_id"] = parent });

    public static string Sign(Ed25519Signer key, byte[] input) => Convert.ToBase64String(key.Sign(input));

    public static bool Verify(IReadOnlyDictionary<string, byte[]> keys, string keyId, string signature, byte[] input)
    {
        if (!keys.TryGetValue(keyId, out var pub)) return false;
        byte[] sig;
        try { sig = Convert.FromBase64String(signature); } catch (FormatException) { return false; }
        return Ed25519.Verify(pub, input, sig);
    }
}
