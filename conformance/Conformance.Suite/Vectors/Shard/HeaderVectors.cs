// vectors/shard/header.json: the edge's verification of a ShardHeader (§2.2). Each test is one session of the edge
// model (ShardEdge.Run) over the model's in-memory registry: the node's hello, the edge's hello_ack (which fixes the session
// token the header must carry), then the header; the registry facts the edge looks up are given as input, and the
// expected output is the model's verdict: header_ack (and the registry effects that follow) or error + close.
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Suite.Vectors.Ltp;
using static Conformance.Suite.Vectors.Shard.ShardVectorKit;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class HeaderVectors : IVectorTopic
{
    public string Spec => "shard";
    public string Topic => "header";

    private const string ShardId = "shard-7ecf349b";

    /// <summary>One header case: the upload the hello announces, the registry before, and the header text built for the session token.</summary>
    private sealed record Case(string Comment, string[] Flags, ShardUpload Upload, Action<MemoryRegistry> Setup, Func<string, string> Make);

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "header.schema.json", seed,
            "Shard hand-off §2.2 \"Confluence Edge Verification\": the edge validates the shard header (signature bundle against trust anchors, provenance chain, auth token, version conflicts) and, if any check fails, \"halts further processing and issues an error response\" (an error message, then close 1008, nothing written).",
            "Each test replays one session of the reference edge model: the node sent `hello`, the edge answered hello_ack with `sessionToken`, then the node sends `header` (the exact message text). The edge's clock reads `now`; the registry holds `registry` (the model's registry_state of the shard) when the edge looks the shard up.",
            "Expected: `accepted`; `replies` (every message the edge sends in answer, and its close, in order; an error's `detail` is prose and need not match, its `code` must); `effects` (what the edge asks of the registry: lookup_shard, open_session, record_override, commit); `errorCode` and `rule` (the model's requirement ID) for a refusal.",
            "Signatures are Ed25519 over the RFC 8785 JCS of an object (SPEC-NOTES.md \"Shard signatures\"): the bundle over the header without `signatures`, the auth token over itself without `signature`, each provenance link over {shard_id, version_id, parent_version_id}, an override over {shard_id, version_id, parent_version_id, reason, override: true}. key_id = lowercase hex SHA-256 of the raw public key. The keys (seeds included) and the edge's configuration are in each group.",
            "An implementation issues its own session tokens: to replay a test it must accept the token given here (or substitute its own and re-sign with the published seeds), and set its clock to `now`.")
            .Note("ValidHeader", VectorBugType.Basic, "§2.2: a header whose bundle, auth token and provenance verify, whose version is new and whose parent is the canonical version: the edge answers header_ack and opens the upload session.", "answer header_ack and open the upload session", "SHARD-2.2-signatures")
            .Note("FirstVersion", VectorBugType.EdgeCase, "The shard has no version yet: parent_version_id is null (SPEC-NOTES.md \"Provenance and version conflicts\").", "answer header_ack", "SPEC-NOTES.md#provenance-and-version-conflicts")
            .Note("HashVersionId", VectorBugType.Basic, "§3.5 hash-based version id: \"mth:\" + the payload's tree head (checked against the chunks at the end, not here).", "check the header as any other: the id is checked against the chunks at the end, not here", "SHARD-3.5-version-id")
            .Note("EmptyUpload", VectorBugType.EdgeCase, "size 0, chunk_count 0: nothing to upload, so the edge commits straight after header_ack (tree head of no chunks = SHA-256(\"\")).", "answer header_ack and commit straight away", "SHARD-2.3-commit")
            .Note("MultiSignature", VectorBugType.EdgeCase, "§3.3 \"Contains multiple signatures from potential keyholders\": every entry of the bundle must be a trust anchor's valid signature.", "answer header_ack when every entry verifies; refuse otherwise", "SHARD-2.2-signatures")
            .Rule("LongChain", VectorBugType.EdgeCase, "SHARD-3.2-provenance", "answer header_ack when every link verifies; refuse otherwise", "Several links, each one's parent the next one's version.")
            .Note("Canonicalisation", VectorBugType.Canonicalization, "Signatures cover the JCS (RFC 8785) of the header, so member order and whitespace in the message text do not matter.", "answer header_ack: the signatures verify over the JCS form", "RFC 8785")
            .Note("ExtraMember", VectorBugType.EdgeCase, "A member the model does not know, covered by the bundle: ignored, not refused.", "ignore the member: answer header_ack")
            .Note("AuthWindow", VectorBugType.EdgeCase, "§4.1 \"ephemeral session tokens and timestamps\": the auth token's issued_at must be within 60 s of the edge's clock, either way (SPEC-NOTES.md \"Shard signatures\"); exactly 60 s is inside.", $"answer header_ack inside the window (60 s included); refuse with {ShardErrorCode.AuthStale.Wire()} outside", "SHARD-4.1-auth-fresh", "SPEC-NOTES.md#shard-signatures")
            .Rule("Override", VectorBugType.EdgeCase, "SHARD-2.4-override", $"on an inactive parent with the authority's valid override, answer header_ack and record the override in the audit log; otherwise refuse ({ShardErrorCode.VersionInvalidated.Wire()} for an invalid override)", "The override is signed by the shard authority for this version and parent.")
            .Note("MalformedHeader", VectorBugType.Malformed, "A header that is not I-JSON, misses a member or has one of the wrong type or range.", $"refuse with {ShardErrorCode.InvalidMessage.Wire()}", "SHARD-3-messages", "SPEC-NOTES.md#shard-messages")
            .Rule("BadVersionId", VectorBugType.Malformed, "SHARD-3.5-version-id", $"refuse with {ShardErrorCode.InvalidMessage.Wire()}", null)
            .Note("ManifestMismatch", VectorBugType.ModifiedParameter, "§3.1 the manifest's Size \"for resource allocation\": the header's size must equal the size the hello's manifest announced.", $"refuse with {ShardErrorCode.InvalidMessage.Wire()}")
            .Rule("BadBundle", VectorBugType.AuthBypass, "SHARD-2.2-signatures", $"refuse with {ShardErrorCode.SignatureInvalid.Wire()}", "An empty bundle, or an entry that is not a trust anchor's valid signature over the header.")
            .Note("UntrustedKey", VectorBugType.AuthBypass, "A signature by a key that is not a trust anchor (or a key_id that names no anchor).", $"refuse with {ShardErrorCode.SignatureInvalid.Wire()}", "SHARD-2.2-signatures")
            .Note("TamperedAfterSigning", VectorBugType.AuthBypass, "A member changed after the signature was made: the signature no longer covers the header as sent.", $"refuse with {ShardErrorCode.SignatureInvalid.Wire()}", "SHARD-2.2-signatures")
            .Rule("AuthUnbound", VectorBugType.AuthBypass, "SHARD-2.2-auth-token", $"refuse with {ShardErrorCode.AuthInvalid.Wire()}", "The token must name this session's token and this shard.")
            .Note("AuthSignature", VectorBugType.AuthBypass, "The auth token is not signed by a trust anchor.", $"refuse with {ShardErrorCode.AuthInvalid.Wire()}", "SHARD-2.2-auth-token")
            .Rule("AuthStale", VectorBugType.Replay, "SHARD-4.1-auth-fresh", $"refuse with {ShardErrorCode.AuthStale.Wire()}", "Issued more than 60 s before or after the edge's clock.")
            .Rule("Replay", VectorBugType.Replay, "SHARD-4.1-token-single-use", $"refuse with {ShardErrorCode.Replay.Wire()}", "A header carrying another session's token.")
            .Rule("BadProvenance", VectorBugType.ModifiedParameter, "SHARD-3.2-provenance", $"refuse with {ShardErrorCode.ProvenanceInvalid.Wire()}", "Empty, not starting at the header's version and parent, not linked (a link's parent must be the next link's version), or a link not signed by a trust anchor.")
            .Rule("VersionConflict", VectorBugType.ModifiedParameter, "SHARD-2.2-version-conflict", $"refuse with {ShardErrorCode.VersionConflict.Wire()}", "A version_id the shard already has, active or not.")
            .Rule("RebaseRequired", VectorBugType.ModifiedParameter, "SHARD-4.4-rebase", $"refuse with {ShardErrorCode.RebaseRequired.Wire()}", "The parent must be the canonical version.")
            .Rule("Invalidated", VectorBugType.ModifiedParameter, "SHARD-2.4-override", $"refuse with {ShardErrorCode.VersionInvalidated.Wire()}", "A parent that was rolled back (inactive), without a valid override by the configured authority.");

        var rng = new SeededBits(seed, "shard-header");
        var n = 0;
        ShardVectorKit.Payload Pay(int size, int chunk) => new(rng.Bytes(size), chunk);

        // Registry shapes.
        var p1 = Pay(200, 64);
        var p2 = Pay(300, 64);
        void Empty(MemoryRegistry r) { }
        void HasV1(MemoryRegistry r) => r.Seed(ShardId, "v1.0.0", VectorJson.Hex(p1.Root), p1.Bytes.Length);
        void HasV1V2(MemoryRegistry r) { HasV1(r); r.Seed(ShardId, "v1.1.0", VectorJson.Hex(p2.Root), p2.Bytes.Length); }
        void V2RolledBack(MemoryRegistry r) { HasV1V2(r); r.Rollback(ShardId, "v1.1.0", "user-initiated revert", Start); }

        void Run(string group, IEnumerable<Case> cases)
        {
            b.Group(group, SharedInputs());
            foreach (var c in cases) Emit(b, seed, n++, c);
        }

        // ---------------------------------------------------------------- valid
        var valid = new List<Case>();
        foreach (var (size, chunk) in new (int, int)[] { (1, 16), (16, 16), (100, 16), (1000, 256), (4097, 1024), (64, 100), (777, 7) })
        {
            var p = Pay(size, chunk);
            var semver = p.Upload(ShardId, "v1.0.0", null);
            valid.Add(new($"first version v1.0.0, {size} bytes in {p.ChunkCount} chunk(s) of {chunk}", ["ValidHeader", "FirstVersion"], semver, Empty,
                t => Text(Header(semver, t, Start))));
            var hashed = p.Upload(ShardId, p.HashVersion, null);
            valid.Add(new($"first version {p.HashVersion[..16]}…, {size} bytes in {p.ChunkCount} chunk(s) of {chunk}", ["ValidHeader", "FirstVersion", "HashVersionId"], hashed, Empty,
                t => Text(Header(hashed, t, Start))));
        }
        var pNext = Pay(500, 128);
        var next = pNext.Upload(ShardId, "v1.1.0", "v1.0.0", [LinkRecord(Node, ShardId, "v1.0.0", null)]);
        valid.Add(new("v1.1.0 on the canonical v1.0.0, chain of two links", ["ValidHeader", "LongChain"], next, HasV1, t => Text(Header(next, t, Start))));
        var nextShort = pNext.Upload(ShardId, "v1.1.0", "v1.0.0");
        valid.Add(new("v1.1.0 on the canonical v1.0.0, one link", ["ValidHeader"], nextShort, HasV1, t => Text(Header(nextShort, t, Start))));
        var third = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", [LinkRecord(Node, ShardId, "v1.1.0", "v1.0.0"), LinkRecord(Authority, ShardId, "v1.0.0", null)]);
        valid.Add(new("v1.2.0 on v1.1.0, three links (one signed by the authority)", ["ValidHeader", "LongChain"], third, HasV1V2, t => Text(Header(third, t, Start))));
        var afterRollback = pNext.Upload(ShardId, "v1.2.0", "v1.0.0");
        valid.Add(new("v1.2.0 on v1.0.0, reinstated as canonical after v1.1.0 was rolled back", ["ValidHeader"], afterRollback, V2RolledBack,
            t => Text(Header(afterRollback, t, Start))));
        var pFirst = Pay(300, 100);
        var first = pFirst.Upload(ShardId, "v2.1.0", null);
        valid.Add(new("bundle signed by the node and the authority", ["ValidHeader", "FirstVersion", "MultiSignature"], first, Empty,
            t => Text(Resign(Header(first, t, Start), Node, Authority))));
        valid.Add(new("bundle signed by the authority alone", ["ValidHeader", "FirstVersion"], first, Empty, t => Text(Resign(Header(first, t, Start), Authority))));
        valid.Add(new("auth token signed by the authority", ["ValidHeader", "FirstVersion"], first, Empty,
            t => { var h = Header(first, t, Start); ResignAuth(h, Authority); return Text(Resign(h, Node)); }));
        valid.Add(new("bundle with the same valid signature twice", ["ValidHeader", "FirstVersion", "MultiSignature"], first, Empty,
            t => Text(Resign(Header(first, t, Start), Node, Node))));
        foreach (var (offset, what) in new (long, string)[] { (-60_000, "exactly 60 s before"), (60_000, "exactly 60 s after"), (-59_999, "59.999 s before"), (-1_000, "1 s before"), (30_000, "30 s after") })
            valid.Add(new($"auth token issued {what} the edge's clock", ["ValidHeader", "FirstVersion", "AuthWindow"], first, Empty,
                t => Text(Header(first, t, Start.AddMilliseconds(offset)))));
        valid.Add(new("members in reverse order, indented over several lines", ["ValidHeader", "FirstVersion", "Canonicalisation"], first, Empty,
            t => Reordered(Header(first, t, Start))));
        valid.Add(new("an unknown member (policy flags, §3.4) covered by the bundle", ["ValidHeader", "FirstVersion", "ExtraMember"], first, Empty,
            t => { var h = Header(first, t, Start); h["policy"] = new JsonObject { ["retention"] = "P30D" }; return Text(Resign(h, Node)); }));
        var big = pFirst.Upload(ShardId, "v999999999.999999999.999999999", null);
        valid.Add(new("largest semver version id", ["ValidHeader", "FirstVersion"], big, Empty, t => Text(Header(big, t, Start))));
        var empty = new ShardVectorKit.Payload([], 64);
        var emptySemver = empty.Upload(ShardId, "v0.0.1", null);
        valid.Add(new("empty upload: header_ack, then the commit", ["ValidHeader", "FirstVersion", "EmptyUpload"], emptySemver, Empty, t => Text(Header(emptySemver, t, Start))));
        var emptyHashed = empty.Upload(ShardId, empty.HashVersion, null);
        valid.Add(new("empty upload with the empty tree's hash version id", ["ValidHeader", "FirstVersion", "EmptyUpload", "HashVersionId"], emptyHashed, Empty,
            t => Text(Header(emptyHashed, t, Start))));
        var grant = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.1.0", "restore a reviewed revision"));
        valid.Add(new("v1.2.0 on the invalidated v1.1.0 with the authority's override", ["ValidHeader", "Override"], grant, V2RolledBack, t => Text(Header(grant, t, Start))));
        var needless = pNext.Upload(ShardId, "v1.1.0", "v1.0.0", grant: Override(Authority, ShardId, "v1.1.0", "v1.0.0", "not needed"));
        valid.Add(new("an override on an active canonical parent is not needed and not recorded", ["ValidHeader", "Override"], needless, HasV1, t => Text(Header(needless, t, Start))));
        Run("HeaderValid", valid);

        // ---------------------------------------------------------------- malformed
        var pm = Pay(300, 100);
        var up = pm.Upload(ShardId, "v1.0.0", null);
        var malformed = new List<Case>
        {
            new("not JSON", ["MalformedHeader"], up, Empty, t => Text(Header(up, t, Start))[..40]),
            new("duplicate member version_id", ["MalformedHeader"], up, Empty, t => Text(Header(up, t, Start)).Replace("\"version_id\":\"v1.0.0\"", "\"version_id\":\"v1.0.0\",\"version_id\":\"v1.0.1\"", StringComparison.Ordinal)),
            new("a JSON array, not an object", ["MalformedHeader"], up, Empty, t => "[" + Text(Header(up, t, Start)) + "]"),
        };
        foreach (var member in new[] { "session_token", "shard_id", "version_id", "parent_version_id", "provenance_chain", "signatures", "auth_token", "merkle_root", "chunk_size", "chunk_count", "size" })
            malformed.Add(new($"member {member} missing", ["MalformedHeader"], up, Empty, t => Text(member == "signatures" ? Without(Header(up, t, Start), member) : Resign(Without(Header(up, t, Start), member), Node))));
        (string Member, JsonNode? Value, string What)[] wrong =
        [
            ("shard_id", "", "empty shard_id"), ("shard_id", 7, "numeric shard_id"), ("parent_version_id", "", "empty parent_version_id"),
            ("chunk_size", 0, "chunk_size 0"), ("chunk_size", 4 * 1024 * 1024 + 1, "chunk_size above 4 MiB"), ("chunk_size", "100", "chunk_size as a string"),
            ("chunk_size", 100.5, "fractional chunk_size"), ("size", -1, "negative size"), ("chunk_count", 4, "chunk_count one too many"), ("chunk_count", 2, "chunk_count one too few"),
            ("merkle_root", null, "merkle_root null"), ("provenance_chain", new JsonObject(), "provenance_chain an object"), ("signatures", "sig", "signatures a string"),
            ("auth_token", "token", "auth_token a string"), ("override", "yes", "override a string"),
        ];
        foreach (var (member, value, what) in wrong)
            malformed.Add(new(what, ["MalformedHeader"], up, Empty, t => { var h = Header(up, t, Start); h[member] = value?.DeepClone(); return Text(member == "signatures" ? h : Resign(h, Node)); }));
        malformed.Add(new("merkle_root in uppercase hex", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["merkle_root"] = h["merkle_root"]!.GetValue<string>().ToUpperInvariant(); return Text(Resign(h, Node)); }));
        malformed.Add(new("merkle_root of 31 bytes", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["merkle_root"] = h["merkle_root"]!.GetValue<string>()[..62]; return Text(Resign(h, Node)); }));
        malformed.Add(new("a provenance link that is a string", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["provenance_chain"]!.AsArray().Add("v0.9.0"); return Text(Resign(h, Node)); }));
        malformed.Add(new("a provenance link without key_id", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["provenance_chain"]![0]!.AsObject().Remove("key_id"); return Text(Resign(h, Node)); }));
        malformed.Add(new("a bundle entry that is a string", ["MalformedHeader"], up, Empty,
            t => { var h = Resign(Header(up, t, Start), Node); h["signatures"]!.AsArray().Add("extra"); return Text(h); }));
        malformed.Add(new("a bundle entry without key_id", ["MalformedHeader"], up, Empty,
            t => { var h = Resign(Header(up, t, Start), Node); h["signatures"]![0]!.AsObject().Remove("key_id"); return Text(h); }));
        malformed.Add(new("auth_token.issued_at not UTC (+01:00)", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["auth_token"]!["issued_at"] = "2026-01-01T01:00:00.000+01:00"; ResignAuth(h, Node); return Text(Resign(h, Node)); }));
        malformed.Add(new("auth_token.issued_at not a time", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["auth_token"]!["issued_at"] = "yesterday"; ResignAuth(h, Node); return Text(Resign(h, Node)); }));
        malformed.Add(new("auth_token without session_token", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["auth_token"]!.AsObject().Remove("session_token"); ResignAuth(h, Node); return Text(Resign(h, Node)); }));
        malformed.Add(new("override without reason", ["MalformedHeader"], up, Empty,
            t => { var h = Header(up, t, Start); h["override"] = new JsonObject { ["key_id"] = Authority.KeyId, ["signature"] = "AAAA" }; return Text(Resign(h, Node)); }));
        var bigger = pm.Upload(ShardId, "v1.0.0", null) with { Size = 301 };
        malformed.Add(new("size 300 in the header, 301 in the hello's manifest", ["MalformedHeader", "ManifestMismatch"], bigger, Empty, t => Text(Header(up, t, Start))));
        foreach (var bad in new[] { "2.1.0", "v2.1", "v02.1.0", "V2.1.0", "mth:" + VectorJson.Hex(pm.Root).ToUpperInvariant(), "hash-based: 7ecf349b1", "v2.1.0-beta" })
        {
            var u = pm.Upload(ShardId, bad, null);
            malformed.Add(new($"version_id \"{(bad.Length > 24 ? bad[..24] + "…" : bad)}\"", ["MalformedHeader", "BadVersionId"], u, Empty, t => Text(Header(u, t, Start))));
        }
        Run("HeaderMalformed", malformed);

        // ---------------------------------------------------------------- signature bundle
        var sig = new List<Case>
        {
            new("empty signature bundle", ["BadBundle"], up, Empty, t => Text(Resign(Header(up, t, Start)))),
            new("bundle signed by an untrusted key", ["BadBundle", "UntrustedKey"], up, Empty, t => Text(Resign(Header(up, t, Start), Stranger))),
            new("node and untrusted signatures: one bad entry spoils the bundle", ["BadBundle", "UntrustedKey", "MultiSignature"], up, Empty, t => Text(Resign(Header(up, t, Start), Node, Stranger))),
            new("untrusted key's signature under the node's key_id", ["BadBundle", "UntrustedKey"], up, Empty,
                t => { var h = Resign(Header(up, t, Start), Stranger); h["signatures"]![0]!["key_id"] = Node.KeyId; return Text(h); }),
            new("merkle_root changed after signing", ["BadBundle", "TamperedAfterSigning"], up, Empty,
                t => { var h = Header(up, t, Start); h["merkle_root"] = VectorJson.Hex(pNext.Root); return Text(h); }),
            new("size changed after signing (manifest says the same)", ["BadBundle", "TamperedAfterSigning"], pm.Upload(ShardId, "v1.0.0", null) with { Size = 250 }, Empty,
                t => { var h = Header(up, t, Start); h["size"] = 250; h["chunk_count"] = 3; return Text(h); }),
            new("a member added after signing", ["BadBundle", "TamperedAfterSigning"], up, Empty,
                t => { var h = Header(up, t, Start); h["policy"] = "read-only"; return Text(h); }),
            new("signature over the header including an empty \"signatures\"", ["BadBundle"], up, Empty,
                t => { var h = Header(up, t, Start); h["signatures"] = new JsonArray(); var s = ShardSigning.Sign(Node.Signer, ShardSigning.Input(h));
                       h["signatures"] = new JsonArray(new JsonObject { ["key_id"] = Node.KeyId, ["signature"] = s }); return Text(h); }),
            new("signature over the header's non-canonical text (not JCS)", ["BadBundle"], up, Empty,
                t => { var h = Header(up, t, Start); h.Remove("signatures"); var s = Convert.ToBase64String(Node.Signer.Sign(System.Text.Encoding.UTF8.GetBytes(h.ToJsonString())));
                       h["signatures"] = new JsonArray(new JsonObject { ["key_id"] = Node.KeyId, ["signature"] = s }); return Text(h); }),
            new("signature not base64", ["BadBundle"], up, Empty, t => { var h = Header(up, t, Start); h["signatures"]![0]!["signature"] = "not base64!"; return Text(h); }),
            new("signature truncated to 63 bytes", ["BadBundle"], up, Empty,
                t => { var h = Header(up, t, Start); h["signatures"]![0]!["signature"] = Convert.ToBase64String(Convert.FromBase64String(h["signatures"]![0]!["signature"]!.GetValue<string>())[..63]); return Text(h); }),
            new("key_id naming no key", ["BadBundle", "UntrustedKey"], up, Empty, t => { var h = Header(up, t, Start); h["signatures"]![0]!["key_id"] = new string('0', 64); return Text(h); }),
        };
        for (var i = 0; i < 4; i++)
        {
            var bit = (int)(rng.Next() % 512);
            sig.Add(new($"bit {bit} of the bundle signature flipped", ["BadBundle"], up, Empty, t =>
            {
                var h = Header(up, t, Start);
                var raw = Convert.FromBase64String(h["signatures"]![0]!["signature"]!.GetValue<string>());
                raw[bit / 8] ^= (byte)(1 << (bit % 8));
                h["signatures"]![0]!["signature"] = Convert.ToBase64String(raw);
                return Text(h);
            }));
        }
        Run("HeaderSignature", sig);

        // ---------------------------------------------------------------- auth token and replay
        var auth = new List<Case>
        {
            new("auth token bound to another session token", ["AuthUnbound"], up, Empty,
                t => { var h = Header(up, t, Start); h["auth_token"]!["session_token"] = "EDGE-SESSION-" + Convert.ToBase64String(rng.Bytes(16)); ResignAuth(h, Node); return Text(Resign(h, Node)); }),
            new("auth token bound to another shard", ["AuthUnbound"], up, Empty,
                t => { var h = Header(up, t, Start); h["auth_token"]!["shard_id"] = "shard-other"; ResignAuth(h, Node); return Text(Resign(h, Node)); }),
            new("auth token signed by an untrusted key", ["AuthSignature", "UntrustedKey"], up, Empty,
                t => { var h = Header(up, t, Start); ResignAuth(h, Stranger); return Text(Resign(h, Node)); }),
            new("auth token signed by an untrusted key under the node's key_id", ["AuthSignature", "UntrustedKey"], up, Empty,
                t => { var h = Header(up, t, Start); ResignAuth(h, Stranger, Node.KeyId); return Text(Resign(h, Node)); }),
            new("auth token signed by the node under the authority's key_id", ["AuthSignature"], up, Empty,
                t => { var h = Header(up, t, Start); ResignAuth(h, Node, Authority.KeyId); return Text(Resign(h, Node)); }),
            new("auth token issued_at changed after signing (bundle re-signed)", ["AuthSignature", "TamperedAfterSigning"], up, Empty,
                t => { var h = Header(up, t, Start); h["auth_token"]!["issued_at"] = Time(Start.AddSeconds(1)); return Text(Resign(h, Node)); }),
            new("auth token without a valid signature", ["AuthSignature"], up, Empty,
                t => { var h = Header(up, t, Start); h["auth_token"]!["signature"] = Convert.ToBase64String(new byte[64]); return Text(Resign(h, Node)); }),
            new("header carrying another session's token (auth token bound to it too)", ["Replay"], up, Empty,
                t => Text(Header(up, "EDGE-SESSION-" + Model.Codec.Base64Url.Encode(rng.Bytes(16)), Start))),
            new("header with the right token but the auth token of another session", ["AuthUnbound", "Replay"], up, Empty,
                t => { var h = Header(up, t, Start); var old = Header(up, "EDGE-SESSION-previous", Start); h["auth_token"] = old["auth_token"]!.DeepClone(); return Text(Resign(h, Node)); }),
        };
        foreach (var (offset, what) in new (long, string)[] { (-60_001, "60.001 s before"), (-61_000, "61 s before"), (-3_600_000, "an hour before"), (60_001, "60.001 s after"), (61_000, "61 s after"), (-86_400_000L * 365, "a year before") })
            auth.Add(new($"auth token issued {what} the edge's clock", ["AuthStale", "AuthWindow"], up, Empty, t => Text(Header(up, t, Start.AddMilliseconds(offset)))));
        Run("HeaderAuth", auth);

        // ---------------------------------------------------------------- provenance
        var pv = pNext.Upload(ShardId, "v1.1.0", "v1.0.0");
        var prov = new List<Case>
        {
            new("empty provenance chain", ["BadProvenance"], pv, HasV1, t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(); return Text(Resign(h, Node)); }),
            new("first link names another version", ["BadProvenance"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Node, ShardId, "v1.0.1", "v1.0.0")); return Text(Resign(h, Node)); }),
            new("first link names another parent", ["BadProvenance"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Node, ShardId, "v1.1.0", null)); return Text(Resign(h, Node)); }),
            new("chain broken: link 0's parent v1.0.0, link 1 is v0.9.0", ["BadProvenance", "LongChain"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"]!.AsArray().Add(Link(Node, ShardId, "v0.9.0", null)); return Text(Resign(h, Node)); }),
            new("chain in the wrong order (oldest first)", ["BadProvenance", "LongChain"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Node, ShardId, "v1.0.0", null), Link(Node, ShardId, "v1.1.0", "v1.0.0")); return Text(Resign(h, Node)); }),
            new("first link signed by an untrusted key", ["BadProvenance", "UntrustedKey"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Stranger, ShardId, "v1.1.0", "v1.0.0")); return Text(Resign(h, Node)); }),
            new("first link: untrusted signature under the node's key_id", ["BadProvenance", "UntrustedKey"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Stranger, ShardId, "v1.1.0", "v1.0.0", Node.KeyId)); return Text(Resign(h, Node)); }),
            new("first link signed for another shard_id", ["BadProvenance"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"] = new JsonArray(Link(Node, "shard-other", "v1.1.0", "v1.0.0")); return Text(Resign(h, Node)); }),
            new("second link signed by an untrusted key", ["BadProvenance", "LongChain", "UntrustedKey"], pv, HasV1,
                t => { var h = Header(pv, t, Start); h["provenance_chain"]!.AsArray().Add(Link(Stranger, ShardId, "v1.0.0", null)); return Text(Resign(h, Node)); }),
            new("second link's signature swapped with the first's", ["BadProvenance", "LongChain"], pv, HasV1,
                t => { var h = Header(pv, t, Start); var l1 = Link(Node, ShardId, "v1.0.0", null); l1["signature"] = h["provenance_chain"]![0]!["signature"]!.DeepClone(); h["provenance_chain"]!.AsArray().Add(l1); return Text(Resign(h, Node)); }),
        };
        Run("HeaderProvenance", prov);

        // ---------------------------------------------------------------- the registry's view
        var conflictSame = pNext.Upload(ShardId, "v1.0.0", null);
        var conflictChild = pNext.Upload(ShardId, "v1.0.0", "v1.0.0");
        var inactiveAgain = pNext.Upload(ShardId, "v1.1.0", "v1.0.0");
        var hashTwice = p1.Upload(ShardId, p1.HashVersion, null);
        var staleParent = pNext.Upload(ShardId, "v1.2.0", "v1.0.0");
        var noParent = pNext.Upload(ShardId, "v1.1.0", null);
        var unknownParent = pNext.Upload(ShardId, "v1.1.0", "v0.9.0");
        var parentOnEmpty = pNext.Upload(ShardId, "v1.1.0", "v1.0.0");
        var onInactive = pNext.Upload(ShardId, "v1.2.0", "v1.1.0");
        var byNode = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Node, ShardId, "v1.2.0", "v1.1.0", "node says so"));
        var byStranger = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Stranger, ShardId, "v1.2.0", "v1.1.0", "stranger says so"));
        var reasonChanged = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.1.0", "broader reason", signedReason: "narrow reason"));
        var otherParent = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.0.0", "signed for another parent"));
        var otherVersion = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.3.0", "v1.1.0", "signed for another version"));
        var strangerAsAuthority = pNext.Upload(ShardId, "v1.2.0", "v1.1.0", grant: OverrideClaiming(Stranger, Authority.KeyId, ShardId, "v1.2.0", "v1.1.0", "forged"));
        var overrideStale = pNext.Upload(ShardId, "v1.2.0", "v1.0.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.0.0", "not an invalidated parent"));
        var registry = new List<Case>
        {
            new("v1.0.0 again, as a first version, while v1.0.0 exists", ["VersionConflict"], conflictSame, HasV1, t => Text(Header(conflictSame, t, Start))),
            new("v1.0.0 again, on v1.0.0", ["VersionConflict"], conflictChild, HasV1, t => Text(Header(conflictChild, t, Start))),
            new("v1.1.0 again, though that version was rolled back (inactive entries are kept)", ["VersionConflict"], inactiveAgain, V2RolledBack, t => Text(Header(inactiveAgain, t, Start))),
            new("the same hash-based version again", ["VersionConflict", "HashVersionId"], hashTwice, r => r.Seed(ShardId, p1.HashVersion, VectorJson.Hex(p1.Root), p1.Bytes.Length),
                t => Text(Header(hashTwice, t, Start))),
            new("parent v1.0.0 while v1.1.0 is canonical", ["RebaseRequired"], staleParent, HasV1V2, t => Text(Header(staleParent, t, Start))),
            new("no parent while v1.0.0 is canonical", ["RebaseRequired"], noParent, HasV1, t => Text(Header(noParent, t, Start))),
            new("parent v0.9.0, which the registry does not have", ["RebaseRequired"], unknownParent, HasV1, t => Text(Header(unknownParent, t, Start))),
            new("parent v1.0.0 on a shard with no version", ["RebaseRequired"], parentOnEmpty, Empty, t => Text(Header(parentOnEmpty, t, Start))),
            new("override on a parent that is active but not canonical", ["RebaseRequired", "Override"], overrideStale, HasV1V2, t => Text(Header(overrideStale, t, Start))),
            new("parent v1.1.0 was rolled back; no override", ["Invalidated"], onInactive, V2RolledBack, t => Text(Header(onInactive, t, Start))),
            new("override signed by the node, not the authority", ["Invalidated", "Override"], byNode, V2RolledBack, t => Text(Header(byNode, t, Start))),
            new("override signed by an untrusted key", ["Invalidated", "Override", "UntrustedKey"], byStranger, V2RolledBack, t => Text(Header(byStranger, t, Start))),
            new("override by an untrusted key under the authority's key_id", ["Invalidated", "Override", "UntrustedKey"], strangerAsAuthority, V2RolledBack, t => Text(Header(strangerAsAuthority, t, Start))),
            new("override whose reason was changed after signing", ["Invalidated", "Override", "TamperedAfterSigning"], reasonChanged, V2RolledBack, t => Text(Header(reasonChanged, t, Start))),
            new("override signed for another parent", ["Invalidated", "Override"], otherParent, V2RolledBack, t => Text(Header(otherParent, t, Start))),
            new("override signed for another version", ["Invalidated", "Override"], otherVersion, V2RolledBack, t => Text(Header(otherVersion, t, Start))),
        };
        Run("HeaderRegistry", registry);
        return b.Build();
    }

    private static JsonObject OverrideClaiming(VectorKey key, string keyId, string shardId, string versionId, string parent, string reason)
    {
        var o = Override(key, shardId, versionId, parent, reason);
        o["key_id"] = keyId;
        return o;
    }

    private static string Text(JsonObject o) => ShardMessages.Write(o);

    private static JsonObject Without(JsonObject o, string member)
    {
        o.Remove(member);
        return o;
    }

    /// <summary>The same header, members in reverse order, written with spaces and newlines.</summary>
    private static string Reordered(JsonObject h)
    {
        var r = new JsonObject();
        foreach (var (k, v) in h.Reverse().ToArray()) r[k] = v?.DeepClone();
        return r.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, NewLine = "\n" });
    }

    private static void Emit(VectorFileBuilder b, ulong seed, int n, Case c)
    {
        var registry = new MemoryRegistry();
        c.Setup(registry);
        var edge = new EdgeDriver(registry, new SeededEnvironment(seed, Start, $"shard-header-edge-{n}"));
        var hello = Hello(c.Upload, new SeededEnvironment(seed, Start, $"shard-header-node-{n}"));
        var ack = edge.Text(hello);
        var token = EdgeDriver.Token(ack);
        var before = registry.State(ShardId);
        var header = c.Make(token);
        var r = edge.Text(header);
        var accepted = r.Wire.Any(w => (string?)w!["message"]?["type"] == "header_ack");
        var fields = new JsonObject
        {
            ["now"] = Time(Start),
            ["sessionToken"] = token,
            ["hello"] = hello,
            ["registry"] = before,
            ["header"] = header,
            ["accepted"] = accepted,
            ["replies"] = r.Wire,
            ["effects"] = r.Effects,
        };
        if (!accepted)
        {
            var e = edge.Rejections.Last();
            fields["errorCode"] = e.Code.Wire();
            fields["rule"] = e.Rule;
        }
        var isValid = c.Flags.Contains("ValidHeader");
        if (isValid != accepted) throw new InvalidOperationException($"shard/header: \"{c.Comment}\" was meant to be {(isValid ? "accepted" : "refused")}, the model says otherwise");
        b.Test(c.Comment, accepted ? VectorResult.Valid : VectorResult.Invalid, fields, c.Flags);
    }
}
