// The CCML node: offers its versions, signs and sends the header, streams the chunks (re-sending any the edge refuses),
// resumes an interrupted upload with its session token, sending only what the edge lacks, and records every transfer
// in its own ledger (§4.3 "Dual Registry"). Reading the file and writing the ledger are the host's: the model asks.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Ltp;

namespace Conformance.Model.Shard;

/// <summary>What the node uploads: the shard's identity and lineage, its layout, and the chunks' leaf hashes.</summary>
public sealed record ShardUpload(string ShardId, string VersionId, string? Parent, long ChunkSize, long Size, IReadOnlyList<byte[]> Leaves,
    string ManifestType = "binary", IReadOnlyList<ProvenanceLink>? EarlierLinks = null, JsonObject? Override = null)
{
    public long ChunkCount => Leaves.Count;
}

public sealed record ShardNodeConfig(Ed25519Signer Key, IReadOnlyList<string> Versions, ShardUpload Upload)
{
    public static readonly IReadOnlyList<string> ReferenceVersions = ["2.0", "2.1"];
    /// <summary>How often one chunk may be refused before the node gives up.</summary>
    public const int MaxRetries = 3;
}

public abstract record NodeOutput
{
    public sealed record Send(string Text) : NodeOutput;
    /// <summary>Read chunk <paramref name="Index"/> from the file and send it framed with its proof.</summary>
    public sealed record SendChunk(string Token, long Index) : NodeOutput;
    public sealed record Close(int Code, string Reason) : NodeOutput;
    /// <summary>A line for the node's own transfer ledger.</summary>
    public sealed record Ledger(JsonElement Entry) : NodeOutput;
}

public enum NodePhase { AwaitHelloAck, AwaitHeaderAck, Sending, Done, Closed }

public sealed record ShardNodeState(NodePhase Phase, string? Token = null, ImmutableHashSet<long>? Acked = null,
    ImmutableDictionary<long, int>? Retries = null, string? RegistryId = null, string? Failure = null)
{
    public ImmutableHashSet<long> AckedChunks => Acked ?? [];
}

public sealed record NodeStep(ShardNodeState State, ImmutableArray<NodeOutput> Outputs);

public static class ShardNode
{
    /// <summary>Opens a new upload (hello) or resumes one (<paramref name="resumeToken"/>).</summary>
    public static NodeStep Start(ShardNodeConfig cfg, IModelEnvironment env, string? resumeToken = null)
    {
        if (resumeToken is not null)
            return new(new ShardNodeState(NodePhase.Sending, resumeToken), [Send(new JsonObject { ["type"] = "resume", ["session_token"] = resumeToken })]);
        var u = cfg.Upload;
        var hello = new JsonObject
        {
            ["type"] = "hello",
            ["protocol_versions"] = new JsonArray([.. cfg.Versions.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["shard_manifest"] = new JsonObject { ["type"] = u.ManifestType, ["size"] = u.Size, ["dependencies"] = new JsonArray() },
            ["ephemeral_key"] = Base64Url.Encode(env.NextBytes(32)),
        };
        return new(new ShardNodeState(NodePhase.AwaitHelloAck), [Send(hello)]);
    }

    public static NodeStep Step(ShardNodeState s, string text, ShardNodeConfig cfg, IModelEnvironment env)
    {
        if (s.Phase == NodePhase.Closed) return new(s, []);
        var (type, j, err) = ShardMessages.Parse(text);
        if (err is not null) return Abort(s, "unreadable message from the edge: " + err.Detail);
        return (s.Phase, type) switch
        {
            (_, "error") => Abort(s, $"edge error {Member(j, "code")}: {Member(j, "detail")}", graceful: true),
            (NodePhase.AwaitHelloAck, "hello_ack") => OnHelloAck(s, j, cfg, env),
            (NodePhase.AwaitHeaderAck, "header_ack") => SendMissing(s with { Phase = NodePhase.Sending }, cfg, []),
            (NodePhase.Sending, "resume_ack") => OnResumeAck(s, j, cfg),
            (NodePhase.Sending, "chunk_ack") => Index(j) is long i ? new(s with { Acked = s.AckedChunks.Add(i) }, []) : Abort(s, "chunk_ack without index"),
            (NodePhase.Sending, "chunk_nack") => OnNack(s, j, cfg),
            (NodePhase.Sending, "commit_ack") => new(s with { Phase = NodePhase.Done, RegistryId = Member(j, "registry_id") },
                [Ledger(new JsonObject { ["event"] = "committed", ["session_token"] = s.Token, ["shard_id"] = cfg.Upload.ShardId,
                    ["version_id"] = cfg.Upload.VersionId, ["registry_id"] = Member(j, "registry_id") }), new NodeOutput.Close(1000, "committed")]),
            (NodePhase.Done or NodePhase.Sending, "rollback_intent") => new(s,
                [Ledger(new JsonObject { ["event"] = "rolled_back", ["shard_id"] = Member(j, "shard_id"), ["version_id"] = Member(j, "version_id"), ["reason"] = Member(j, "reason") })]),
            _ => Abort(s, $"unexpected \"{type}\" in {s.Phase}"),
        };
    }

    // §2.1 the edge "picks the highest mutually supported protocol version": one the node did not offer is a protocol error.
    private static NodeStep OnHelloAck(ShardNodeState s, JsonElement j, ShardNodeConfig cfg, IModelEnvironment env)
    {
        var chosen = Member(j, "chosen_protocol");
        var token = Member(j, "session_token");
        if (chosen is null || !cfg.Versions.Contains(chosen)) return Abort(s, $"the edge chose {chosen ?? "nothing"}, which the node did not offer");
        if (string.IsNullOrEmpty(token)) return Abort(s, "hello_ack without a session_token");
        var header = Header(cfg.Key, cfg.Upload, token, env.Now);
        return new(s with { Phase = NodePhase.AwaitHeaderAck, Token = token },
            [Send(header), Ledger(new JsonObject { ["event"] = "started", ["session_token"] = token, ["shard_id"] = cfg.Upload.ShardId, ["version_id"] = cfg.Upload.VersionId })]);
    }

    /// <summary>The signed shard header (SPEC-NOTES.md "Shard signatures"): auth token, provenance link, signature bundle.</summary>
    public static JsonObject Header(Ed25519Signer key, ShardUpload u, string token, DateTimeOffset now)
    {
        var keyId = ShardSigning.KeyId(key.PublicKey);
        var auth = new JsonObject { ["session_token"] = token, ["issued_at"] = ShardMessages.Timestamp(now), ["shard_id"] = u.ShardId, ["key_id"] = keyId };
        auth["signature"] = ShardSigning.Sign(key, ShardSigning.Input(auth));
        var chain = new JsonArray(new JsonObject
        {
            ["version_id"] = u.VersionId, ["parent_version_id"] = u.Parent, ["key_id"] = keyId,
            ["signature"] = ShardSigning.Sign(key, ShardSigning.LinkInput(u.ShardId, u.VersionId, u.Parent)),
        });
        foreach (var l in u.EarlierLinks ?? [])
            chain.Add(new JsonObject { ["version_id"] = l.VersionId, ["parent_version_id"] = l.Parent, ["key_id"] = l.KeyId, ["signature"] = l.Signature });
        var header = new JsonObject
        {
            ["type"] = "shard_header",
            ["session_token"] = token,
            ["shard_id"] = u.ShardId,
            ["version_id"] = u.VersionId,
            ["parent_version_id"] = u.Parent,
            ["provenance_chain"] = chain,
            ["auth_token"] = auth,
            ["merkle_root"] = Convert.ToHexStringLower(new Merkle.MerkleLevels(u.Leaves).Root),
            ["chunk_size"] = u.ChunkSize,
            ["chunk_count"] = u.ChunkCount,
            ["size"] = u.Size,
        };
        if (u.Override is not null) header["override"] = u.Override.DeepClone();
        header["signatures"] = new JsonArray(new JsonObject { ["key_id"] = keyId, ["signature"] = ShardSigning.Sign(key, ShardSigning.Input(header)) });
        return header;
    }

    private static NodeStep OnResumeAck(ShardNodeState s, JsonElement j, ShardNodeConfig cfg)
    {
        if (!j.TryGetProperty("received", out var r) || r.ValueKind != JsonValueKind.Array) return Abort(s, "resume_ack without received");
        var received = r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out _)).Select(x => x.GetInt64()).ToImmutableHashSet();
        return SendMissing(s with { Acked = received }, cfg, [Ledger(new JsonObject { ["event"] = "resumed", ["session_token"] = s.Token, ["received"] = received.Count })]);
    }

    /// <summary>§4.3 "the handshake can resume": only the chunks the edge does not hold go out again.</summary>
    private static NodeStep SendMissing(ShardNodeState s, ShardNodeConfig cfg, NodeOutput[] before) =>
        new(s, [.. before, .. Enumerable.Range(0, (int)cfg.Upload.ChunkCount).Where(i => !s.AckedChunks.Contains(i)).Select(i => (NodeOutput)new NodeOutput.SendChunk(s.Token!, i))]);

    // §4.2 tamper detection: the edge refuses a chunk by index; the node sends it again, a few times at most.
    private static NodeStep OnNack(ShardNodeState s, JsonElement j, ShardNodeConfig cfg)
    {
        if (Index(j) is not long i || i < 0 || i >= cfg.Upload.ChunkCount) return Abort(s, $"chunk_nack {Member(j, "code")}: {Member(j, "detail")}");
        var tries = (s.Retries ?? ImmutableDictionary<long, int>.Empty).GetValueOrDefault(i) + 1;
        if (tries > ShardNodeConfig.MaxRetries) return Abort(s, $"chunk {i} refused {tries} times: {Member(j, "detail")}");
        return new(s with { Retries = (s.Retries ?? ImmutableDictionary<long, int>.Empty).SetItem(i, tries) }, [new NodeOutput.SendChunk(s.Token!, i)]);
    }

    private static NodeStep Abort(ShardNodeState s, string why, bool graceful = false) =>
        new(s with { Phase = NodePhase.Closed, Failure = why },
            [Ledger(new JsonObject { ["event"] = "aborted", ["session_token"] = s.Token, ["reason"] = why }), new NodeOutput.Close(graceful ? 1000 : 1008, Clip(why))]);

    private static string Clip(string s) => s.Length <= 120 ? s : s[..120];

    private static string? Member(JsonElement j, string name) => j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Index(JsonElement j) => j.TryGetProperty("index", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : null;

    private static NodeOutput.Send Send(JsonObject o) => new(ShardMessages.Write(o));

    private static NodeOutput.Ledger Ledger(JsonObject o)
    {
        using var doc = JsonDocument.Parse(o.ToJsonString());
        return new NodeOutput.Ledger(doc.RootElement.Clone());
    }
}
