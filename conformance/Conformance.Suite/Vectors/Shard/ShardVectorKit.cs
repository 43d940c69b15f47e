// What the Shard vector topics share: the published test keys and the edge configuration they are checked against,
// header building and re-signing helpers, the JSON form of the edge model's outputs, and an in-memory Lattice Registry
// that answers the edge model's effects exactly as the reference's SQLite store does (no I/O in the generator).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;

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

/// <summary>
/// The Lattice Registry in memory: each shard's entries, canonical head and audit log by the model's rules
/// (<see cref="RegistryShard"/>, the reference store's semantics), registry ids numbered across the registry as the
/// store numbers them, and sessions with their received leaf hashes.
/// </summary>
public sealed class MemoryRegistry
{
    private sealed class Session(string token, string shardId, string header, DateTimeOffset at)
    {
        public string Token { get; } = token;
        public string ShardId { get; } = shardId;
        public string Header { get; } = header;
        public DateTimeOffset At { get; } = at;
        public bool Committed { get; set; }
        public SortedDictionary<long, byte[]> Received { get; } = [];
    }

    private readonly Dictionary<string, RegistryShard> _shards = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    private RegistryShard Shard(string shardId) => _shards.GetValueOrDefault(shardId) ?? RegistryShard.Empty(shardId);

    public ShardFacts Facts(string shardId) => Shard(shardId).Facts;

    public SessionFacts? SessionFacts(string token) => _sessions.TryGetValue(token, out var s)
        ? new SessionFacts(s.Token, s.Header, s.At, s.Committed, new Dictionary<long, byte[]>(s.Received))
        : null;

    public void OpenSession(string token, string shardId, string header, DateTimeOffset at)
    {
        if (_sessions.TryGetValue(token, out var s))
        {
            if (s.ShardId != shardId || s.Header != header) throw new InvalidOperationException($"session {token} already exists with another shard or header");
            return;
        }
        _sessions[token] = new Session(token, shardId, header, at);
    }

    public void StoreChunk(string token, long index, byte[] leaf)
    {
        var s = _sessions[token];
        if (s.Committed) throw new InvalidOperationException($"session {token} is already committed");
        s.Received[index] = leaf;
    }

    /// <summary>The registry id, or the refusal (nothing written).</summary>
    public (string? RegistryId, string? Refusal) Commit(EdgeOutput.Commit c)
    {
        if (!_sessions.TryGetValue(c.Token, out var s)) return (null, $"unknown session {c.Token}");
        if (s.Committed) return (null, $"session {c.Token} is already committed");
        if (s.ShardId != c.ShardId) return (null, $"session {c.Token} uploads shard {s.ShardId}, not {c.ShardId}");
        // Entries are never deleted: the next sequence number is one more than the entries in the registry.
        var seq = _shards.Values.Sum(x => x.Versions.Count) + 1;
        var registryId = $"ONEIRIC-{c.ShardHash[..12]}-{seq}";
        var (next, refusal) = Shard(c.ShardId).Commit(c.VersionId, c.ExpectedParent, registryId, c.ShardHash, c.Size);
        if (refusal is not null) return (null, refusal);
        _shards[c.ShardId] = next;
        s.Committed = true;
        return (registryId, null);
    }

    /// <summary>Whether the rollback happened, the version reinstated as canonical (if any), or the refusal.</summary>
    public (bool Done, string? Reinstated, string? Refusal) Rollback(string shardId, string versionId, string reason)
    {
        var (next, reinstated, refusal) = Shard(shardId).Rollback(versionId, reason);
        if (refusal is not null) return (false, null, refusal);
        _shards[shardId] = next;
        return (true, reinstated, null);
    }

    public void RecordOverride(string shardId, string versionId, string detail) => _shards[shardId] = Shard(shardId).Override(versionId, detail);

    /// <summary>Carries out one effect; returns the model's next input, or null.</summary>
    public EdgeInput? Perform(EdgeOutput o, JsonObject? effectJson)
    {
        switch (o)
        {
            case EdgeOutput.LookupShard l: return new EdgeInput.ShardLooked(Facts(l.ShardId));
            case EdgeOutput.LookupSession l: return new EdgeInput.SessionLooked(SessionFacts(l.Token));
            case EdgeOutput.OpenSession s: OpenSession(s.Token, s.ShardId, s.HeaderJson, s.At); return null;
            case EdgeOutput.StoreChunk c: StoreChunk(c.Token, c.Index, c.LeafHash); return null;
            case EdgeOutput.RecordOverride r: RecordOverride(r.ShardId, r.VersionId, r.Detail); return null;
            case EdgeOutput.Commit c:
                var (id, refusal) = Commit(c);
                if (effectJson is not null) effectJson["answer"] = id is not null ? new JsonObject { ["registry_id"] = id } : new JsonObject { ["refused"] = refusal };
                return id is not null ? new EdgeInput.Committed(id) : new EdgeInput.CommitRefused(refusal!);
            case EdgeOutput.Rollback r:
                var (done, reinstated, why) = Rollback(r.ShardId, r.VersionId, r.Reason);
                if (effectJson is not null) effectJson["answer"] = done ? new JsonObject { ["reinstated"] = reinstated } : new JsonObject { ["refused"] = why };
                return done ? new EdgeInput.RolledBack(reinstated) : new EdgeInput.RollbackRefused(why!);
            default: return null;
        }
    }

    /// <summary>The model's registry_state of <paramref name="shardId"/>, as an object.</summary>
    public JsonObject State(string shardId) => JsonNode.Parse(ShardEdge.RegistryState(Facts(shardId)))!.AsObject();

    /// <summary>
    /// Restores a shard's entries, canonical head and audit log from a registry_state (as <see cref="State"/> writes it),
    /// in order, so later registry ids number on from them: a vector's `registry` replayed by the reference shim.
    /// </summary>
    public void Restore(JsonObject state)
    {
        var shardId = state["shard_id"]!.GetValue<string>();
        var shard = Shard(shardId);
        _shards[shardId] = shard with
        {
            Canonical = state["canonical"]?.GetValue<string>() ?? shard.Canonical,
            Versions = shard.Versions.AddRange(state["versions"]!.AsArray().Select(v => new RegistryVersion(v!["version_id"]!.GetValue<string>(),
                v["status"]!.GetValue<string>(), v["previous"]?.GetValue<string>(), v["registry_id"]!.GetValue<string>(), v["shard_hash"]!.GetValue<string>()))),
            Audit = shard.Audit.AddRange(state["audit"]!.AsArray().Select(a => new AuditFact(a!["action"]!.GetValue<string>(),
                a["version_id"]!.GetValue<string>(), a["detail"]!.ToJsonString()))),
        };
    }

    /// <summary>Seeds the registry with a committed version (as an earlier upload would have left it).</summary>
    public string Seed(string shardId, string versionId, string shardHash, long size = 0)
    {
        var token = $"SEED-{shardId}-{versionId}";
        OpenSession(token, shardId, "{}", DateTimeOffset.UnixEpoch);
        var (id, refusal) = Commit(new EdgeOutput.Commit(token, shardId, versionId, Shard(shardId).Canonical, shardHash, "{}", size));
        return id ?? throw new InvalidOperationException(refusal);
    }
}

/// <summary>One connection's edge model (the vectors' edge configuration and the model itself unless given others, e.g. a faulty edge's step), over a <see cref="MemoryRegistry"/>: runs each input to quiescence like the reference host.</summary>
public sealed class EdgeDriver(MemoryRegistry registry, IModelEnvironment env, ShardEdgeConfig? config = null, EdgeModel? model = null)
{
    private readonly ShardEdgeConfig _config = config ?? ShardVectorKit.Config;
    private readonly EdgeModel _model = model ?? ShardEdge.Step;

    public ShardEdgeState State { get; private set; } = ShardEdgeState.Initial;
    public List<ShardError> Rejections { get; } = [];

    public sealed record Result(JsonArray Wire, JsonArray Effects, IReadOnlyList<EdgeOutput> Outputs);

    public Result Feed(EdgeInput input)
    {
        var wire = new JsonArray();
        var effects = new JsonArray();
        var all = new List<EdgeOutput>();
        var pending = new Queue<EdgeInput>([input]);
        while (pending.TryDequeue(out var next))
        {
            var step = _model(State, next, _config, env);
            State = step.State;
            if (step.Rejected is { } e) Rejections.Add(e);
            foreach (var o in step.Outputs)
            {
                all.Add(o);
                if (ShardVectorKit.Wire(o) is { } w) wire.Add(w);
                var ej = ShardVectorKit.Effect(o);
                if (registry.Perform(o, ej) is { } answer) pending.Enqueue(answer);
                if (ej is not null) effects.Add(ej);
            }
        }
        return new(wire, effects, all);
    }

    public Result Text(JsonObject message) => Feed(new EdgeInput.Text(ShardMessages.Write(message)));
    public Result Text(string text) => Feed(new EdgeInput.Text(text));
    public Result Binary(byte[] frame) => Feed(new EdgeInput.Binary(frame));

    /// <summary>The session token of the hello_ack among <paramref name="r"/>'s messages.</summary>
    public static string Token(Result r) =>
        r.Wire.Select(w => w!["message"]).OfType<JsonObject>().First(m => (string?)m["type"] == "hello_ack")["session_token"]!.GetValue<string>();
}
