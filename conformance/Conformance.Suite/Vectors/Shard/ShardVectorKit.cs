// What the Shard vector topics share: the published test keys and the edge configuration they are checked against,
// header building and re-signing helpers, the JSON form of the edge model's outputs and of the model's in-memory
// registry (MemoryRegistry, behind the same port as the reference's SQLite store), and one connection's edge driven
// by ShardEdge.Run (no I/O in the generator).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;

namespace Conformance.Suite.Vectors.Shard;

/// <summary>A fixed test key: its label, seed (private half), public key and key_id.</summary>
public sealed class VectorKey
{
    public VectorKey(string label)
    {
        Label = label;
        Seed = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(label));
        Signer = TestKeys.FromLabel(label);
        KeyId = ShardSigning.KeyId(Signer.PublicKey);
    }

    public string Label { get; }
    public byte[] Seed { get; }
    public Ed25519Signer Signer { get; }
    public string KeyId { get; }

    public JsonObject Json(string role) => new()
    {
        ["role"] = role,
        ["label"] = Label,
        ["seed"] = VectorJson.Hex(Seed),
        ["publicKey"] = VectorJson.Hex(Signer.PublicKey),
        ["keyId"] = KeyId,
    };
}

public static class ShardVectorKit
{
    public static readonly VectorKey Node = new(TestKeys.SuiteShardNodeLabel);
    public static readonly VectorKey Authority = new(TestKeys.SuiteShardAuthorityLabel);
    public static readonly VectorKey Stranger = new("conformance-suite/shard/untrusted");

    /// <summary>The edge every Shard vector is checked against: it trusts the node and the authority keys.</summary>
    public static readonly ShardEdgeConfig Config = new(ShardEdgeConfig.ReferenceVersions,
        new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [Node.KeyId] = Node.Signer.PublicKey,
            [Authority.KeyId] = Authority.Signer.PublicKey,
        },
        Authority.KeyId, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));

    /// <summary>The fixed instant the vectors' edge clock starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Group-shared inputs: keys (seeds included, so an implementation can sign) and the edge's configuration.</summary>
    public static JsonObject SharedInputs() => new()
    {
        ["keys"] = new JsonArray(Node.Json("ccml-node (trust anchor)"), Authority.Json("shard authority (trust anchor, signs overrides)"),
            Stranger.Json("stranger (not trusted)")),
        ["edge"] = new JsonObject
        {
            ["protocolVersions"] = new JsonArray([.. Config.Versions.Select(v => (JsonNode)JsonValue.Create(v))]),
            ["trustAnchors"] = new JsonArray(Node.KeyId, Authority.KeyId),
            ["authorityKeyId"] = Authority.KeyId,
            ["authWindowSeconds"] = (long)Config.AuthWindow.TotalSeconds,
            ["sessionLifetimeSeconds"] = (long)Config.SessionLifetime.TotalSeconds,
        },
    };

    public static string Time(DateTimeOffset t) => ShardMessages.Timestamp(t);

    // ------------------------------------------------------------------ payloads

    /// <summary>A payload cut into chunks, with its tree (leaf = SHA-256(0x00 ‖ chunk)).</summary>
    public sealed class Payload
    {
        public Payload(byte[] bytes, int chunkSize)
        {
            Bytes = bytes;
            ChunkSize = chunkSize;
            Leaves = [.. Enumerable.Range(0, ChunkCount).Select(i => MerkleTree.LeafHash(Chunk(i)))];
            Tree = new MerkleLevels(Leaves);
        }

        public byte[] Bytes { get; }
        public int ChunkSize { get; }
        public int ChunkCount => (Bytes.Length + ChunkSize - 1) / ChunkSize;
        public IReadOnlyList<byte[]> Leaves { get; }
        public MerkleLevels Tree { get; }
        public byte[] Root => Tree.Root;
        public string HashVersion => VersionIds.ForRoot(Root);

        public byte[] Chunk(int i) => Bytes.AsSpan(i * ChunkSize, Math.Min(ChunkSize, Bytes.Length - i * ChunkSize)).ToArray();

        public ShardUpload Upload(string shardId, string versionId, string? parent, IReadOnlyList<ProvenanceLink>? earlier = null, JsonObject? grant = null) =>
            new(shardId, versionId, parent, ChunkSize, Bytes.Length, Leaves, EarlierLinks: earlier, Override: grant);
    }

    // ------------------------------------------------------------------ signing helpers

    /// <summary>The hello the node opens with (the model's own), its ephemeral key drawn from <paramref name="nodeEnv"/>.</summary>
    public static JsonObject Hello(ShardUpload upload, IModelEnvironment nodeEnv, IReadOnlyList<string>? versions = null)
    {
        var cfg = new ShardNodeConfig(Node.Signer, versions ?? ShardNodeConfig.ReferenceVersions, upload);
        var start = ShardNode.Start(cfg, nodeEnv);
        return JsonNode.Parse(((NodeOutput.Send)start.Outputs[0]).Text)!.AsObject();
    }

    /// <summary>The model's signed header (ShardNode.Header).</summary>
    public static JsonObject Header(ShardUpload upload, string token, DateTimeOffset now, VectorKey? key = null) =>
        ShardNode.Header((key ?? Node).Signer, upload, token, now);

    /// <summary>Replaces the signature bundle with fresh signatures by <paramref name="signers"/> over the header as it is now.</summary>
    public static JsonObject Resign(JsonObject header, params VectorKey[] signers)
    {
        header.Remove("signatures");
        var input = ShardSigning.Input(header);
        header["signatures"] = new JsonArray([.. signers.Select(k => (JsonNode)new JsonObject { ["key_id"] = k.KeyId, ["signature"] = ShardSigning.Sign(k.Signer, input) })]);
        return header;
    }

    /// <summary>Re-signs the auth token (after a change to it) with <paramref name="key"/>, naming it as the signer.</summary>
    public static void ResignAuth(JsonObject header, VectorKey key, string? keyIdClaimed = null)
    {
        var auth = header["auth_token"]!.AsObject();
        auth["key_id"] = keyIdClaimed ?? key.KeyId;
        auth.Remove("signature");
        auth["signature"] = ShardSigning.Sign(key.Signer, ShardSigning.Input(auth));
    }

    public static JsonObject Link(VectorKey key, string shardId, string versionId, string? parent, string? keyIdClaimed = null) => new()
    {
        ["version_id"] = versionId,
        ["parent_version_id"] = parent,
        ["key_id"] = keyIdClaimed ?? key.KeyId,
        ["signature"] = ShardSigning.Sign(key.Signer, ShardSigning.LinkInput(shardId, versionId, parent)),
    };

    public static ProvenanceLink LinkRecord(VectorKey key, string shardId, string versionId, string? parent) =>
        new(versionId, parent, key.KeyId, ShardSigning.Sign(key.Signer, ShardSigning.LinkInput(shardId, versionId, parent)));

    /// <summary>An override grant {reason, key_id, signature} by <paramref name="key"/>.</summary>
    public static JsonObject Override(VectorKey key, string shardId, string versionId, string? parent, string reason, string? signedReason = null) => new()
    {
        ["reason"] = reason,
        ["key_id"] = key.KeyId,
        ["signature"] = ShardSigning.Sign(key.Signer, ShardEdge.OverrideInput(shardId, versionId, parent, signedReason ?? reason)),
    };

    public static JsonObject RollbackRequest(VectorKey key, string shardId, string versionId, string reason, string? keyIdClaimed = null)
    {
        var r = new JsonObject { ["type"] = "rollback_request", ["shard_id"] = shardId, ["version_id"] = versionId, ["reason"] = reason, ["key_id"] = keyIdClaimed ?? key.KeyId };
        r["signature"] = ShardSigning.Sign(key.Signer, ShardSigning.Input(r));
        return r;
    }

    // ------------------------------------------------------------------ outputs as JSON

    public static JsonNode Parsed(string text) => JsonNode.Parse(text)!;

    /// <summary>A wire output of the edge (message sent or close), or null for an effect.</summary>
    public static JsonObject? Wire(EdgeOutput o) => o switch
    {
        EdgeOutput.Send s => new JsonObject { ["message"] = Parsed(s.Text) },
        EdgeOutput.Close c => new JsonObject { ["close"] = new JsonObject { ["code"] = c.Code, ["reason"] = c.Reason } },
        _ => null,
    };

    /// <summary>A registry effect of the edge model (what the host must do to the registry), or null for wire outputs and telemetry.</summary>
    public static JsonObject? Effect(EdgeOutput o) => o switch
    {
        EdgeOutput.LookupShard l => new JsonObject { ["effect"] = "lookup_shard", ["shard_id"] = l.ShardId },
        EdgeOutput.LookupSession l => new JsonObject { ["effect"] = "lookup_session", ["session_token"] = l.Token },
        EdgeOutput.OpenSession s => new JsonObject { ["effect"] = "open_session", ["session_token"] = s.Token, ["shard_id"] = s.ShardId, ["at"] = Time(s.At) },
        EdgeOutput.StoreChunk c => new JsonObject
        {
            ["effect"] = "store_chunk", ["session_token"] = c.Token, ["index"] = c.Index, ["offset"] = c.Offset, ["length"] = c.Data.Length,
            ["leaf_hash"] = VectorJson.Hex(c.LeafHash),
        },
        EdgeOutput.Commit c => new JsonObject
        {
            ["effect"] = "commit", ["session_token"] = c.Token, ["shard_id"] = c.ShardId, ["version_id"] = c.VersionId, ["expected_parent"] = c.ExpectedParent,
            ["shard_hash"] = c.ShardHash, ["size"] = c.Size,
        },
        EdgeOutput.Rollback r => new JsonObject { ["effect"] = "rollback", ["shard_id"] = r.ShardId, ["version_id"] = r.VersionId, ["reason"] = r.Reason },
        EdgeOutput.RecordOverride r => new JsonObject { ["effect"] = "record_override", ["shard_id"] = r.ShardId, ["version_id"] = r.VersionId, ["detail"] = Parsed(r.Detail) },
        _ => null,
    };
}

/// <summary>The model's in-memory registry (<see cref="MemoryRegistry"/>) as the vectors write and replay it: registry_state JSON.</summary>
public static class MemoryRegistryJson
{
    /// <summary>The model's registry_state of <paramref name="shardId"/>, as an object.</summary>
    public static JsonObject State(this MemoryRegistry registry, string shardId) => JsonNode.Parse(ShardEdge.RegistryState(registry.Shard(shardId)))!.AsObject();

    /// <summary>
    /// Restores a shard's entries, canonical head and audit log from a registry_state (as <see cref="State"/> writes it),
    /// in order, so later registry ids number on from them: a vector's `registry` replayed by the reference shim.
    /// </summary>
    public static void Restore(this MemoryRegistry registry, JsonObject state) => registry.Restore(new ShardFacts(state["shard_id"]!.GetValue<string>(),
        state["canonical"]?.GetValue<string>(),
        [.. state["versions"]!.AsArray().Select(v => new RegistryVersion(v!["version_id"]!.GetValue<string>(),
            v["status"]!.GetValue<string>(), v["previous"]?.GetValue<string>(), v["registry_id"]!.GetValue<string>(), v["shard_hash"]!.GetValue<string>()))],
        [.. state["audit"]!.AsArray().Select(a => new AuditFact(a!["action"]!.GetValue<string>(), a["version_id"]!.GetValue<string>(), a["detail"]!.ToJsonString()))]));

    /// <summary>A registry effect's answer as the vectors record it (commit and rollback answer; other effects do not).</summary>
    public static JsonObject? Answer(EdgeInput? answer) => answer switch
    {
        EdgeInput.Committed c => new JsonObject { ["registry_id"] = c.RegistryId },
        EdgeInput.CommitRefused r => new JsonObject { ["refused"] = r.Reason },
        EdgeInput.RolledBack r => new JsonObject { ["reinstated"] = r.Reinstated },
        EdgeInput.RollbackRefused r => new JsonObject { ["refused"] = r.Reason },
        _ => null,
    };
}

/// <summary>One connection's edge over a <see cref="MemoryRegistry"/> (the vectors' edge configuration and the model
/// itself unless given others, e.g. a faulty edge's step): each input run to quiescence by ShardEdge.Run, its outputs as JSON.</summary>
public sealed class EdgeDriver(MemoryRegistry registry, IModelEnvironment env, ShardEdgeConfig? config = null, EdgeModel? model = null)
{
    private readonly ShardEdgeConfig _config = config ?? ShardVectorKit.Config;

    public ShardEdgeState State { get; private set; } = ShardEdgeState.Initial;
    public List<ShardError> Rejections { get; } = [];

    public sealed record Result(JsonArray Wire, JsonArray Effects, IReadOnlyList<EdgeOutput> Outputs);

    public Result Feed(EdgeInput input)
    {
        var run = ShardEdge.Run(State, input, _config, env, registry, model);
        State = run.State;
        Rejections.AddRange(run.Rejections);
        var wire = new JsonArray();
        var effects = new JsonArray();
        foreach (var t in run.Trail)
        {
            if (ShardVectorKit.Wire(t.Output) is { } w) wire.Add(w);
            if (ShardVectorKit.Effect(t.Output) is not { } e) continue;
            if (MemoryRegistryJson.Answer(t.Answer) is { } a) e["answer"] = a;
            effects.Add(e);
        }
        return new(wire, effects, [.. run.Trail.Select(t => t.Output)]);
    }

    public Result Text(JsonObject message) => Feed(new EdgeInput.Text(ShardMessages.Write(message)));
    public Result Text(string text) => Feed(new EdgeInput.Text(text));
    public Result Binary(byte[] frame) => Feed(new EdgeInput.Binary(frame));

    /// <summary>The session token of the hello_ack among <paramref name="r"/>'s messages.</summary>
    public static string Token(Result r) =>
        r.Wire.Select(w => w!["message"]).OfType<JsonObject>().First(m => (string?)m["type"] == "hello_ack")["session_token"]!.GetValue<string>();
}
