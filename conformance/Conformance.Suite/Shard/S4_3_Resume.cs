// §4.3 Dual Registry — "ensuring that if the Lattice fails or the network drops mid-transfer, the handshake can resume
// or revert gracefully." Resume is by session token (SPEC-NOTES.md "Resume"); §4.1 makes the token single-use.
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;
using static Conformance.Suite.Shard.ShardCase;

namespace Conformance.Suite.Shard;

internal static class S4_3_Resume
{
    private const string Resume = "SHARD-4.3-resume", Durable = "SHARD-4.3-durable", SingleUse = "SHARD-4.1-token-single-use";

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Edge("SHARD-E-resume", "§4.3", "A drop mid-transfer, then resume",
            "Sends 3 of 6 chunks and drops the connection (no entry may exist), resumes with the session token on a new connection: "
            + "the edge must report chunks 0–2 received, and the other three complete the upload.",
            [Resume], async w =>
            {
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", null, 500, 3000);
                var token = await HalfUpload(w, p, 3);
                if (token is null) return w.Checks.Verdict();
                await w.UntouchedAfterDrop(token, p.ShardId, null, []);
                await ResumeAndFinish(w, p, token, Resume);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-resume-unknown", "§4.3", "Resume of a session that never was", "Sends resume with a token the edge never issued.",
            [Resume], async w =>
            {
                var c = await w.ConnectAsync();
                w.Refused(c, await c.ResumeAsync("EDGE-SESSION-never-issued"), Resume, "a resume with an unknown token");
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-resume-committed", "§4.1", "Resume of a committed session (token replay)", "Completes an upload, then tries to resume its session token.",
            [SingleUse], async w =>
            {
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", null);
                var c = await w.ConnectAsync();
                var done = await c.UploadAsync(p);
                if (!w.Checks.Expect(ShardWorld.Commit, done.Type == "commit_ack", "the upload commits", done.Describe(), done.Silent)) return w.Checks.Verdict();
                var again = await w.ConnectAsync();
                w.Refused(again, await again.ResumeAsync(c.Token!), SingleUse, "a resume of a committed session");
                await w.Untouched(p.ShardId, "v1.0.0", ["v1.0.0"], SingleUse, "after the replayed token");
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-restart", "§4.3", "Edge restart mid-transfer loses nothing committed",
            "Commits v1, uploads half of v2, restarts the edge abruptly: v1 is still there and canonical, no v2 entry; the v2 upload then resumes and commits.",
            [Durable, Resume], async w =>
            {
                if (w.Ctx.Server is not IRestartable restartable) return Verdict.NotImplemented("the suite cannot restart this IUT (only the embedded reference edge can be restarted)");
                var shard = w.NewShardId();
                if (!await w.CommitAsync(w.NewPayload(shard, "v1.0.0", null))) return w.Checks.Verdict();
                var p = w.NewPayload(shard, "v2.0.0", "v1.0.0", 500, 3000);
                var token = await HalfUpload(w, p, 3);
                if (token is null) return w.Checks.Verdict();
                await restartable.RestartAsync();
                await w.Untouched(shard, "v1.0.0", ["v1.0.0"], Durable, "after the restart");
                await ResumeAndFinish(w, p, token, Durable);
                return w.Checks.Verdict();
            });
    }

    /// <summary>hello, header and the first <paramref name="chunks"/> chunks, then the connection drops. Returns the session token.</summary>
    private static async Task<string?> HalfUpload(ShardWorld w, Payload p, int chunks)
    {
        var c = await w.ConnectAsync();
        await c.HelloAsync(p.Bytes.Length);
        await c.SendAsync(c.Header(p));
        var ack = await c.ExpectAsync("header_ack");
        if (!w.Checks.Expect(ShardWorld.Commit, ack.Type == "header_ack", "the header is accepted", ack.Describe(), ack.Silent)) return null;
        await c.ChunksAsync(p, 0, chunks);
        c.Conn.Abort();
        await w.Ctx.ReleaseAsync(c.Conn);
        return c.Token;
    }

    private static async Task ResumeAndFinish(ShardWorld w, Payload p, string token, string requirement)
    {
        var c = await w.ConnectAsync();
        var r = await c.ResumeAsync(token);
        var received = r.Type == "resume_ack" && r.Json.TryGetProperty("received", out var rec) ? rec.EnumerateArray().Select(x => x.GetInt64()).Order().ToArray() : [];
        if (!w.Checks.Expect(requirement, r.Type == "resume_ack" && received.SequenceEqual([0L, 1L, 2L]), "resume_ack reporting chunks 0, 1, 2 received", r.Describe(), r.Silent))
            return;
        var done = await c.ChunksAsync(p, 3);
        w.Checks.Expect(requirement, done.Type == "commit_ack", "the remaining chunks complete the upload", done.Describe(), done.Silent);
    }
}
