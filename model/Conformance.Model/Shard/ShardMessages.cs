// §2 and §5: the hand-off messages as the project frames them (SPEC-NOTES.md "Shard messages"). Control messages are
// JSON text with a "type"; a chunk is one binary message: 4-byte big-endian header length ‖ JSON header ‖ chunk bytes.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Ltp;

namespace Conformance.Model.Shard;

public sealed record Manifest(string Type, long Size, IReadOnlyList<string> Dependencies);
public sealed record HelloMessage(IReadOnlyList<string> Versions, Manifest Manifest, byte[] EphemeralKey);
public sealed record ProvenanceLink(string VersionId, string? Parent, string KeyId, string Signature);
public sealed record BundleSignature(string KeyId, string Signature);
public sealed record AuthToken(JsonElement Json, string SessionToken, DateTimeOffset IssuedAt, string ShardId, string KeyId, string Signature);
public sealed record OverrideGrant(JsonElement Json, string Reason, string KeyId, string Signature);

public sealed record ShardHeader(
    JsonElement Json, string SessionToken, string ShardId, string VersionId, string? Parent, IReadOnlyList<ProvenanceLink> Chain,
    IReadOnlyList<BundleSignature> Signatures, AuthToken Auth, byte[] MerkleRoot, long ChunkSize, long ChunkCount, long Size, OverrideGrant? Override)
{
    /// <summary>The length chunk <paramref name="index"/> must have: chunk_size, except a shorter last chunk.</summary>
    public long ChunkLength(long index) => index < ChunkCount - 1 ? ChunkSize : Size - ChunkSize * (ChunkCount - 1);
}

public sealed record ChunkFrame(string SessionToken, long Index, IReadOnlyList<byte[]> Proof, ReadOnlyMemory<byte> Data);
public sealed record RollbackRequest(JsonElement Json, string ShardId, string VersionId, string Reason, string KeyId, string Signature);

public static class ShardMessages
{
    /// <summary>Largest control message read (a header with a long provenance chain fits easily).</summary>
    public const int MaxControlBytes = 256 * 1024;
    public const long MaxChunkSize = 4 * 1024 * 1024;
    public const long MaxChunkCount = 1 << 24;

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    /// <summary>A control message: its "type" and the object, or the error it earns.</summary>
    public static (string? Type, JsonElement Json, ShardError? Error) Parse(string text)
    {
        if (text.Length > MaxControlBytes) return (null, default, new(ShardErrorCode.InvalidMessage, "message too large", ShardRules.Messages));
        try
        {
            using var doc = JsonDocument.Parse(text, Strict);
            var root = doc.RootElement.Clone();
            Jcs.EnsureIJson(root);
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
                return (null, default, new(ShardErrorCode.InvalidMessage, "not a JSON object with a string \"type\"", ShardRules.Messages));
            return (t.GetString(), root, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or JcsException)
        {
            return (null, default, new(ShardErrorCode.InvalidMessage, "not I-JSON: " + e.Message, ShardRules.Messages));
        }
    }

    public static (HelloMessage? Hello, ShardError? Error) ReadHello(JsonElement j)
    {
        var r = new ShardReader(j, "hello");
        var versions = r.Strings("protocol_versions");
        var m = r.Obj("shard_manifest");
        var mr = r.Error is null ? new ShardReader(m, "shard_manifest") : r;
        var type = mr.Str("type");
        var size = mr.Long("size", 0, long.MaxValue);
        var deps = mr.Strings("dependencies");
        var keyText = r.Str("ephemeral_key");
        if ((r.Error ?? mr.Error) is { } e) return (null, e);
        if (versions.Count == 0) return (null, new(ShardErrorCode.InvalidMessage, "hello: protocol_versions is empty", ShardRules.Messages));
        if (!Codec.Base64Url.TryDecode(keyText, out var key) || key.Length != 32)
            return (null, new(ShardErrorCode.InvalidMessage, "hello: ephemeral_key must be 32 bytes of base64url", ShardRules.Messages));
        return (new HelloMessage(versions, new Manifest(type, size, deps), key), null);
    }

    public static (ShardHeader? Header, ShardError? Error) ReadHeader(JsonElement j)
    {
        var r = new ShardReader(j, "shard_header");
        var token = r.Str("session_token");
        var shardId = r.Str("shard_id");
        var versionId = r.Str("version_id");
        var parent = r.NullableStr("parent_version_id");
        var chain = r.Array("provenance_chain");
        var sigs = r.Array("signatures");
        var auth = r.Obj("auth_token");
        var root = r.Hex32("merkle_root");
        var chunkSize = r.Long("chunk_size", 1, MaxChunkSize);
        var chunkCount = r.Long("chunk_count", 0, MaxChunkCount);
        var size = r.Long("size", 0, MaxChunkSize * MaxChunkCount);
        var ov = r.OptionalObj("override");
        if (r.Error is { } e) return (null, e);
        if (!VersionIds.IsValid(versionId)) return (null, new(ShardErrorCode.InvalidMessage, $"version_id \"{versionId}\" is neither vMAJOR.MINOR.PATCH nor mth:<hex>", ShardRules.VersionId));
        if (chunkCount != (size + chunkSize - 1) / chunkSize)
            return (null, new(ShardErrorCode.InvalidMessage, $"chunk_count {chunkCount} does not fit size {size} in chunks of {chunkSize}", ShardRules.Messages));

        var links = new List<ProvenanceLink>();
        foreach (var l in chain)
        {
            if (l.ValueKind != JsonValueKind.Object) return (null, new(ShardErrorCode.InvalidMessage, "provenance_chain holds a non-object", ShardRules.Messages));
            var lr = new ShardReader(l, "provenance link");
            var link = new ProvenanceLink(lr.Str("version_id"), lr.NullableStr("parent_version_id"), lr.Str("key_id"), lr.Str("signature"));
            if (lr.Error is { } le) return (null, le);
            links.Add(link);
        }
        var bundle = new List<BundleSignature>();
        foreach (var s in sigs)
        {
            if (s.ValueKind != JsonValueKind.Object) return (null, new(ShardErrorCode.InvalidMessage, "signatures holds a non-object", ShardRules.Messages));
            var sr = new ShardReader(s, "signature");
            var sig = new BundleSignature(sr.Str("key_id"), sr.Str("signature"));
            if (sr.Error is { } se) return (null, se);
            bundle.Add(sig);
        }
        var ar = new ShardReader(auth, "auth_token");
        var authToken = ar.Str("session_token");
        var issued = ar.Str("issued_at");
        var authShard = ar.Str("shard_id");
        var authKey = ar.Str("key_id");
        var authSig = ar.Str("signature");
        if (ar.Error is { } ae) return (null, ae);
        if (!DateTimeOffset.TryParse(issued, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var issuedAt) || !issued.EndsWith('Z'))
            return (null, new(ShardErrorCode.InvalidMessage, "auth_token.issued_at is not an RFC 3339 UTC time", ShardRules.Messages));
        OverrideGrant? grant = null;
        if (ov is { } o)
        {
            var orr = new ShardReader(o, "override");
            grant = new OverrideGrant(o, orr.Str("reason"), orr.Str("key_id"), orr.Str("signature"));
            if (orr.Error is { } oe) return (null, oe);
        }
        return (new ShardHeader(j, token, shardId, versionId, parent, links, bundle, new AuthToken(auth, authToken, issuedAt.ToUniversalTime(), authShard, authKey, authSig),
            root, chunkSize, chunkCount, size, grant), null);
    }

    public static (RollbackRequest? Request, ShardError? Error) ReadRollback(JsonElement j)
    {
        var r = new ShardReader(j, "rollback_request");
        var req = new RollbackRequest(j, r.Str("shard_id"), r.Str("version_id"), r.Str("reason"), r.Str("key_id"), r.Str("signature"));
        return r.Error is { } e ? (null, e) : (req, null);
    }

    public static (string? Value, ShardError? Error) ReadString(JsonElement j, string what, string member)
    {
        var r = new ShardReader(j, what);
        var v = r.Str(member);
        return r.Error is { } e ? (null, e) : (v, null);
    }

    // ---- chunk frames

    public static byte[] Chunk(string token, long index, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> data)
    {
        var header = Encoding.UTF8.GetBytes(Write(new JsonObject
        {
            ["type"] = "chunk",
            ["session_token"] = token,
            ["index"] = index,
            ["proof"] = new JsonArray([.. proof.Select(p => (JsonNode)JsonValue.Create(Convert.ToHexStringLower(p)))]),
        }));
        var frame = new byte[4 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)header.Length);
        header.CopyTo(frame.AsSpan(4));
        data.CopyTo(frame.AsSpan(4 + header.Length));
        return frame;
    }

    public static (ChunkFrame? Chunk, ShardError? Error) ReadChunk(ReadOnlyMemory<byte> frame)
    {
        ShardError Bad(string d) => new(ShardErrorCode.InvalidMessage, "chunk: " + d, ShardRules.Messages);
        if (frame.Length < 4) return (null, Bad("shorter than its length prefix"));
        var len = BinaryPrimitives.ReadUInt32BigEndian(frame.Span);
        if (len > frame.Length - 4 || len > MaxControlBytes) return (null, Bad("header length overruns the frame"));
        var (type, j, err) = Parse(Encoding.UTF8.GetString(frame.Span.Slice(4, (int)len)));
        if (err is not null) return (null, err);
        if (type != "chunk") return (null, Bad($"header type \"{type}\""));
        var r = new ShardReader(j, "chunk");
        var token = r.Str("session_token");
        var index = j.TryGetProperty("index", out var ix) && ix.ValueKind == JsonValueKind.Number && ix.TryGetInt64(out var i) ? i : long.MinValue;
        var proofItems = r.Strings("proof");
        if (r.Error is { } e) return (null, e);
        if (index == long.MinValue) return (null, Bad("\"index\" must be an integer"));
        var proof = new List<byte[]>();
        foreach (var p in proofItems)
        {
            if (!VersionIds.Hex64().IsMatch(p)) return (null, Bad("proof entries must be 64 lowercase hex digits"));
            proof.Add(Convert.FromHexString(p));
        }
        return (new ChunkFrame(token, index, proof, frame[(4 + (int)len)..]), null);
    }

    /// <summary>Compact, readable JSON for the wire.</summary>
    public static string Write(JsonNode node) => node.ToJsonString(Lhs.LhsJson.Options);

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Error(ShardError e) => Write(new JsonObject { ["type"] = "error", ["code"] = e.Code.Wire(), ["detail"] = e.Detail });

    /// <summary>Whether a message of this type refuses (an error, or a chunk_nack): a transcript that ends on one is refused.</summary>
    public static bool IsRefusal(string? type) => type is "error" or "chunk_nack";

    /// <summary>A chunk refused by index (§4.2): the sender may send it again.</summary>
    public static string ChunkNack(long index, ShardError e) => Write(new JsonObject { ["type"] = "chunk_nack", ["index"] = index, ["code"] = e.Code.Wire(), ["detail"] = e.Detail });

    /// <summary>A chunk refused for no fault of its own (a tester's refusal): it must simply be sent again.</summary>
    public static string ChunkNack(long index, string detail) => ChunkNack(index, new ShardError(ShardErrorCode.ChunkInvalid, detail, ShardRules.ChunkProof));
}
