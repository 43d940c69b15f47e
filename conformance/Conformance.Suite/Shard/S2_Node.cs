// The CCML node's side of §2 and §4 (IUT = node; the suite plays the edge): it must offer its versions and accept only
// one of them, sign a header the edge can verify, send chunks that prove into their root, send a refused chunk again,
// and resume after a drop with its session token, sending only what the edge lacks.
using System.Text.Json.Nodes;
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;

namespace Conformance.Suite.Shard;

internal static class S2_Node
{
    private const string Negotiation = "SHARD-2.1-negotiation", HeaderSent = "SHARD-2.2-header-sent", ChunksSent = "SHARD-4.2-chunks-sent";
    private const string Resend = "SHARD-4.2-resend", NodeResume = "SHARD-4.3-node-resume";
    private static readonly string[] Upload = [Negotiation, HeaderSent, ChunksSent];

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Node("SHARD-N-upload", "§2", "A complete upload", "Plays a correct edge: checks the node's hello, signed header and chunk proofs, commits, and expects the node to close.",
            [], async (ctx, k) =>
            {
                var edge = new SuiteEdge();
                var r = await edge.ServeAsync(ctx, await SuiteEdge.AcceptUploadAsync(ctx));
                CheckUpload(k, r);
                return k.Verdict();
            });
        yield return Node("SHARD-N-resend", "§4.2", "A refused chunk is sent again", "Refuses chunk 1 the first time it arrives (chunk_nack): the node must send it again and complete.",
            [Resend], async (ctx, k) =>
            {
                var r = await new SuiteEdge().ServeAsync(ctx, await SuiteEdge.AcceptUploadAsync(ctx), new SuiteEdge.Bend(NackOnce: 1));
                CheckUpload(k, r);
                k.Expect(Resend, r.Chunks.Count(i => i == 1) == 2 && r.Committed, "chunk 1 sent again after the chunk_nack, and the upload committed",
                    $"chunk 1 sent {r.Chunks.Count(i => i == 1)} time(s), committed: {r.Committed}");
                return k.Verdict();
            });
        yield return Node("SHARD-N-resume", "§4.3", "Resume after a drop", "Drops the connection after storing two chunks; the node must come back with resume and its session token, and send only chunks 2 onwards.",
            [NodeResume], async (ctx, k) =>
            {
                var edge = new SuiteEdge();
                var first = await edge.ServeAsync(ctx, await SuiteEdge.AcceptUploadAsync(ctx), new SuiteEdge.Bend(DropAfterChunks: 2));
                if (!k.Expect(HeaderSent, first.HeaderAccepted, "a header the edge accepts", Refusal(first))) return k.Verdict();
                var conn = await ctx.AcceptAsync();
                if (conn is null) { k.Expect(NodeResume, false, "the node reconnects after the drop", "no connection within the accept timeout", true); return k.Verdict(); }
                var second = await edge.ServeAsync(ctx, conn);
                k.Expect(NodeResume, second.Resumed && second.Types.FirstOrDefault() == "resume", "the new connection opens with resume and the old session token",
                    "first message: " + (second.Types.FirstOrDefault() ?? "none"));
                k.Expect(NodeResume, second.Committed && second.Chunks.Count > 0 && second.Chunks.All(i => i >= 2),
                    "only chunks 2 onwards are sent again, and the upload commits",
                    $"chunks [{string.Join(",", second.Chunks)}], committed: {second.Committed}");
                return k.Verdict();
            });
        yield return Node("SHARD-N-no-mutual-version", "§2.1", "No mutual version", "Answers the node's hello with shard.version_unsupported and closes: the node must send nothing more.",
            [], async (ctx, k) =>
            {
                var error = ShardMessages.Error(new ShardError(ShardErrorCode.VersionUnsupported, "the suite speaks 9.9 only", ShardRules.Negotiation));
                var r = await new SuiteEdge().ServeAsync(ctx, await SuiteEdge.AcceptUploadAsync(ctx), new SuiteEdge.Bend(HelloReply: error));
                k.Expect(Negotiation, r.Types.SequenceEqual(["hello"]), "the node ends the handshake: nothing after its hello", string.Join(", ", r.Types));
                return k.Verdict();
            });
        yield return Node("SHARD-N-unoffered-version", "§2.1", "A version the node did not offer", "Answers the node's hello with a hello_ack choosing protocol 9.9: the node must not send a header.",
            [], async (ctx, k) =>
            {
                var ack = ShardMessages.Write(new JsonObject { ["type"] = "hello_ack", ["chosen_protocol"] = "9.9", ["session_token"] = "EDGE-SESSION-suite" });
                var r = await new SuiteEdge().ServeAsync(ctx, await SuiteEdge.AcceptUploadAsync(ctx), new SuiteEdge.Bend(HelloReply: ack));
                k.Expect(Negotiation, !r.Types.Contains("shard_header"), "no header after a hello_ack choosing an unoffered version", string.Join(", ", r.Types));
                return k.Verdict();
            });
    }

    private static CaseDef Node(string id, string section, string title, string description, string[] requirements, Func<CaseContext, Checks, Task<Verdict>> run) =>
        new(id, ShardCatalog.Spec, IutRole.Client, section, title, description, [.. Upload.Union(requirements)], ctx => run(ctx, new Checks())) { BudgetSteps = 40 };

    /// <summary>What every upload must show: versions offered, the header and chunks accepted by the model, a commit.</summary>
    private static void CheckUpload(Checks k, SuiteEdge.Report r)
    {
        k.Expect(Negotiation, r.Versions.Count > 0 && r.Versions.Any(v => SuiteEdge.Config.Versions.Contains(v)), "a hello offering a version the edge speaks",
            $"[{string.Join(", ", r.Versions)}]");
        k.Expect(HeaderSent, r.HeaderAccepted, "a header the edge model accepts (signatures, auth token, provenance link)", Refusal(r));
        if (!r.HeaderAccepted) return;
        var bad = r.Refusals.FirstOrDefault(e => e.Rule is ShardRules.ChunkProof or ShardRules.ChunkBounds);
        k.Expect(ChunksSent, bad is null && r.Committed, "every chunk proves into merkle_root, and the upload commits", bad?.ToString() ?? (r.Committed ? "all proved" : "not committed: " + r.Ended));
    }

    private static string Refusal(SuiteEdge.Report r) => r.Refusals.FirstOrDefault()?.ToString() ?? (r.HeaderAccepted ? "accepted" : "no header: " + string.Join(", ", r.Types));
}
