// Deliberately broken Confluence Edges and CCML nodes: each breaks one rule around the model — changing the facts it
// reads, its clock or trust configuration, or what it emits — and names the requirement the suite must then fail.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;

namespace Conformance.Reference.Faults;

public static class ShardFaults
{
    public static readonly IReadOnlyList<Fault> All =
    [
        Edge("shard-lowest-version", "the edge picks the lowest mutual protocol version", "SHARD-2.1-negotiation", () => new LowestVersion()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-version-id-unchecked", "the edge accepts version ids of any form", "SHARD-3.5-version-id", () => new VersionIdUnchecked()) with { Shim = new ShimReach.AnyVersionId() },
        Edge("shard-signatures-unchecked", "the edge accepts a header whatever its signature bundle", "SHARD-2.2-signatures", () => new Trusting(ShardRules.Signatures)) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-provenance-unchecked", "the edge skips the provenance link check", "SHARD-3.2-provenance", () => new Trusting(ShardRules.Provenance)) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-auth-unchecked", "the edge accepts any auth token", "SHARD-2.2-auth-token", () => new Trusting(ShardRules.Auth)) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-stale-auth-accepted", "the edge accepts auth tokens of any age", "SHARD-4.1-auth-fresh", () => new StaleAccepted()) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-replayed-token-accepted", "the edge takes a header carrying another session's token", "SHARD-4.1-token-single-use", () => new ReplayAccepted()) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-version-conflict-ignored", "the edge ignores an existing entry of the same version", "SHARD-2.2-version-conflict", () => new ConflictIgnored()) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-rebase-ignored", "the edge does not check the parent against the canonical version", "SHARD-4.4-rebase", () => new RebaseIgnored()) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-override-not-required", "the edge lets a version build on an invalidated one without override", "SHARD-2.4-override", () => new OverrideNotRequired()) with { Shim = new ShimReach.Runs("shard.header") },
        Edge("shard-tampered-chunk-taken", "the edge takes chunks whose proof fails", "SHARD-4.2-chunk-proof", () => new TamperedTaken()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-late-chunk-acked", "the edge acknowledges chunks after the commit", "SHARD-4.2-chunk-bounds", () => new LateChunkAcked()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-final-hash-unchecked", "the edge commits whatever the final hash", "SHARD-4.2-final-hash", () => new FinalHashUnchecked()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-commits-partially", "the edge commits what it has when the connection drops", "SHARD-4.3-atomic", () => new CommitsPartially()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-resume-forgets", "the edge's resume reports no chunk received", "SHARD-4.3-resume", () => new ResumeForgets()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-sessions-not-durable", "the edge loses its upload sessions when it restarts", "SHARD-4.3-durable", () => new SessionsNotDurable()),
        Edge("shard-deletes-on-rollback", "the edge's registry forgets a rolled-back version instead of keeping it inactive", "SHARD-2.4-rollback", () => new DeletesOnRollback()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-no-rollback-audit", "the edge keeps no audit record of rollbacks", "SHARD-2.4-audit", () => new NoRollbackAudit()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-order-unchecked", "the edge silently ignores a chunk before the header", "SHARD-2-order", () => new OrderUnchecked()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Edge("shard-no-commit-ack", "the edge commits but never sends Commit-Ack", "SHARD-2.3-commit", () => new NoCommitAck()) with { Shim = new ShimReach.Runs("shard.transcript") },
        Node("shard-node-any-version", "the node proceeds with whatever version the edge chooses", "SHARD-2.1-negotiation", () => new NodeAnyVersion()),
        Node("shard-node-foreign-signature", "the node signs its header bundle with a key the edge does not trust", "SHARD-2.2-header-sent", () => new NodeForeignSignature()),
        Node("shard-node-wrong-proof", "the node attaches the next chunk's proof to each chunk", "SHARD-4.2-chunks-sent", () => new NodeWrongProof()),
        Node("shard-node-no-resend", "the node ignores chunk_nack", "SHARD-4.2-resend", () => new NodeNoResend()),
        Node("shard-node-resends-all", "the node re-sends every chunk after a resume", "SHARD-4.3-node-resume", () => new NodeResendsAll()),
    ];

    private static Fault Edge(string name, string summary, string requirement, Func<ShardEdgeBehaviour> create) =>
        new(name, FaultSide.Server, summary, requirement, create) { Spec = "shard" };

    private static Fault Node(string name, string summary, string requirement, Func<ShardNodeBehaviour> create) =>
        new(name, FaultSide.Client, summary, requirement, create) { Spec = "shard" };

    private static bool RejectedFor(EdgeStep step, string rule) => step.Rejected?.Rule == rule;

    private static string? Type(EdgeInput input) => input is EdgeInput.Text t ? ShardMessages.Parse(t.Value).Type : null;

    private sealed class LowestVersion : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            if (step.State.Hello is not { } hello || s.Phase != EdgePhase.AwaitOpening || step.State.Phase != EdgePhase.AwaitHeader) return step;
            var lowest = hello.Versions.Where(c.Versions.Contains).OrderBy(ShardEdge.VersionKey).First();
            return step with
            {
                State = step.State with { Version = lowest },
                Outputs = [.. step.Outputs.Select(o => o is EdgeOutput.Send send && send.Text.Contains("hello_ack")
                    ? new EdgeOutput.Send(send.Text.Replace($"\"chosen_protocol\":\"{step.State.Version}\"", $"\"chosen_protocol\":\"{lowest}\"")) : o)],
            };
        }
    }

    /// <summary>Reads the header with a well-formed stand-in id, then keeps the id as sent.</summary>
    private sealed class VersionIdUnchecked : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            if (!RejectedFor(step, ShardRules.VersionId) || input is not EdgeInput.Text t) return step;
            var original = JsonNode.Parse(t.Value)!.AsObject();
            var patched = original.DeepClone().AsObject();
            var id = original["version_id"]!.GetValue<string>();
            patched["version_id"] = "v0.0.0";
            using var doc = JsonDocument.Parse(patched.ToJsonString());
            var (header, _) = ShardMessages.ReadHeader(doc.RootElement.Clone());
            if (header is null) return step;
            using var orig = JsonDocument.Parse(t.Value);
            return new EdgeStep(s with { Phase = EdgePhase.AwaitShardFacts, Header = header with { VersionId = id, Json = orig.RootElement.Clone() } },
                [new EdgeOutput.LookupShard(header.ShardId)]);
        }
    }

    /// <summary>Where the header fails <paramref name="rule"/>, re-signs that part with a key of its own, which it then trusts.</summary>
    private sealed class Trusting(string rule) : ShardEdgeBehaviour
    {
        private static readonly Ed25519Signer Own = TestKeys.FromLabel("fault/shard/own-key");
        private static readonly string OwnId = ShardSigning.KeyId(Own.PublicKey);

        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            if (!RejectedFor(step, rule) || s.Header is not { } h) return step;
            var trusting = c with { Anchors = new Dictionary<string, byte[]>(c.Anchors) { [OwnId] = Own.PublicKey } };
            var patched = rule switch
            {
                ShardRules.Signatures => h with { Signatures = [new BundleSignature(OwnId, ShardSigning.Sign(Own, ShardSigning.Input(h.Json, "signatures")))] },
                ShardRules.Provenance => h with { Chain = [new ProvenanceLink(h.VersionId, h.Parent, OwnId, ShardSigning.Sign(Own, ShardSigning.LinkInput(h.ShardId, h.VersionId, h.Parent)))] },
                _ => h with { Auth = Auth(s.Token!, h.ShardId, env.Now) },
            };
            return model(s with { Header = patched }, input, trusting, env);
        }

        private static AuthToken Auth(string token, string shardId, DateTimeOffset now)
        {
            var auth = new JsonObject { ["session_token"] = token, ["issued_at"] = ShardMessages.Timestamp(now), ["shard_id"] = shardId, ["key_id"] = OwnId };
            auth["signature"] = ShardSigning.Sign(Own, ShardSigning.Input(auth));
            using var doc = JsonDocument.Parse(auth.ToJsonString());
            return new AuthToken(doc.RootElement.Clone(), token, now, shardId, OwnId, auth["signature"]!.GetValue<string>());
        }
    }

    private sealed class StaleAccepted : ShardEdgeBehaviour
    {
        private sealed class At(DateTimeOffset now, IModelEnvironment inner) : IModelEnvironment
        {
            public DateTimeOffset Now => now;
            public void NextBytes(Span<byte> destination) => inner.NextBytes(destination);
        }

        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            return RejectedFor(step, ShardRules.AuthStale) ? model(s, input, c, new At(s.Header!.Auth.IssuedAt, env)) : step;
        }
    }

    private sealed class ReplayAccepted : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            return RejectedFor(step, ShardRules.TokenSingleUse) && s.Header is { } h ? model(s with { Token = h.SessionToken }, input, c, env) : step;
        }
    }

    private sealed class ConflictIgnored : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.ShardLooked l && s.Phase == EdgePhase.AwaitShardFacts
                ? model(s, new EdgeInput.ShardLooked(l.Facts with { Versions = [.. l.Facts.Versions.Where(v => v.VersionId != s.Header!.VersionId)] }), c, env)
                : model(s, input, c, env);
    }

    private sealed class RebaseIgnored : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.ShardLooked l && s.Phase == EdgePhase.AwaitShardFacts
                ? model(s, new EdgeInput.ShardLooked(l.Facts with { Canonical = s.Header!.Parent }), c, env)
                : model(s, input, c, env);
    }

    private sealed class OverrideNotRequired : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.ShardLooked l && s.Phase == EdgePhase.AwaitShardFacts && s.Header!.Parent is { } p
            && l.Facts.Versions.Any(v => v.VersionId == p && v.Status == "inactive")
                ? model(s, new EdgeInput.ShardLooked(l.Facts with
                {
                    Canonical = p,
                    Versions = [.. l.Facts.Versions.Select(v => v.VersionId == p ? v with { Status = "active" } : v)],
                }), c, env)
                : model(s, input, c, env);
    }

    private sealed class TamperedTaken : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            if (!RejectedFor(step, ShardRules.ChunkProof) || input is not EdgeInput.Binary b || ShardMessages.ReadChunk(b.Value).Chunk is not { } chunk) return step;
            var leaf = MerkleTree.LeafHash(chunk.Data.Span);
            return new EdgeStep(s with { Received = s.Chunks.SetItem(chunk.Index, leaf) },
            [
                new EdgeOutput.StoreChunk(s.Token!, chunk.Index, chunk.Index * s.Header!.ChunkSize, chunk.Data, leaf),
                new EdgeOutput.Send(ShardMessages.Write(new JsonObject { ["type"] = "chunk_ack", ["index"] = chunk.Index })),
            ]);
        }
    }

    private sealed class LateChunkAcked : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            s.Phase == EdgePhase.Done && input is EdgeInput.Binary b && ShardMessages.ReadChunk(b.Value).Chunk is { } chunk
                ? new EdgeStep(s, [new EdgeOutput.Send(ShardMessages.Write(new JsonObject { ["type"] = "chunk_ack", ["index"] = chunk.Index }))])
                : model(s, input, c, env);
    }

    private sealed class FinalHashUnchecked : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            if (!RejectedFor(step, ShardRules.FinalHash)) return step;
            var h = s.Header!;
            var root = MerkleTree.Root([.. Enumerable.Range(0, (int)h.ChunkCount).Select(i => step.State.Chunks.GetValueOrDefault(i, s.Chunks.GetValueOrDefault(i, new byte[32])))]);
            var state = step.State with { Phase = EdgePhase.Committing };
            return new EdgeStep(state, [.. step.Outputs.Where(o => o is EdgeOutput.StoreChunk || (o is EdgeOutput.Send send && send.Text.Contains("chunk_ack"))),
                new EdgeOutput.Commit(s.Token!, h.ShardId, h.VersionId, s.Canonical, Convert.ToHexStringLower(root), "{}", h.Size)]);
        }
    }

    private sealed class CommitsPartially : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            if (input is not EdgeInput.Closed || s.Phase != EdgePhase.Receiving || s.Chunks.IsEmpty) return model(s, input, c, env);
            var h = s.Header!;
            var prefix = 0;
            while (s.Chunks.ContainsKey(prefix)) prefix++;
            var size = Math.Min(h.Size, prefix * h.ChunkSize);
            var root = MerkleTree.Root([.. Enumerable.Range(0, prefix).Select(i => s.Chunks[i])]);
            return new EdgeStep(s with { Phase = EdgePhase.Closed }, [new EdgeOutput.Commit(s.Token!, h.ShardId, h.VersionId, s.Canonical, Convert.ToHexStringLower(root), "{}", size)]);
        }
    }

    private sealed class ResumeForgets : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.SessionLooked { Facts: { } f } ? model(s, new EdgeInput.SessionLooked(f with { Received = new Dictionary<long, byte[]>() }), c, env) : model(s, input, c, env);
    }

    /// <summary>Sessions opened before the latest host start are "lost": a resume after a restart finds nothing.</summary>
    private sealed class SessionsNotDurable : ShardEdgeBehaviour
    {
        private static DateTimeOffset _started = DateTimeOffset.MinValue;

        public override void HostStarting() => _started = DateTimeOffset.UtcNow;

        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.SessionLooked { Facts: { } f } && f.CreatedAt < _started ? model(s, new EdgeInput.SessionLooked(null), c, env) : model(s, input, c, env);
    }

    private sealed class DeletesOnRollback : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.ShardLooked l && s.Phase == EdgePhase.AwaitQueryFacts
                ? model(s, new EdgeInput.ShardLooked(l.Facts with { Versions = [.. l.Facts.Versions.Where(v => v.Status != "inactive")] }), c, env)
                : model(s, input, c, env);
    }

    private sealed class NoRollbackAudit : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.ShardLooked l && s.Phase == EdgePhase.AwaitQueryFacts
                ? model(s, new EdgeInput.ShardLooked(l.Facts with { Audit = [.. (l.Facts.Audit ?? []).Where(a => a.Action != "rollback")] }), c, env)
                : model(s, input, c, env);
    }

    private sealed class OrderUnchecked : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model) =>
            input is EdgeInput.Binary && s.Phase is EdgePhase.AwaitHeader or EdgePhase.AwaitOpening ? new EdgeStep(s, []) : model(s, input, c, env);
    }

    private sealed class NoCommitAck : ShardEdgeBehaviour
    {
        public override EdgeStep Step(ShardEdgeState s, EdgeInput input, ShardEdgeConfig c, IModelEnvironment env, EdgeModel model)
        {
            var step = model(s, input, c, env);
            return input is EdgeInput.Committed ? step with { Outputs = [.. step.Outputs.Where(o => !(o is EdgeOutput.Send send && send.Text.Contains("commit_ack")))] } : step;
        }
    }

    // ---- nodes

    private sealed class NodeAnyVersion : ShardNodeBehaviour
    {
        public override NodeStep Step(ShardNodeState state, string text, ShardNodeConfig cfg, IModelEnvironment env)
        {
            if (state.Phase != NodePhase.AwaitHelloAck || JsonNode.Parse(text) is not JsonObject o || o["type"]?.GetValue<string>() != "hello_ack") return base.Step(state, text, cfg, env);
            o["chosen_protocol"] = cfg.Versions[^1];
            return base.Step(state, o.ToJsonString(), cfg, env);
        }
    }

    private sealed class NodeForeignSignature : ShardNodeBehaviour
    {
        private static readonly Ed25519Signer Foreign = TestKeys.FromLabel("fault/shard/foreign-node-key");

        public override NodeStep Step(ShardNodeState state, string text, ShardNodeConfig cfg, IModelEnvironment env)
        {
            var step = base.Step(state, text, cfg, env);
            return step with
            {
                Outputs = [.. step.Outputs.Select(o =>
                {
                    if (o is not NodeOutput.Send send || JsonNode.Parse(send.Text) is not JsonObject h || h["type"]?.GetValue<string>() != "shard_header") return o;
                    h.Remove("signatures");
                    h["signatures"] = new JsonArray(new JsonObject { ["key_id"] = ShardSigning.KeyId(Foreign.PublicKey), ["signature"] = ShardSigning.Sign(Foreign, ShardSigning.Input(h)) });
                    return new NodeOutput.Send(ShardMessages.Write(h));
                })],
            };
        }
    }

    private sealed class NodeWrongProof : ShardNodeBehaviour
    {
        public override byte[] Frame(string token, long index, ReadOnlySpan<byte> data, IReadOnlyList<byte[]> proof) =>
            base.Frame(token, index, data, [.. proof.Select(p => MerkleTree.NodeHash(p, p))]);
    }

    private sealed class NodeNoResend : ShardNodeBehaviour
    {
        public override NodeStep Step(ShardNodeState state, string text, ShardNodeConfig cfg, IModelEnvironment env) =>
            text.Contains("\"chunk_nack\"") ? new NodeStep(state, []) : base.Step(state, text, cfg, env);
    }

    private sealed class NodeResendsAll : ShardNodeBehaviour
    {
        public override NodeStep Step(ShardNodeState state, string text, ShardNodeConfig cfg, IModelEnvironment env)
        {
            if (JsonNode.Parse(text) is not JsonObject o || o["type"]?.GetValue<string>() != "resume_ack") return base.Step(state, text, cfg, env);
            o["received"] = new JsonArray();
            return base.Step(state, o.ToJsonString(), cfg, env);
        }
    }
}
