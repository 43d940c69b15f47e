// §2.2 Provenance Verification & Authentication — "Validates the authenticity and integrity of the shard's header.
// Checks that: The signature bundle matches known public keys or trust anchors. The declared version does not
// conflict with an existing entry in the Oneiric Lattice Registry. If any verification fails, the Edge halts further
// processing and issues an error response." §4.1 replay; §4.4 version conflicts.
using System.Text.Json.Nodes;
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;
using static Conformance.Suite.Shard.ShardCase;

namespace Conformance.Suite.Shard;

internal static class S2_2_Provenance
{
    private const string Signatures = "SHARD-2.2-signatures", Provenance = "SHARD-3.2-provenance", Auth = "SHARD-2.2-auth-token";
    private const string Fresh = "SHARD-4.1-auth-fresh", SingleUse = "SHARD-4.1-token-single-use", VersionId = "SHARD-3.5-version-id";
    private const string Conflict = "SHARD-2.2-version-conflict", Rebase = "SHARD-4.4-rebase";

    private sealed record BadHeader(string Id, string What, string Requirement, Func<ShardClient, Payload, JsonObject> Make);

    public static IEnumerable<CaseDef> Cases()
    {
        BadHeader[] bad =
        [
            new("no-signatures", "with an empty signature bundle", Signatures,
                (c, p) => c.Header(p, h => h["signatures"] = new JsonArray(), resign: false)),
            new("unknown-signer", "whose signature bundle is by a key that is not a trust anchor", Signatures,
                (c, p) => c.Header(p, h => h["signatures"] = new JsonArray(new JsonObject
                {
                    ["key_id"] = ShardSigning.KeyId(ShardClient.Stranger.PublicKey),
                    ["signature"] = ShardSigning.Sign(ShardClient.Stranger, ShardSigning.Input(h, "signatures")),
                }), resign: false)),
            new("tampered", "whose merkle_root was changed after signing", Signatures,
                (c, p) => c.Header(p, h => h["merkle_root"] = new string('0', 64), resign: false)),
            new("empty-chain", "with an empty provenance chain", Provenance,
                (c, p) => c.Header(p, h => h["provenance_chain"] = new JsonArray())),
            new("chain-wrong-parent", "whose provenance link names another parent", Provenance,
                (c, p) => c.Header(p, h => h["provenance_chain"]![0]!["parent_version_id"] = "v0.9.0")),
            new("chain-unsigned-link", "whose provenance link is signed by a stranger", Provenance,
                (c, p) => c.Header(p, h => h["provenance_chain"]![0]!["signature"] = ShardSigning.Sign(ShardClient.Stranger, ShardSigning.LinkInput(p.ShardId, p.VersionId, p.Parent)))),
            new("auth-other-session", "whose auth token names another session", Auth,
                (c, p) => c.Header(p, h => ReSignAuth(h, a => a["session_token"] = "EDGE-SESSION-someone-else"))),
            new("auth-stranger", "whose auth token is signed by a stranger", Auth,
                (c, p) => c.Header(p, h => ReSignAuth(h, _ => { }, ShardClient.Stranger))),
            new("auth-stale", "whose auth token was issued ten minutes ago", Fresh,
                (c, p) => c.Header(p, issued: DateTimeOffset.UtcNow.AddMinutes(-10))),
            new("other-session-token", "carrying another session's token (a replayed header)", SingleUse,
                (c, p) => c.Header(p, h => { h["session_token"] = "EDGE-SESSION-replayed"; ReSignAuth(h, a => a["session_token"] = "EDGE-SESSION-replayed"); })),
            new("version-format", "whose version_id is \"2.1\"", VersionId,
                (c, p) => c.Header(p, h =>
                {
                    // Only the form is wrong: the link for "2.1" is signed properly.
                    h["version_id"] = "2.1";
                    h["provenance_chain"]![0]!["version_id"] = "2.1";
                    h["provenance_chain"]![0]!["signature"] = ShardSigning.Sign(ShardClient.NodeKey, ShardSigning.LinkInput(p.ShardId, "2.1", p.Parent));
                })),
            new("chunk-count", "whose chunk_count does not fit its size", ShardWorld.Codes,
                (c, p) => c.Header(p, h => h["chunk_count"] = p.ChunkCount + 1)),
        ];
        foreach (var b in bad)
            yield return Edge($"SHARD-E-header-{b.Id}", "§2.2", $"Header {b.What}", $"Sends hello, then a shard header {b.What}: refused, and nothing written.",
                [b.Requirement], async w =>
                {
                    var c = await w.ConnectAsync();
                    var p = w.NewPayload(w.NewShardId(), "v1.0.0", null);
                    await c.HelloAsync(p.Bytes.Length);
                    await c.SendAsync(b.Make(c, p));
                    if (w.RefusedAtHeader(c, await c.ExpectAsync("header_ack"), b.Requirement, $"a header {b.What}"))
                        await w.Untouched(p.ShardId, null, []);
                    return w.Checks.Verdict();
                });

        yield return Edge("SHARD-E-version-conflict", "§2.2", "A version that already exists", "Commits v1.0.0, then uploads another payload as v1.0.0 on top of it.",
            [Conflict], async w =>
            {
                var shard = w.NewShardId();
                if (!await w.CommitAsync(w.NewPayload(shard, "v1.0.0", null))) return w.Checks.Verdict();
                var c = await w.ConnectAsync();
                var again = w.NewPayload(shard, "v1.0.0", "v1.0.0");
                w.RefusedAtHeader(c, await c.UploadAsync(again), Conflict, "an upload of an existing version");
                await w.Untouched(shard, "v1.0.0", ["v1.0.0"]);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-rebase", "§4.4", "Parent that is not the canonical version, then the rebase",
            "Commits v1 and v2 (on v1), uploads v3 on v1: refused (rebase); uploads v3 on v2: committed.",
            [Rebase], async w =>
            {
                var shard = w.NewShardId();
                if (!await w.CommitAsync(w.NewPayload(shard, "v1.0.0", null)) || !await w.CommitAsync(w.NewPayload(shard, "v2.0.0", "v1.0.0"))) return w.Checks.Verdict();
                var c = await w.ConnectAsync();
                w.RefusedAtHeader(c, await c.UploadAsync(w.NewPayload(shard, "v3.0.0", "v1.0.0")), Rebase, "an upload whose parent is not canonical");
                await w.Untouched(shard, "v2.0.0", ["v1.0.0", "v2.0.0"]);
                var rebased = await w.ConnectAsync();
                var r = await rebased.UploadAsync(w.NewPayload(shard, "v3.0.0", "v2.0.0"));
                w.Checks.Expect(Rebase, r.Type == "commit_ack", "rebased on the canonical version, it commits", r.Describe(), r.Silent);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-first-with-parent", "§4.4", "A first version naming a parent", "Uploads v1.0.0 of a new shard with parent v0.9.0, which the registry does not hold.",
            [Rebase], async w =>
            {
                var c = await w.ConnectAsync();
                var p = w.NewPayload(w.NewShardId(), "v1.0.0", "v0.9.0");
                w.RefusedAtHeader(c, await c.UploadAsync(p), Rebase, "a parent the registry does not hold");
                await w.Untouched(p.ShardId, null, []);
                return w.Checks.Verdict();
            });
    }

    /// <summary>Edits the auth token and signs it again (with the node's key unless another is given).</summary>
    private static void ReSignAuth(JsonObject h, Action<JsonObject> edit, Model.Ltp.Ed25519Signer? key = null)
    {
        var auth = h["auth_token"]!.AsObject();
        edit(auth);
        var signer = key ?? ShardClient.NodeKey;
        auth["key_id"] = ShardSigning.KeyId(signer.PublicKey);
        auth.Remove("signature");
        auth["signature"] = ShardSigning.Sign(signer, ShardSigning.Input(auth));
    }
}
