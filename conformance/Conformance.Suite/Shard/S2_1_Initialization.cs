// §2.1 Initialization & Capability Negotiation — "The Edge picks the highest mutually supported protocol version and
// returns a Hello-Ack containing: Chosen Protocol Version, Session Token […] If versions are incompatible, the
// handshake terminates gracefully." And §2.3's commit for the plainest uploads.
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;
using static Conformance.Suite.Shard.ShardCase;

namespace Conformance.Suite.Shard;

internal static class S2_1_Initialization
{
    private const string Negotiation = "SHARD-2.1-negotiation", Order = "SHARD-2-order", Entry = "SHARD-2.3-entry";

    public static IEnumerable<CaseDef> Cases()
    {
        (string Id, string Title, int ChunkSize, int Size, bool HashId)[] shapes =
        [
            ("one-chunk", "One chunk", 1024, 700, false),
            ("many-chunks", "Sixty-four chunks, hash-based version", 256, 64 * 256, true),
            ("short-last-chunk", "A short last chunk", 1000, 4321, false),
            ("empty", "An empty shard", 1024, 0, true),
        ];
        foreach (var shape in shapes)
            yield return Edge($"SHARD-E-commit-{shape.Id}", "§2.3", $"Upload and commit: {shape.Title.ToLowerInvariant()}",
                $"Uploads a {shape.Size}-byte shard in chunks of {shape.ChunkSize} ({(shape.HashId ? "mth:" : "v1.0.0")} version id) and reads the registry entry back.",
                [Negotiation, Entry], async w =>
                {
                    var shard = w.NewShardId();
                    var p = w.NewPayload(shard, shape.HashId ? null : "v1.0.0", null, shape.ChunkSize, shape.Size);
                    if (!await w.CommitAsync(p)) return w.Checks.Verdict();
                    var r = await ShardClient.QueryAsync(w.Ctx, shard);
                    var versions = r.Json.TryGetProperty("versions", out var v) ? v.EnumerateArray().ToArray() : [];
                    var entry = versions.FirstOrDefault(x => x.GetProperty("version_id").GetString() == p.VersionId);
                    w.Checks.Expect(ShardWorld.Commit, ShardWorld.Versions(r).Canonical == p.VersionId, $"canonical version {p.VersionId}", r.Describe());
                    w.Checks.Expect(Entry, entry.ValueKind == System.Text.Json.JsonValueKind.Object
                        && entry.GetProperty("shard_hash").GetString() == Convert.ToHexStringLower(p.Tree.Root) && entry.GetProperty("status").GetString() == RegistryStatus.Active,
                        "an active entry whose shard hash is the payload's tree head", r.Describe());
                    return w.Checks.Verdict();
                });

        yield return Edge("SHARD-E-negotiation-highest", "§2.1", "Highest mutual version", "Offers protocol versions 1.0, 2.0, 2.1 and 9.9: the reference edge supports 2.0 and 2.1, so 2.1 must be chosen.",
            [Negotiation], async w =>
            {
                var c = await w.ConnectAsync();
                var r = await c.HelloAsync(100, ["1.0", "2.0", "2.1", "9.9"]);
                w.Checks.Expect(Negotiation, r.Type == "hello_ack" && r.Str("chosen_protocol") == "2.1" && c.Token is { Length: > 0 },
                    "hello_ack choosing 2.1 with a session token", r.Describe(), r.Silent);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-negotiation-none", "§2.1", "No mutual version", "Offers only protocol version 1.0: the handshake must terminate gracefully (error, then close).",
            [Negotiation], async w =>
            {
                var c = await w.ConnectAsync();
                var r = await c.HelloAsync(100, ["1.0"]);
                if (w.Refused(c, r, Negotiation, "a hello with no mutual version"))
                {
                    var close = await c.NextAsync();
                    w.Checks.Expect(Negotiation, close.Closed, "the edge then closes", close.Describe(), close.Silent);
                }
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-header-before-hello", "§2", "Header before hello", "Sends a shard header as the first message.",
            [Order], async w =>
            {
                var c = await w.ConnectAsync();
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", null);
                await c.SendAsync(c.Header(p));
                w.Refused(c, await c.NextAsync(), Order, "a header before hello");
                await w.Untouched(p.ShardId, null, []);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-chunk-before-header", "§2", "Chunk before the header", "Sends hello, then a chunk where the header is due.",
            [Order], async w =>
            {
                var c = await w.ConnectAsync();
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", null);
                await c.HelloAsync(p.Bytes.Length);
                w.Refused(c, await c.ChunkAsync(p, 0), Order, "a chunk before the header");
                await w.Untouched(p.ShardId, null, []);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-not-json", "§5", "A message that is not JSON", "Sends the text \"Hello {\" as the first message.",
            [ShardWorld.Codes], async w =>
            {
                var c = await w.ConnectAsync();
                await c.SendAsync("Hello {");
                w.Refused(c, await c.NextAsync(), ShardWorld.Codes, "a message that is not JSON");
                return w.Checks.Verdict();
            });
    }
}
