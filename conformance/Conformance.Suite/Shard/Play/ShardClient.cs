// The suite as a CCML node against an edge under test: model-built messages (deliberately wrong ones on request) and
// typed replies. Every message the edge sends is read as the model reads it.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Ltp;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;

namespace Conformance.Suite.Shard.Play;

/// <summary>What the edge did: a control message, a close, silence.</summary>
public sealed record Reply(string? Type, JsonElement Json, bool Closed, int? CloseCode, bool Silent, string Raw)
{
    public string? Code => ShardMessages.IsRefusal(Type) && Json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
    public string? Str(string name) => Type is not null && Json.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    public long? Index => Type is not null && Json.TryGetProperty("index", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
    public bool Refused => ShardMessages.IsRefusal(Type);

    public string Describe() => Closed ? $"close ({CloseCode?.ToString() ?? "dropped"})" : Silent ? "nothing" : Raw.Length <= 200 ? Raw : Raw[..200] + "…";
}

public sealed class ShardClient
{
    public static readonly Ed25519Signer NodeKey = TestKeys.FromLabel(TestKeys.SuiteShardNodeLabel);
    public static readonly Ed25519Signer Authority = TestKeys.FromLabel(TestKeys.SuiteShardAuthorityLabel);
    public static readonly Ed25519Signer Stranger = TestKeys.FromLabel("conformance-suite/shard/untrusted");

    private ShardClient(CaseContext ctx, IWireConnection conn, ShardOracle? oracle)
    {
        Ctx = ctx;
        Conn = conn;
        _oracle = oracle;
    }

    /// <summary>Where what this connection sends is recorded, so the model can say what it earns.</summary>
    private readonly ShardOracle? _oracle;

    public CaseContext Ctx { get; }
    public IWireConnection Conn { get; }
    public string? Token { get; private set; }
    /// <summary>Whether the edge accepted a header on this connection (header_ack).</summary>
    public bool HeaderAccepted { get; private set; }

    public static async Task<ShardClient> ConnectAsync(CaseContext ctx, ShardOracle? oracle = null) => new(ctx, await ctx.ConnectAsync(), oracle);

    public Task<bool> SendAsync(JsonObject message) => SendAsync(ShardMessages.Write(message));

    public Task<bool> SendAsync(string text)
    {
        _oracle?.Record(this, new EdgeInput.Text(text));
        return Conn.SendTextAsync(text);
    }

    public Task<bool> SendBinaryAsync(byte[] frame)
    {
        _oracle?.Record(this, new EdgeInput.Binary(frame));
        return Conn.SendBinaryAsync(frame);
    }

    public async Task<Reply> NextAsync(TimeSpan? timeout = null)
    {
        var ev = await Conn.ReceiveAsync(timeout ?? Ctx.Step, Ctx.Cancel);
        return ev switch
        {
            WireEvent.Text t => ShardMessages.Parse(t.Value) is ({ } type, var j, null) ? new Reply(type, j, false, null, false, t.Value) : new Reply("(unreadable)", default, false, null, false, t.Value),
            WireEvent.Closed c => new Reply(null, default, true, c.Code, false, ""),
            WireEvent.Timeout => new Reply(null, default, false, null, true, ""),
            WireEvent.Binary => new Reply("(binary)", default, false, null, false, "(binary)"),
            _ => new Reply(null, default, true, null, false, ""),
        };
    }

    /// <summary>Reads until a reply of one of <paramref name="types"/>, an error, a close or silence.</summary>
    public async Task<Reply> ExpectAsync(params string[] types)
    {
        while (true)
        {
            var r = await NextAsync();
            if (r.Type == "header_ack") HeaderAccepted = true;
            if (r.Closed || r.Silent || r.Type == "error" || types.Contains(r.Type)) return r;
        }
    }

    public static JsonObject Hello(long size, IEnumerable<string>? versions = null) => new()
    {
        ["type"] = "hello",
        ["protocol_versions"] = new JsonArray([.. (versions ?? ShardNodeConfig.ReferenceVersions).Select(v => (JsonNode)JsonValue.Create(v))]),
        ["shard_manifest"] = new JsonObject { ["type"] = "binary", ["size"] = size, ["dependencies"] = new JsonArray() },
        ["ephemeral_key"] = Model.Codec.Base64Url.Encode(new byte[32]),
    };

    /// <summary>hello → hello_ack; returns the reply (the token is kept).</summary>
    public async Task<Reply> HelloAsync(long size, IEnumerable<string>? versions = null)
    {
        await SendAsync(Hello(size, versions));
        var r = await ExpectAsync("hello_ack");
        if (r.Type == "hello_ack") Token = r.Str("session_token");
        return r;
    }

    /// <summary>resume with <paramref name="token"/> → resume_ack (the token is kept for the chunks that follow).</summary>
    public async Task<Reply> ResumeAsync(string token)
    {
        Token = token;
        await SendAsync(new JsonObject { ["type"] = "resume", ["session_token"] = token });
        return await ExpectAsync("resume_ack");
    }

    /// <summary>The model's signed header for <paramref name="p"/>, tampered by <paramref name="edit"/> and re-signed unless <paramref name="resign"/> is false.</summary>
    public JsonObject Header(Payload p, Action<JsonObject>? edit = null, bool resign = true, Ed25519Signer? key = null, DateTimeOffset? issued = null, JsonObject? overrideGrant = null)
    {
        var upload = p.Upload with { Override = overrideGrant };
        var h = ShardNode.Header(key ?? NodeKey, upload, Token ?? "", issued ?? DateTimeOffset.UtcNow);
        if (edit is null) return h;
        edit(h);
        if (resign)
        {
            var signer = key ?? NodeKey;
            h.Remove("signatures");
            h["signatures"] = new JsonArray(new JsonObject { ["key_id"] = ShardSigning.KeyId(signer.PublicKey), ["signature"] = ShardSigning.Sign(signer, ShardSigning.Input(h)) });
        }
        return h;
    }

    public Task<bool> SendChunkAsync(Payload p, int index, byte[]? data = null, IReadOnlyList<byte[]>? proof = null, long? asIndex = null) =>
        SendBinaryAsync(ShardMessages.Chunk(Token ?? "", asIndex ?? index, proof ?? p.Tree.Proof(index), data ?? p.Chunk(index).ToArray()));

    /// <summary>Sends chunk <paramref name="index"/> and returns the edge's chunk_ack/nack (or what came instead).</summary>
    public async Task<Reply> ChunkAsync(Payload p, int index, byte[]? data = null, IReadOnlyList<byte[]>? proof = null, long? asIndex = null)
    {
        await SendChunkAsync(p, index, data, proof, asIndex);
        return await ExpectAsync("chunk_ack", "chunk_nack", "commit_ack");
    }

    /// <summary>Sends every chunk from <paramref name="from"/> and returns what follows the last ack (commit_ack, error, …).</summary>
    public async Task<Reply> ChunksAsync(Payload p, int from = 0, int? to = null)
    {
        for (var i = from; i < (to ?? p.ChunkCount); i++)
        {
            var r = await ChunkAsync(p, i);
            if (r.Type != "chunk_ack") return r;
        }
        return to is null || to == p.ChunkCount ? await ExpectAsync("commit_ack") : new Reply("chunk_ack", default, false, null, false, "");
    }

    /// <summary>The whole upload with the model's own messages; returns the final reply (commit_ack when all is well).</summary>
    public async Task<Reply> UploadAsync(Payload p, JsonObject? overrideGrant = null)
    {
        var hello = await HelloAsync(p.Bytes.Length);
        if (hello.Type != "hello_ack") return hello;
        await SendAsync(Header(p, overrideGrant: overrideGrant));
        var ack = await ExpectAsync("header_ack", "commit_ack");
        if (ack.Type != "header_ack") return ack;
        return p.ChunkCount == 0 ? await ExpectAsync("commit_ack") : await ChunksAsync(p);
    }

    /// <summary>The registry's state for a shard, read on a fresh connection.</summary>
    public static async Task<Reply> QueryAsync(CaseContext ctx, string shardId)
    {
        var c = await ConnectAsync(ctx);
        await c.SendAsync(new JsonObject { ["type"] = "registry_query", ["shard_id"] = shardId });
        var r = await c.ExpectAsync("registry_state");
        await ctx.ReleaseAsync(c.Conn);
        return r;
    }

    public static JsonObject RollbackRequest(string shardId, string versionId, string reason, Ed25519Signer key)
    {
        var req = new JsonObject { ["type"] = "rollback_request", ["shard_id"] = shardId, ["version_id"] = versionId, ["reason"] = reason, ["key_id"] = ShardSigning.KeyId(key.PublicKey) };
        req["signature"] = ShardSigning.Sign(key, ShardSigning.Input(req));
        return req;
    }

    public static JsonObject Override(string shardId, string versionId, string? parent, string reason, Ed25519Signer key) => new()
    {
        ["reason"] = reason,
        ["key_id"] = ShardSigning.KeyId(key.PublicKey),
        ["signature"] = ShardSigning.Sign(key, ShardEdge.OverrideInput(shardId, versionId, parent, reason)),
    };
}
