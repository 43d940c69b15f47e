// §2.3 Payload Transfer & Versioning Commit and §4.2 Tamper Detection — "Each chunk is appended with a micro-signature
// or Merkle-based integrity proof. […] The Edge reconstructs the full shard from the chunks, verifying each piece
// against the shard header's hash tree. Once complete, the Edge calculates or confirms the final cryptographic hash to
// ensure consistency with the declared version ID."
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;
using static Conformance.Suite.Shard.ShardCase;

namespace Conformance.Suite.Shard;

internal static class S2_3_Transfer
{
    private const string Proof = "SHARD-4.2-chunk-proof", Bounds = "SHARD-4.2-chunk-bounds", Final = "SHARD-4.2-final-hash";

    private sealed record BadChunk(string Id, string What, string Requirement, Func<Payload, (int Index, byte[]? Data, IReadOnlyList<byte[]>? Proof, long? AsIndex)> Make);

    public static IEnumerable<CaseDef> Cases()
    {
        BadChunk[] bad =
        [
            new("tampered-data", "whose data has one bit flipped", Proof, p => (1, Tamper.FlipBit(p.Chunk(1).ToArray()), null, null)),
            new("tampered-proof", "whose proof has one bit flipped", Proof, p => (1, null, [.. p.Tree.Proof(1).Select((x, i) => i == 0 ? Tamper.FlipBit(x) : x)], null)),
            new("other-chunk-proof", "carrying another chunk's proof", Proof, p => (1, null, p.Tree.Proof(2), null)),
            new("wrong-length", "one byte short", Bounds, p => (1, p.Chunk(1)[..^1].ToArray(), null, null)),
            new("negative-index", "with index -1", Bounds, p => (1, null, null, -1)),
            new("huge-index", "with index 2^40", Bounds, p => (1, null, null, 1L << 40)),
        ];
        foreach (var b in bad)
            yield return Edge($"SHARD-E-chunk-{b.Id}", "§4.2", $"Chunk {b.What}",
                $"Uploads a three-chunk shard but sends chunk 1 {b.What}: it must be refused by index; the good chunk 1 sent again completes the upload.",
                [b.Requirement], async w =>
                {
                    var shard = w.NewShardId();
                    var p = w.NewPayload(shard, "v1.0.0", null, 1024, 3000);
                    var c = await w.ConnectAsync();
                    await c.HelloAsync(p.Bytes.Length);
                    await c.SendAsync(c.Header(p));
                    await c.ExpectAsync("header_ack");
                    await c.ChunkAsync(p, 0);
                    var (index, data, proof, asIndex) = b.Make(p);
                    var r = await c.ChunkAsync(p, index, data, proof, asIndex);
                    if (w.Refused(c, r, b.Requirement, $"a chunk {b.What}") && r.Type == "chunk_nack" && asIndex is null)
                        w.Checks.Expect(b.Requirement, r.Index == index, $"refused by index {index}", $"index {r.Index}");
                    await w.Untouched(shard, null, [], why: "with the upload incomplete");
                    var done = await c.ChunksAsync(p, 1);
                    w.Checks.Expect(b.Requirement, done.Type == "commit_ack", "the good chunk sent again completes the upload", done.Describe(), done.Silent);
                    return w.Checks.Verdict();
                });

        yield return Edge("SHARD-E-final-hash", "§2.3", "Final hash against a hash-based version id",
            "Uploads a shard whose version_id is mth: of another tree head (merkle_root and chunks are right): refused at the end, never committed.",
            [Final], async w =>
            {
                var shard = w.NewShardId();
                var other = w.NewPayload(shard, null, null);
                var p = w.NewPayload(shard, other.VersionId, null);
                var c = await w.ConnectAsync();
                w.Refused(c, await c.UploadAsync(p), Final, "an upload whose final hash differs from its version id");
                await w.Untouched(shard, null, []);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-chunk-after-commit", "§4.2", "A chunk after the commit", "Completes an upload, then sends chunk 0 again on the same connection.",
            [Bounds], async w =>
            {
                var shard = w.NewShardId();
                var p = w.NewPayload(shard, "v1.0.0", null);
                var c = await w.ConnectAsync();
                var done = await c.UploadAsync(p);
                if (!w.Checks.Expect(ShardWorld.Commit, done.Type == "commit_ack", "the upload commits", done.Describe(), done.Silent)) return w.Checks.Verdict();
                w.Refused(c, await c.ChunkAsync(p, 0), Bounds, "a chunk after the commit");
                await w.Untouched(shard, "v1.0.0", ["v1.0.0"], Bounds, "after the late chunk");
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-garbage-chunk", "§4.2", "A binary message that is not a chunk", "Sends 5 bytes of garbage where a chunk is due; then the real chunks.",
            [ShardWorld.Codes], async w =>
            {
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", null);
                var c = await w.ConnectAsync();
                await c.HelloAsync(p.Bytes.Length);
                await c.SendAsync(c.Header(p));
                await c.ExpectAsync("header_ack");
                await c.SendBinaryAsync(new byte[] { 0xff, 0xff, 0xff, 0xff, 0 });
                w.Refused(c, await c.ExpectAsync("chunk_nack"), ShardWorld.Codes, "a binary message that is not a chunk");
                var done = await c.ChunksAsync(p);
                w.Checks.Expect(ShardWorld.Commit, done.Type == "commit_ack", "the session survives and commits", done.Describe(), done.Silent);
                return w.Checks.Verdict();
            });
    }
}
