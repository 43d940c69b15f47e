// The Confluence Edge, one connection at a time (§2). The model does no I/O: where it needs the registry it emits an
// effect (look up, open a session, store a chunk, commit, roll back) and the host answers with the result as input.
//   AwaitOpening --hello--> AwaitHeader --header--> [lookup] --verified--> Receiving --all chunks--> [commit] --> Done
//   AwaitOpening --resume--> [session lookup] --> Receiving;  --rollback_request--> [rollback] --> AwaitOpening
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Merkle;

namespace Conformance.Model.Shard;

public sealed record ShardEdgeConfig(IReadOnlyList<string> Versions, IReadOnlyDictionary<string, byte[]> Anchors, string? AuthorityKeyId,
    TimeSpan AuthWindow, TimeSpan SessionLifetime)
{
    public static readonly IReadOnlyList<string> ReferenceVersions = ["2.0", "2.1"];
}

public sealed record RegistryVersion(string VersionId, string Status, string? Previous, string RegistryId, string ShardHash);
public sealed record AuditFact(string Action, string VersionId, string Detail);
public sealed record ShardFacts(string ShardId, string? Canonical, IReadOnlyList<RegistryVersion> Versions, IReadOnlyList<AuditFact>? Audit = null);
public sealed record SessionFacts(string Token, string HeaderJson, DateTimeOffset CreatedAt, bool Committed, IReadOnlyDictionary<long, byte[]> Received);

public abstract record EdgeInput
{
    public sealed record Text(string Value) : EdgeInput;
    public sealed record Binary(ReadOnlyMemory<byte> Value) : EdgeInput;
    public sealed record Closed : EdgeInput;
    /// <summary>A message over the host's size limit, discarded unread.</summary>
    public sealed record Oversize(bool IsBinary, long Size) : EdgeInput;
    public sealed record ShardLooked(ShardFacts Facts) : EdgeInput;
    public sealed record SessionLooked(SessionFacts? Facts) : EdgeInput;
    public sealed record Committed(string RegistryId) : EdgeInput;
    public sealed record CommitRefused(string Reason) : EdgeInput;
    public sealed record RolledBack(string? Reinstated) : EdgeInput;
    public sealed record RollbackRefused(string Reason) : EdgeInput;
}

public abstract record EdgeOutput
{
    public sealed record Send(string Text) : EdgeOutput;
    public sealed record Close(int Code, string Reason) : EdgeOutput;
    public sealed record LookupShard(string ShardId) : EdgeOutput;
    public sealed record LookupSession(string Token) : EdgeOutput;
    public sealed record OpenSession(string Token, string ShardId, string HeaderJson, DateTimeOffset At) : EdgeOutput;
    public sealed record StoreChunk(string Token, long Index, long Offset, ReadOnlyMemory<byte> Data, byte[] LeafHash) : EdgeOutput;
    public sealed record Commit(string Token, string ShardId, string VersionId, string? ExpectedParent, string ShardHash, string Provenance, long Size) : EdgeOutput;
    public sealed record Rollback(string ShardId, string VersionId, string Reason) : EdgeOutput;
    public sealed record RecordOverride(string ShardId, string VersionId, string Detail) : EdgeOutput;
    public sealed record Observe(string Name, JsonElement Data) : EdgeOutput;
}

public enum EdgePhase { AwaitOpening, AwaitHeader, AwaitShardFacts, Receiving, Committing, Done, AwaitSessionFacts, AwaitResumeFacts, AwaitQueryFacts, AwaitRollback, Closed }

public sealed record ShardEdgeState(EdgePhase Phase, string? Version = null, string? Token = null, HelloMessage? Hello = null, ShardHeader? Header = null,
    ImmutableDictionary<long, byte[]>? Received = null, EdgePhase ReturnTo = EdgePhase.AwaitOpening, RollbackRequest? PendingRollback = null,
    string? Canonical = null)
{
    public static readonly ShardEdgeState Initial = new(EdgePhase.AwaitOpening);
    public ImmutableDictionary<long, byte[]> Chunks => Received ?? ImmutableDictionary<long, byte[]>.Empty;
}

public sealed record EdgeStep(ShardEdgeState State, ImmutableArray<EdgeOutput> Outputs, ShardError? Rejected = null);

public static partial class ShardEdge
{
    public const int RejectClose = 1008;

    public static EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig cfg, IModelEnvironment env) => (s.Phase, input) switch
    {
        (EdgePhase.Closed, _) => new(s, []),
        (_, EdgeInput.Closed) => Dropped(s),
        (_, EdgeInput.Oversize o) => Unreadable(s, new(ShardErrorCode.InvalidMessage, $"{(o.IsBinary ? "binary" : "text")} message of at least {o.Size} bytes is over the edge's limit", ShardRules.Messages)),
        (EdgePhase.AwaitShardFacts, EdgeInput.ShardLooked l) => Verify(s, l.Facts, cfg, env),
        (EdgePhase.AwaitQueryFacts, EdgeInput.ShardLooked l) => new(s with { Phase = s.ReturnTo }, [Send(RegistryState(l.Facts))]),
        (EdgePhase.AwaitSessionFacts, EdgeInput.SessionLooked l) => Resume(s, l.Facts, cfg, env),
        (EdgePhase.AwaitResumeFacts, EdgeInput.ShardLooked l) => Resumed(s, l.Facts),
        (EdgePhase.Committing, EdgeInput.Committed c) => Committed(s, c.RegistryId),
        (EdgePhase.Committing, EdgeInput.CommitRefused c) => Reject(s, new(ShardErrorCode.RebaseRequired, "the registry refused the commit: " + c.Reason, ShardRules.Rebase)),
        (EdgePhase.AwaitRollback, EdgeInput.RolledBack r) => new(s with { Phase = s.ReturnTo, PendingRollback = null },
            [Observe(ShardObservations.Rollback, new JsonObject { ["shard_id"] = s.PendingRollback!.ShardId, ["version_id"] = s.PendingRollback.VersionId, ["reinstated"] = r.Reinstated }),
             Send(new JsonObject { ["type"] = "rollback_intent", ["shard_id"] = s.PendingRollback!.ShardId, ["version_id"] = s.PendingRollback.VersionId,
                ["reason"] = s.PendingRollback.Reason, ["reinstated"] = r.Reinstated })]),
        (EdgePhase.AwaitRollback, EdgeInput.RollbackRefused r) => new(s with { Phase = s.ReturnTo, PendingRollback = null },
            [Send(ShardMessages.Error(new(ShardErrorCode.RollbackInvalid, r.Reason, ShardRules.RollbackAuth)))], new(ShardErrorCode.RollbackInvalid, r.Reason, ShardRules.RollbackAuth)),
        (EdgePhase.Receiving, EdgeInput.Binary b) => OnChunk(s, b.Value),
        (EdgePhase.Done, EdgeInput.Binary) => Refuse(s, new(ShardErrorCode.UnexpectedMessage, "chunk after the commit", ShardRules.ChunkBounds)),
        (_, EdgeInput.Binary) => Reject(s, new(ShardErrorCode.UnexpectedMessage, "chunk before the header was accepted", ShardRules.Order)),
        (_, EdgeInput.Text t) => OnText(s, t.Value, cfg, env),
        _ => Reject(s, new(ShardErrorCode.UnexpectedMessage, $"{input.GetType().Name} in {s.Phase}", ShardRules.Order)),
    };

    private static EdgeStep OnText(ShardEdgeState s, string text, ShardEdgeConfig cfg, IModelEnvironment env)
    {
        var (type, j, err) = ShardMessages.Parse(text);
        if (err is not null) return Unreadable(s, err);
        if (type == "error") return new(s with { Phase = EdgePhase.Closed }, [new EdgeOutput.Close(1000, "peer error")]);
        return (s.Phase, type) switch
        {
            (EdgePhase.AwaitOpening, "hello") => OnHello(s, j, cfg, env),
            (EdgePhase.AwaitOpening, "resume") => ShardMessages.ReadString(j, "resume", "session_token") is (string token, null)
                ? new(s with { Phase = EdgePhase.AwaitSessionFacts }, [new EdgeOutput.LookupSession(token)])
                : Reject(s, ShardMessages.ReadString(j, "resume", "session_token").Error!),
            (EdgePhase.AwaitOpening or EdgePhase.Done, "registry_query") => ShardMessages.ReadString(j, "registry_query", "shard_id") is (string id, null)
                ? new(s with { Phase = EdgePhase.AwaitQueryFacts, ReturnTo = s.Phase }, [new EdgeOutput.LookupShard(id)])
                : Refuse(s, ShardMessages.ReadString(j, "registry_query", "shard_id").Error!),
            (EdgePhase.AwaitOpening or EdgePhase.Done, "rollback_request") => OnRollback(s, j, cfg),
            (EdgePhase.AwaitHeader, "shard_header") => OnHeader(s, j),
            _ => Reject(s, new(ShardErrorCode.UnexpectedMessage, $"\"{type}\" in phase {s.Phase}", ShardRules.Order)),
        };
    }

    // §2.1 "The Edge picks the highest mutually supported protocol version […] If versions are incompatible, the
    // handshake terminates gracefully."
    private static EdgeStep OnHello(ShardEdgeState s, JsonElement j, ShardEdgeConfig cfg, IModelEnvironment env)
    {
        var (hello, err) = ShardMessages.ReadHello(j);
        if (hello is null) return Reject(s, err!);
        var chosen = hello.Versions.Where(v => cfg.Versions.Contains(v)).OrderByDescending(VersionKey).FirstOrDefault();
        if (chosen is null)
            return Reject(s, new(ShardErrorCode.VersionUnsupported, $"none of [{string.Join(", ", hello.Versions)}] is supported (edge: {string.Join(", ", cfg.Versions)})", ShardRules.Negotiation), graceful: true);
        var token = "EDGE-SESSION-" + Base64Url.Encode(env.NextBytes(16));
        return new(s with { Phase = EdgePhase.AwaitHeader, Version = chosen, Token = token, Hello = hello },
            [Send(new JsonObject { ["type"] = "hello_ack", ["chosen_protocol"] = chosen, ["session_token"] = token })]);
    }

    /// <summary>Orders "major.minor" versions numerically; anything else sorts first.</summary>
    public static (int, int) VersionKey(string v)
    {
        var parts = v.Split('.');
        return parts.Length == 2 && int.TryParse(parts[0], out var a) && int.TryParse(parts[1], out var b) ? (a, b) : (-1, -1);
    }

    private static EdgeStep OnHeader(ShardEdgeState s, JsonElement j)
    {
        var (header, err) = ShardMessages.ReadHeader(j);
        if (header is null) return Reject(s, err!);
        if (header.Size != s.Hello!.Manifest.Size)
            return Reject(s, new(ShardErrorCode.InvalidMessage, $"size {header.Size} differs from the manifest's {s.Hello.Manifest.Size}", ShardRules.Messages));
        return new(s with { Phase = EdgePhase.AwaitShardFacts, Header = header }, [new EdgeOutput.LookupShard(header.ShardId)]);
    }

    // §2.2 "Validates the authenticity and integrity of the shard's header. Checks that: The signature bundle matches known
    // public keys or trust anchors. The declared version does not conflict with an existing entry […] If any verification
    // fails, the Edge halts further processing and issues an error response."
    private static EdgeStep Verify(ShardEdgeState s, ShardFacts facts, ShardEdgeConfig cfg, IModelEnvironment env)
    {
        var h = s.Header!;
        var outputs = new List<EdgeOutput>();
        // §4.1 "The Edge uses ephemeral session tokens and timestamps to prevent an old shard upload from being replayed."
        if (h.SessionToken != s.Token)
            return Reject(s, new(ShardErrorCode.Replay, "the header's session_token is not the one this session was given", ShardRules.TokenSingleUse));
        if (h.Auth.SessionToken != s.Token || h.Auth.ShardId != h.ShardId)
            return Reject(s, new(ShardErrorCode.AuthInvalid, "auth_token is not bound to this session and shard", ShardRules.Auth));
        if (!ShardSigning.Verify(cfg.Anchors, h.Auth.KeyId, h.Auth.Signature, ShardSigning.Input(h.Auth.Json, "signature")))
            return Reject(s, new(ShardErrorCode.AuthInvalid, "auth_token is not signed by a trusted key", ShardRules.Auth));
        if ((h.Auth.IssuedAt - env.Now).Duration() > cfg.AuthWindow)
            return Reject(s, new(ShardErrorCode.AuthStale, $"auth_token issued {h.Auth.IssuedAt:O}, outside {cfg.AuthWindow.TotalSeconds:0}s of now", ShardRules.AuthStale));
        if (h.Signatures.Count == 0)
            return Reject(s, new(ShardErrorCode.SignatureInvalid, "the signature bundle is empty", ShardRules.Signatures));
        var signed = ShardSigning.Input(h.Json, "signatures");
        var bad = h.Signatures.FirstOrDefault(sig => !ShardSigning.Verify(cfg.Anchors, sig.KeyId, sig.Signature, signed));
        if (bad is not null)
            return Reject(s, new(ShardErrorCode.SignatureInvalid, $"signature by {bad.KeyId[..Math.Min(12, bad.KeyId.Length)]}… is not a trust anchor's valid signature over the header", ShardRules.Signatures));
        // §3.2 "A list of cryptographic hashes or references linking back to all previous versions. Each link typically
        // includes: Parent Version ID, Signature from the entity who created or validated that link."
        if (ProvenanceProblem(h, cfg) is { } provenance) return Reject(s, provenance);
        if (facts.Versions.Any(v => v.VersionId == h.VersionId))
            return Reject(s, new(ShardErrorCode.VersionConflict, $"version {h.VersionId} already exists for {h.ShardId}", ShardRules.VersionConflict));
        // §2.4 "Future attempts to reference the invalidated version must pass through a strict override process."
        var parent = h.Parent is null ? null : facts.Versions.FirstOrDefault(v => v.VersionId == h.Parent);
        if (parent?.Status == RegistryStatus.Inactive)
        {
            if (h.Override is not { } o || o.KeyId != cfg.AuthorityKeyId
                || !ShardSigning.Verify(cfg.Anchors, o.KeyId, o.Signature, OverrideInput(h.ShardId, h.VersionId, h.Parent, o.Reason)))
                return Reject(s, new(ShardErrorCode.VersionInvalidated, $"parent {h.Parent} was invalidated: building on it needs the authority's signed override", ShardRules.Override));
            outputs.Add(new EdgeOutput.RecordOverride(h.ShardId, h.VersionId,
                ShardMessages.Write(new JsonObject { ["parent_version_id"] = h.Parent, ["reason"] = o.Reason, ["key_id"] = o.KeyId })));
        }
        // §4.4 "If the user attempts to upload a new shard version without referencing the correct prior version, the Lattice
        // can reject the commit, forcing the user to rebase or reconcile merges."
        else if (h.Parent != facts.Canonical)
            return Reject(s, new(ShardErrorCode.RebaseRequired, $"parent {h.Parent ?? "(none)"} is not the canonical version {facts.Canonical ?? "(none)"}", ShardRules.Rebase));
        outputs.Add(new EdgeOutput.OpenSession(s.Token!, h.ShardId, h.Json.GetRawText(), env.Now));
        outputs.Add(Send(new JsonObject { ["type"] = "header_ack", ["session_token"] = s.Token, ["chunk_count"] = h.ChunkCount }));
        // The canonical version verified here is what the registry must still hold at commit time.
        var next = s with { Phase = EdgePhase.Receiving, Received = ImmutableDictionary<long, byte[]>.Empty, Canonical = facts.Canonical };
        return h.ChunkCount == 0 ? Complete(next, [.. outputs]) : new(next, [.. outputs]);
    }

    public static byte[] OverrideInput(string shardId, string versionId, string? parent, string reason) =>
        ShardSigning.Input(new JsonObject { ["shard_id"] = shardId, ["version_id"] = versionId, ["parent_version_id"] = parent, ["reason"] = reason, ["override"] = true });

    private static ShardError? ProvenanceProblem(ShardHeader h, ShardEdgeConfig cfg)
    {
        if (h.Chain.Count == 0) return new(ShardErrorCode.ProvenanceInvalid, "provenance_chain is empty", ShardRules.Provenance);
        if (h.Chain[0].VersionId != h.VersionId || h.Chain[0].Parent != h.Parent)
            return new(ShardErrorCode.ProvenanceInvalid, "the first link does not join version_id to parent_version_id", ShardRules.Provenance);
        for (var i = 0; i < h.Chain.Count; i++)
        {
            var l = h.Chain[i];
            if (i + 1 < h.Chain.Count && l.Parent != h.Chain[i + 1].VersionId)
                return new(ShardErrorCode.ProvenanceInvalid, $"link {i} points at {l.Parent}, link {i + 1} is {h.Chain[i + 1].VersionId}", ShardRules.Provenance);
            if (!ShardSigning.Verify(cfg.Anchors, l.KeyId, l.Signature, ShardSigning.LinkInput(h.ShardId, l.VersionId, l.Parent)))
                return new(ShardErrorCode.ProvenanceInvalid, $"link {i} ({l.VersionId}) is not signed by a trust anchor", ShardRules.Provenance);
        }
        return null;
    }

    // §2.3 "The Edge reconstructs the full shard from the chunks, verifying each piece against the shard header's hash tree."
    private static EdgeStep OnChunk(ShardEdgeState s, ReadOnlyMemory<byte> frame)
    {
        var h = s.Header!;
        var (chunk, err) = ShardMessages.ReadChunk(frame);
        if (chunk is null) return Refuse(s, err!);
        if (chunk.SessionToken != s.Token) return Nack(s, chunk.Index, new(ShardErrorCode.Replay, "chunk for another session", ShardRules.TokenSingleUse));
        if (chunk.Index < 0 || chunk.Index >= h.ChunkCount)
            return Nack(s, chunk.Index, new(ShardErrorCode.ChunkIndexInvalid, $"index {chunk.Index} outside 0..{h.ChunkCount - 1}", ShardRules.ChunkBounds));
        if (chunk.Data.Length != h.ChunkLength(chunk.Index))
            return Nack(s, chunk.Index, new(ShardErrorCode.ChunkInvalid, $"chunk {chunk.Index} has {chunk.Data.Length} bytes, expected {h.ChunkLength(chunk.Index)}", ShardRules.ChunkBounds));
        var leaf = MerkleTree.LeafHash(chunk.Data.Span);
        if (!MerkleTree.VerifyInclusion(leaf, chunk.Index, h.ChunkCount, chunk.Proof, h.MerkleRoot))
            return Nack(s, chunk.Index, new(ShardErrorCode.ChunkInvalid, $"chunk {chunk.Index} does not prove into merkle_root", ShardRules.ChunkProof));
        if (s.Chunks.ContainsKey(chunk.Index)) return new(s, [Ack(chunk.Index)]);
        var next = s with { Received = s.Chunks.Add(chunk.Index, leaf) };
        EdgeOutput[] outputs = [new EdgeOutput.StoreChunk(s.Token!, chunk.Index, chunk.Index * h.ChunkSize, chunk.Data, leaf), Ack(chunk.Index)];
        return next.Chunks.Count == h.ChunkCount ? Complete(next, outputs) : new(next, [.. outputs]);
    }

    /// <summary>All chunks are in: the final hash must match (§2.3 "confirms the final cryptographic hash to ensure
    /// consistency with the declared version ID"); then the registry commit.</summary>
    private static EdgeStep Complete(ShardEdgeState s, EdgeOutput[] before)
    {
        var h = s.Header!;
        var leaves = Enumerable.Range(0, (int)h.ChunkCount).Select(i => s.Chunks[i]).ToArray();
        var root = MerkleTree.Root(leaves);
        if (!root.AsSpan().SequenceEqual(h.MerkleRoot))
            return Reject(s, new(ShardErrorCode.HashMismatch, "the chunks' tree head differs from merkle_root", ShardRules.FinalHash), extra: before);
        if (VersionIds.IsHashBased(h.VersionId) && h.VersionId != VersionIds.ForRoot(root))
            return Reject(s, new(ShardErrorCode.HashMismatch, $"final hash {VersionIds.ForRoot(root)} does not match version_id {h.VersionId}", ShardRules.FinalHash), extra: before);
        var provenance = new JsonObject
        {
            ["provenance_chain"] = JsonNode.Parse(h.Json.GetProperty("provenance_chain").GetRawText()),
            ["signatures"] = JsonNode.Parse(h.Json.GetProperty("signatures").GetRawText()),
            ["parent_version_id"] = h.Parent,
        };
        // The registry checks the canonical head again inside its transaction: a rebase race is refused there.
        return new(s with { Phase = EdgePhase.Committing },
            [.. before, new EdgeOutput.Commit(s.Token!, h.ShardId, h.VersionId, s.Canonical, Convert.ToHexStringLower(root), ShardMessages.Write(provenance), h.Size)]);
    }

    /// <summary>
    /// The connection went away. A session mid-transfer stays open for resume (§4.3) and nothing is committed; the
    /// observation tells a tester the edge has seen the drop, so it can read the registry without guessing a delay.
    /// </summary>
    private static EdgeStep Dropped(ShardEdgeState s) =>
        new(s with { Phase = EdgePhase.Closed }, s is { Phase: EdgePhase.Receiving, Token: { } token }
            ? [Observe(ShardObservations.SessionDetached, new JsonObject { ["session_token"] = token, ["received"] = s.Chunks.Count })]
            : []);

    private static EdgeStep Committed(ShardEdgeState s, string registryId) =>
        new(s with { Phase = EdgePhase.Done },
        [
            Send(new JsonObject { ["type"] = "commit_ack", ["registry_id"] = registryId, ["success"] = true, ["version_id"] = s.Header!.VersionId }),
            Observe(ShardObservations.Commit, new JsonObject { ["shard_id"] = s.Header.ShardId, ["version_id"] = s.Header.VersionId, ["registry_id"] = registryId }),
        ]);

    private static EdgeStep Resume(ShardEdgeState s, SessionFacts? f, ShardEdgeConfig cfg, IModelEnvironment env)
    {
        if (f is null) return Reject(s, new(ShardErrorCode.SessionUnknown, "no such session", ShardRules.Resume));
        if (f.Committed) return Reject(s, new(ShardErrorCode.Replay, "the session already committed: tokens are single-use", ShardRules.TokenSingleUse));
        if (env.Now - f.CreatedAt > cfg.SessionLifetime) return Reject(s, new(ShardErrorCode.SessionExpired, "the session expired", ShardRules.TokenSingleUse));
        using var doc = JsonDocument.Parse(f.HeaderJson);
        var (header, err) = ShardMessages.ReadHeader(doc.RootElement.Clone());
        if (header is null) return Reject(s, err!);
        // The registry may have moved while the upload was away: look again before going on.
        return new(s with { Phase = EdgePhase.AwaitResumeFacts, Token = f.Token, Header = header, Received = f.Received.ToImmutableDictionary() },
            [new EdgeOutput.LookupShard(header.ShardId)]);
    }

    private static EdgeStep Resumed(ShardEdgeState s, ShardFacts facts)
    {
        var h = s.Header!;
        var parent = h.Parent is null ? null : facts.Versions.FirstOrDefault(v => v.VersionId == h.Parent);
        if (facts.Versions.Any(v => v.VersionId == h.VersionId))
            return Reject(s, new(ShardErrorCode.VersionConflict, $"version {h.VersionId} was committed meanwhile", ShardRules.VersionConflict));
        if (!(parent?.Status == RegistryStatus.Inactive && h.Override is not null) && h.Parent != facts.Canonical)
            return Reject(s, new(ShardErrorCode.RebaseRequired, $"the canonical version moved to {facts.Canonical ?? "(none)"} while the upload was away", ShardRules.Rebase));
        var next = s with { Phase = EdgePhase.Receiving, Canonical = facts.Canonical };
        EdgeOutput[] ack = [Send(new JsonObject
        {
            ["type"] = "resume_ack", ["session_token"] = s.Token, ["chunk_count"] = h.ChunkCount,
            ["received"] = new JsonArray([.. s.Chunks.Keys.Order().Select(i => (JsonNode)JsonValue.Create(i))]),
        })];
        return s.Chunks.Count == h.ChunkCount ? Complete(next, ack) : new(next, [.. ack]);
    }

    // §2.4 "The Lattice Registry flags the newly inserted shard version as invalid or inactive (without deleting it)".
    private static EdgeStep OnRollback(ShardEdgeState s, JsonElement j, ShardEdgeConfig cfg)
    {
        var (req, err) = ShardMessages.ReadRollback(j);
        if (req is null) return Refuse(s, err!);
        if (!ShardSigning.Verify(cfg.Anchors, req.KeyId, req.Signature, ShardSigning.Input(req.Json, "signature")))
            return Refuse(s, new(ShardErrorCode.SignatureInvalid, "rollback_request is not signed by a trust anchor", ShardRules.RollbackAuth));
        return new(s with { Phase = EdgePhase.AwaitRollback, ReturnTo = s.Phase, PendingRollback = req }, [new EdgeOutput.Rollback(req.ShardId, req.VersionId, req.Reason)]);
    }

    public static string RegistryState(ShardFacts f) => ShardMessages.Write(new JsonObject
    {
        ["type"] = "registry_state",
        ["shard_id"] = f.ShardId,
        ["canonical"] = f.Canonical,
        ["versions"] = new JsonArray([.. f.Versions.Select(v => (JsonNode)new JsonObject
        {
            ["version_id"] = v.VersionId, ["status"] = v.Status, ["previous"] = v.Previous, ["registry_id"] = v.RegistryId, ["shard_hash"] = v.ShardHash,
        })]),
        ["audit"] = new JsonArray([.. (f.Audit ?? []).Select(a => (JsonNode)new JsonObject
        {
            ["action"] = a.Action, ["version_id"] = a.VersionId, ["detail"] = JsonNode.Parse(a.Detail),
        })]),
    });

    private static EdgeOutput.Send Send(JsonObject o) => new(ShardMessages.Write(o));
    private static EdgeOutput.Send Send(string text) => new(text);

    private static EdgeOutput Ack(long index) => Send(new JsonObject { ["type"] = "chunk_ack", ["index"] = index });

    private static EdgeOutput Observe(string name, JsonObject data)
    {
        using var doc = JsonDocument.Parse(data.ToJsonString());
        return new EdgeOutput.Observe(name, doc.RootElement.Clone());
    }

    /// <summary>A bad chunk is refused by index and may be sent again (§4.2); the session goes on.</summary>
    private static EdgeStep Nack(ShardEdgeState s, long index, ShardError e) =>
        new(s, [Send(ShardMessages.ChunkNack(index, e))], e);

    /// <summary>A message the edge cannot read: an upload under way survives it, an opening does not.</summary>
    private static EdgeStep Unreadable(ShardEdgeState s, ShardError e) => s.Phase is EdgePhase.Receiving or EdgePhase.Done ? Refuse(s, e) : Reject(s, e);

    /// <summary>An error the session survives (a malformed chunk, a refused query): error message, no close.</summary>
    private static EdgeStep Refuse(ShardEdgeState s, ShardError e) => new(s, [Send(ShardMessages.Error(e))], e);

    /// <summary>"the Edge halts further processing and issues an error response": error, then close; nothing written.</summary>
    private static EdgeStep Reject(ShardEdgeState s, ShardError e, bool graceful = false, EdgeOutput[]? extra = null) =>
        new(s with { Phase = EdgePhase.Closed }, [.. extra ?? [], Send(ShardMessages.Error(e)), new EdgeOutput.Close(graceful ? 1000 : RejectClose, e.Code.Wire())], e);
}
