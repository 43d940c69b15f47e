// vectors/shard/transcripts.json: whole hand-offs driven through the edge model (ShardEdge.Run), connection by
// connection, over an in-memory Lattice Registry with the reference store's semantics. Each step is what the node sent
// (a control message, a binary chunk frame, or a disconnect), what the edge sent back (messages and closes, in order)
// and what it asked of the registry; each test ends with the registry's state.
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Suite.Vectors.Ltp;
using static Conformance.Suite.Vectors.Shard.ShardVectorKit;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class TranscriptVectors : IVectorTopic
{
    public string Spec => "shard";
    public string Topic => "transcripts";

    private const string ShardId = "shard-transcript";

    private sealed record Scenario(string Group, string Comment, string[] Flags, bool Valid, Action<Script> Run);

    public VectorFile Generate(ulong seed)
    {
        var b = Builder(seed)
            .Note("OneChunk", VectorBugType.Basic, "§2.3 an upload of a single chunk (size ≤ chunk_size): its proof is empty and its leaf hash is the tree head.", "acknowledge the chunk and commit (Commit-Ack)", "SHARD-2.3-commit")
            .Note("ManyChunks", VectorBugType.Basic, "§2.3 \"The payload is typically broken into smaller chunks for reliability. Each chunk is appended with a [...] Merkle-based integrity proof.\"", "acknowledge every chunk and commit", "SHARD-4.2-chunk-proof", "SHARD-2.3-commit")
            .Note("ShortLastChunk", VectorBugType.EdgeCase, "The last chunk is shorter than chunk_size (size is not a multiple of it); every other chunk must have exactly chunk_size bytes.", "acknowledge it and commit")
            .Note("EmptyUpload", VectorBugType.EdgeCase, "size 0, chunk_count 0: the edge commits right after header_ack; the tree head of no chunks is SHA-256(\"\").", "commit right after header_ack", "SHARD-2.3-commit")
            .Rule("HashVersionId", VectorBugType.Basic, "SHARD-4.2-final-hash", $"commit when the tree head matches the id; otherwise {ShardErrorCode.HashMismatch.Wire()}, close, nothing committed", "The project's hash-based version id is \"mth:\" + tree head.", "SHARD-3.5-version-id")
            .Note("OutOfOrder", VectorBugType.Ordering, "Chunks may arrive in any order: each is checked by its own proof and stored at index × chunk_size.", "acknowledge each chunk; commit when all have arrived", "SHARD-4.2-chunk-proof")
            .Note("DuplicateChunk", VectorBugType.Replay, "A chunk already received is acknowledged again and not stored twice.", "acknowledge it again; do not store it twice")
            .Rule("Negotiation", VectorBugType.ModifiedParameter, "SHARD-2.1-negotiation", $"pick the highest shared version; with none, {ShardErrorCode.VersionUnsupported.Wire()} and close 1000", null)
            .Rule("Order", VectorBugType.Ordering, "SHARD-2-order", $"{ShardErrorCode.UnexpectedMessage.Wire()}: before the upload is accepted it ends the session, after the commit the session survives it", null, "SPEC-NOTES.md#shard-messages")
            .Rule("TamperedChunk", VectorBugType.ModifiedParameter, "SHARD-4.2-chunk-proof", $"chunk_nack with {ShardErrorCode.ChunkInvalid.Wire()}; accept the chunk sent again", "The chunk does not prove into merkle_root.")
            .Rule("ChunkBounds", VectorBugType.EdgeCase, "SHARD-4.2-chunk-bounds", $"chunk_nack with {ShardErrorCode.ChunkInvalid.Wire()} or {ShardErrorCode.ChunkIndexInvalid.Wire()}; the session goes on", "A chunk of the wrong length or outside 0..chunk_count-1.")
            .Rule("Resend", VectorBugType.Basic, "SHARD-4.2-resend", "accept the chunk sent again and complete the upload", "After a chunk_nack the node sends the chunk again, correct this time.")
            .Rule("FinalHash", VectorBugType.ModifiedParameter, "SHARD-4.2-final-hash", $"{ShardErrorCode.HashMismatch.Wire()}, close, nothing committed", "Since every chunk is proved against merkle_root on arrival, the reachable mismatch is a hash-based version_id that is not merkle_root: the model only finds it at the end.")
            .Rule("Replay", VectorBugType.Replay, "SHARD-4.1-token-single-use", $"refuse ({ShardErrorCode.Replay.Wire()}, {ShardErrorCode.SessionUnknown.Wire()} or {ShardErrorCode.AuthStale.Wire()} as the transcript says)", "A committed session's token cannot be resumed, an old header or auth token is refused in a new session, a chunk under another token is refused.", "SPEC-NOTES.md#replay-and-sessions")
            .Rule("Resume", VectorBugType.Basic, "SHARD-4.3-resume", "answer resume_ack {received}; accept the rest and commit", "resume {session_token} → resume_ack {received}; the node sends only the rest. The registry is looked up again first.")
            .Note("SessionUnknown", VectorBugType.ModifiedParameter, "resume with a token the edge never issued.", $"refuse with {ShardErrorCode.SessionUnknown.Wire()}", "SHARD-4.3-resume")
            .Note("SessionExpired", VectorBugType.Replay, "resume of an open session older than its 10-minute lifetime.", $"refuse with {ShardErrorCode.SessionExpired.Wire()}", "SHARD-4.3-resume")
            .Rule("VersionConflict", VectorBugType.ModifiedParameter, "SHARD-2.2-version-conflict", $"refuse with {ShardErrorCode.VersionConflict.Wire()}", null)
            .Rule("Rebase", VectorBugType.ModifiedParameter, "SHARD-4.4-rebase", $"refuse with {ShardErrorCode.RebaseRequired.Wire()}; commit the upload rebased onto the canonical version", "A parent that is not the canonical version; the node rebases and uploads again.")
            .Note("CommitRace", VectorBugType.Ordering, "Two uploads verified against the same canonical version: the registry checks the head again inside its commit.", $"commit the first; refuse the second with {ShardErrorCode.RebaseRequired.Wire()}, writing nothing partial", "SHARD-4.3-atomic")
            .Rule("Rollback", VectorBugType.Basic, "SHARD-2.4-rollback", "mark the version inactive, reinstate the prior one, answer rollback_intent", "The edge signals Rollback-Intent (rollback_intent with the reinstated version).")
            .Rule("Audit", VectorBugType.Basic, "SHARD-2.4-audit", "record commit, rollback (reason, reinstated version) and override in the audit log", null)
            .Note("RollbackRefused", VectorBugType.ModifiedParameter, "A rollback the registry cannot do (unknown version, already inactive).", $"{ShardErrorCode.RollbackInvalid.Wire()}; the connection stays open", "SHARD-2.4-rollback-auth")
            .Note("RollbackSignature", VectorBugType.AuthBypass, "A rollback_request not signed by a trust anchor.", $"refuse with {ShardErrorCode.SignatureInvalid.Wire()}", "SHARD-2.4-rollback-auth", "SPEC-NOTES.md#shard-signatures")
            .Rule("Invalidated", VectorBugType.ModifiedParameter, "SHARD-2.4-override", $"refuse with {ShardErrorCode.VersionInvalidated.Wire()}", "Building on an inactive version without the authority's signed override.")
            .Note("Override", VectorBugType.EdgeCase, "The shard authority's signed override lets a new version build on an inactive one.", "accept and record the override in the audit log", "SHARD-2.4-override");

        var rng = new SeededBits(seed, "shard-transcripts");
        ShardVectorKit.Payload Pay(int size, int chunk) => new(rng.Bytes(size), chunk);
        var scenarios = new List<Scenario>();
        void Add(string group, string comment, bool valid, Action<Script> run, params string[] flags) => scenarios.Add(new(group, comment, flags, valid, run));

        // ---------------------------------------------------------------- uploads
        foreach (var (size, chunk, hashed) in new (int, int, bool)[] { (1, 16, false), (16, 16, true), (300, 1024, false), (1024, 1024, true) })
        {
            var p = Pay(size, chunk);
            Add("TranscriptUpload", $"one chunk: {size} bytes, chunk_size {chunk}, {(hashed ? "hash-based" : "semver")} version", true,
                s => s.Upload(1, p, p.Upload(ShardId, hashed ? p.HashVersion : "v1.0.0", null)), hashed ? ["OneChunk", "HashVersionId"] : ["OneChunk"]);
        }
        foreach (var (size, chunk, hashed) in new (int, int, bool)[] { (256, 32, false), (320, 64, true), (1024, 64, false), (264, 8, true) })
        {
            var p = Pay(size, chunk);
            Add("TranscriptUpload", $"{p.ChunkCount} full chunks of {chunk} bytes, {(hashed ? "hash-based" : "semver")} version", true,
                s => s.Upload(1, p, p.Upload(ShardId, hashed ? p.HashVersion : "v1.0.0", null)), hashed ? ["ManyChunks", "HashVersionId"] : ["ManyChunks"]);
        }
        foreach (var (size, chunk, hashed) in new (int, int, bool)[] { (100, 32, false), (65, 64, true), (1000, 64, true), (17, 4, false) })
        {
            var p = Pay(size, chunk);
            Add("TranscriptUpload", $"{size} bytes in chunks of {chunk}: the last of {p.ChunkCount} has {size - (p.ChunkCount - 1) * chunk} byte(s)", true,
                s => s.Upload(1, p, p.Upload(ShardId, hashed ? p.HashVersion : "v1.0.0", null)), hashed ? ["ManyChunks", "ShortLastChunk", "HashVersionId"] : ["ManyChunks", "ShortLastChunk"]);
        }
        var empty = new ShardVectorKit.Payload([], 64);
        Add("TranscriptUpload", "empty upload, semver version: committed after header_ack", true, s => s.Upload(1, empty, empty.Upload(ShardId, "v1.0.0", null)), "EmptyUpload");
        Add("TranscriptUpload", "empty upload, hash-based version of the empty tree", true, s => s.Upload(1, empty, empty.Upload(ShardId, empty.HashVersion, null)), "EmptyUpload", "HashVersionId");
        var base1 = Pay(200, 64);
        var child = Pay(150, 64);
        Add("TranscriptUpload", "v1.1.0 on the canonical v1.0.0", true, s =>
        {
            s.Seed(base1, "v1.0.0");
            s.Upload(1, child, child.Upload(ShardId, "v1.1.0", "v1.0.0"));
        }, "ManyChunks", "ShortLastChunk");
        var rev = Pay(320, 64);
        Add("TranscriptUpload", "chunks sent last first", true, s =>
        {
            var token = s.Begin(1, rev, rev.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, rev, token, Enumerable.Range(0, rev.ChunkCount).Reverse());
        }, "ManyChunks", "OutOfOrder");
        Add("TranscriptUpload", "chunk 1 sent twice before the rest", true, s =>
        {
            var token = s.Begin(1, rev, rev.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, rev, token, [0, 1, 1, 2, 3, 4]);
        }, "ManyChunks", "DuplicateChunk");
        Add("TranscriptUpload", "a node offering only 2.0 gets 2.0", true, s => s.Upload(1, base1, base1.Upload(ShardId, "v1.0.0", null), ["2.0"]), "Negotiation", "ManyChunks");
        Add("TranscriptUpload", "a node offering 3.0 and 2.0 gets 2.0", true, s => s.Upload(1, base1, base1.Upload(ShardId, "v1.0.0", null), ["3.0", "2.0"]), "Negotiation", "ManyChunks");
        Add("TranscriptUpload", "a node offering only 1.0: graceful termination", false,
            s => s.Send(1, Hello(base1.Upload(ShardId, "v1.0.0", null), s.NodeEnv, ["1.0"])), "Negotiation");

        // ---------------------------------------------------------------- order
        Add("TranscriptOrder", "a chunk before the header", false, s =>
        {
            var token = s.Hello(1, base1.Upload(ShardId, "v1.0.0", null));
            s.Chunk(1, token, 0, base1.Tree.Proof(0), base1.Chunk(0));
        }, "Order");
        Add("TranscriptOrder", "a second hello instead of the header", false, s =>
        {
            var u = base1.Upload(ShardId, "v1.0.0", null);
            s.Hello(1, u);
            s.Send(1, Hello(u, s.NodeEnv));
        }, "Order");
        Add("TranscriptOrder", "a chunk sent again after the commit", false, s =>
        {
            var token = s.Upload(1, base1, base1.Upload(ShardId, "v1.0.0", null));
            s.Chunk(1, token, 0, base1.Tree.Proof(0), base1.Chunk(0));
        }, "Order", "Replay");

        // ---------------------------------------------------------------- tamper
        var t5 = Pay(320, 64);
        foreach (var k in new[] { 0, 2, 4 })
        {
            Add("TranscriptTamper", $"chunk {k} of 5 with a flipped byte: refused by index, sent again, committed", true, s =>
            {
                var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
                s.Chunks(1, t5, token, Enumerable.Range(0, k));
                var bad = t5.Chunk(k);
                bad[(int)(rng.Next() % (ulong)bad.Length)] ^= 0x01;
                s.Chunk(1, token, k, t5.Tree.Proof(k), bad, "tampered in transit");
                s.Chunk(1, token, k, t5.Tree.Proof(k), t5.Chunk(k), "sent again");
                s.Chunks(1, t5, token, Enumerable.Range(k + 1, t5.ChunkCount - k - 1));
            }, "ManyChunks", "TamperedChunk", "Resend");
        }
        Add("TranscriptTamper", "chunk 3 with a flipped bit in its proof: refused, sent again", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, t5, token, [0, 1, 2]);
            var proof = t5.Tree.Proof(3).Select(x => x.ToArray()).ToList();
            proof[0][7] ^= 0x40;
            s.Chunk(1, token, 3, proof, t5.Chunk(3), "proof tampered");
            s.Chunks(1, t5, token, [3, 4]);
        }, "ManyChunks", "TamperedChunk", "Resend");
        Add("TranscriptTamper", "chunk 0's data under index 1 (with index 1's proof): refused, sent again", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, t5, token, [0]);
            s.Chunk(1, token, 1, t5.Tree.Proof(1), t5.Chunk(0), "another chunk's data");
            s.Chunks(1, t5, token, [1, 2, 3, 4]);
        }, "ManyChunks", "TamperedChunk", "Resend");
        Add("TranscriptTamper", "a one-chunk upload tampered, then sent again", true, s =>
        {
            var p = Pay(40, 64);
            var token = s.Begin(1, p, p.Upload(ShardId, p.HashVersion, null));
            var bad = p.Chunk(0);
            bad[^1] ^= 0x80;
            s.Chunk(1, token, 0, [], bad, "tampered in transit");
            s.Chunks(1, p, token, [0]);
        }, "OneChunk", "TamperedChunk", "Resend", "HashVersionId");
        Add("TranscriptTamper", "chunk 2 one byte too long: refused, sent again", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, t5, token, [0, 1]);
            s.Chunk(1, token, 2, t5.Tree.Proof(2), [.. t5.Chunk(2), 0x00], "65 bytes");
            s.Chunks(1, t5, token, [2, 3, 4]);
        }, "ManyChunks", "ChunkBounds", "Resend");
        var sl = Pay(100, 32);
        Add("TranscriptTamper", "the short last chunk padded to chunk_size: refused, sent again", true, s =>
        {
            var token = s.Begin(1, sl, sl.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, sl, token, [0, 1, 2]);
            s.Chunk(1, token, 3, sl.Tree.Proof(3), [.. sl.Chunk(3), .. new byte[32 - sl.Chunk(3).Length]], "padded with zeros");
            s.Chunks(1, sl, token, [3]);
        }, "ManyChunks", "ShortLastChunk", "ChunkBounds", "Resend");
        Add("TranscriptTamper", "index 5 of 5 chunks: refused by index, the upload goes on", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, t5, token, [0, 1]);
            s.Chunk(1, token, 5, t5.Tree.Proof(4), t5.Chunk(4), "index out of range");
            s.Chunks(1, t5, token, [2, 3, 4]);
        }, "ManyChunks", "ChunkBounds");
        Add("TranscriptTamper", "index -1: refused by index, the upload goes on", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunk(1, token, -1, t5.Tree.Proof(0), t5.Chunk(0), "negative index");
            s.Chunks(1, t5, token, [0, 1, 2, 3, 4]);
        }, "ManyChunks", "ChunkBounds");
        Add("TranscriptTamper", "a chunk under another session's token: refused, the upload goes on", true, s =>
        {
            var token = s.Begin(1, t5, t5.Upload(ShardId, "v1.0.0", null));
            s.Chunk(1, "EDGE-SESSION-" + Model.Codec.Base64Url.Encode(rng.Bytes(16)), 0, t5.Tree.Proof(0), t5.Chunk(0), "wrong session token");
            s.Chunks(1, t5, token, [0, 1, 2, 3, 4]);
        }, "ManyChunks", "Replay");

        // ---------------------------------------------------------------- final hash
        var fh = Pay(320, 64);
        var other = Pay(320, 64);
        Add("TranscriptFinalHash", "hash-based version of another payload: every chunk acknowledged, then shard.hash_mismatch", false, s =>
            s.Upload(1, fh, fh.Upload(ShardId, other.HashVersion, null)), "ManyChunks", "FinalHash", "HashVersionId");
        var fh1 = Pay(10, 64);
        Add("TranscriptFinalHash", "one chunk, hash-based version with one digit changed", false, s =>
        {
            var v = fh1.HashVersion;
            s.Upload(1, fh1, fh1.Upload(ShardId, v[..^1] + (v[^1] == '0' ? '1' : '0'), null));
        }, "OneChunk", "FinalHash", "HashVersionId");
        Add("TranscriptFinalHash", "empty upload declaring a non-empty payload's hash: header_ack, then shard.hash_mismatch", false, s =>
            s.Upload(1, empty, empty.Upload(ShardId, other.HashVersion, null)), "EmptyUpload", "FinalHash", "HashVersionId");
        Add("TranscriptFinalHash", "hash mismatch, then the node uploads again with the right version id", true, s =>
        {
            s.Upload(1, fh, fh.Upload(ShardId, other.HashVersion, null));
            s.Upload(2, fh, fh.Upload(ShardId, fh.HashVersion, null));
        }, "ManyChunks", "FinalHash", "HashVersionId");

        // ---------------------------------------------------------------- replay and resume
        var rp = Pay(256, 64);
        Add("TranscriptReplay", "resume of a session that already committed", false, s =>
        {
            var token = s.Upload(1, rp, rp.Upload(ShardId, "v1.0.0", null));
            s.Send(2, new JsonObject { ["type"] = "resume", ["session_token"] = token }, "replayed token");
        }, "Replay", "Resume");
        Add("TranscriptReplay", "the committed session's header replayed verbatim in a new session", false, s =>
        {
            var u = rp.Upload(ShardId, "v1.0.0", null);
            var token = s.Upload(1, rp, u);
            s.Hello(2, u);
            s.Send(2, Header(u, token, Start), "the old header");
        }, "Replay");
        Add("TranscriptReplay", "the next version in a new session, but with the old session's auth token", false, s =>
        {
            var token = s.Upload(1, rp, rp.Upload(ShardId, "v1.0.0", null));
            var u2 = child.Upload(ShardId, "v1.1.0", "v1.0.0");
            var t2 = s.Hello(2, u2);
            var h = Header(u2, t2, s.EdgeEnv.Now);
            h["auth_token"] = Header(u2, token, Start)["auth_token"]!.DeepClone();
            s.Send(2, Resign(h, Node), "auth token of session 1");
        }, "Replay");
        Add("TranscriptReplay", "resume with a token the edge never issued", false,
            s => s.Send(1, new JsonObject { ["type"] = "resume", ["session_token"] = "EDGE-SESSION-" + Model.Codec.Base64Url.Encode(rng.Bytes(16)) }), "SessionUnknown", "Resume");
        foreach (var k in new[] { 1, 3 })
        {
            Add("TranscriptReplay", $"dropped after {k} of 4 chunks; resumed: the edge reports what it holds, the node sends the rest", true, s =>
            {
                var token = s.Begin(1, rp, rp.Upload(ShardId, "v1.0.0", null));
                s.Chunks(1, rp, token, Enumerable.Range(0, k));
                s.Drop(1);
                s.Advance(TimeSpan.FromSeconds(30));
                s.Send(2, new JsonObject { ["type"] = "resume", ["session_token"] = token });
                s.Chunks(2, rp, token, Enumerable.Range(k, rp.ChunkCount - k));
            }, "Resume", "ManyChunks");
        }
        Add("TranscriptReplay", "dropped after the header; resumed with nothing received", true, s =>
        {
            var token = s.Begin(1, rp, rp.Upload(ShardId, "v1.0.0", null));
            s.Drop(1);
            s.Send(2, new JsonObject { ["type"] = "resume", ["session_token"] = token });
            s.Chunks(2, rp, token, Enumerable.Range(0, rp.ChunkCount));
        }, "Resume", "ManyChunks");
        Add("TranscriptReplay", "resumed 11 minutes after the drop: the session expired", false, s =>
        {
            var token = s.Begin(1, rp, rp.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, rp, token, [0, 1]);
            s.Drop(1);
            s.Advance(TimeSpan.FromMinutes(11));
            s.Send(2, new JsonObject { ["type"] = "resume", ["session_token"] = token });
        }, "Resume", "SessionExpired");
        Add("TranscriptReplay", "resumed after another upload moved the canonical version: rebase", false, s =>
        {
            s.Seed(base1, "v1.0.0");
            var token = s.Begin(1, rp, rp.Upload(ShardId, "v1.1.0", "v1.0.0"));
            s.Chunks(1, rp, token, [0, 1]);
            s.Drop(1);
            s.Upload(2, child, child.Upload(ShardId, "v1.0.1", "v1.0.0"));
            s.Send(3, new JsonObject { ["type"] = "resume", ["session_token"] = token });
        }, "Resume", "Rebase");
        Add("TranscriptReplay", "resumed after another upload committed the same version: conflict", false, s =>
        {
            var token = s.Begin(1, rp, rp.Upload(ShardId, "v1.0.0", null));
            s.Chunks(1, rp, token, [0]);
            s.Drop(1);
            s.Upload(2, child, child.Upload(ShardId, "v1.0.0", null));
            s.Send(3, new JsonObject { ["type"] = "resume", ["session_token"] = token });
        }, "Resume", "VersionConflict");

        // ---------------------------------------------------------------- conflicts and rebase
        var c1 = Pay(200, 64);
        var c2 = Pay(180, 64);
        var c3 = Pay(90, 32);
        Add("TranscriptConflict", "v1.0.0 uploaded while v1.0.0 exists", false, s =>
        {
            s.Seed(c1, "v1.0.0");
            s.Begin(1, c2, c2.Upload(ShardId, "v1.0.0", null));
        }, "VersionConflict");
        Add("TranscriptConflict", "the same payload under its hash-based version, twice", false, s =>
        {
            s.Upload(1, c1, c1.Upload(ShardId, c1.HashVersion, null));
            s.Begin(2, c1, c1.Upload(ShardId, c1.HashVersion, c1.HashVersion));
        }, "VersionConflict", "HashVersionId");
        Add("TranscriptConflict", "v1.2.0 on v1.0.0 while v1.1.0 is canonical: rebase required", false, s =>
        {
            s.Seed(c1, "v1.0.0");
            s.Seed(c2, "v1.1.0");
            s.Begin(1, c3, c3.Upload(ShardId, "v1.2.0", "v1.0.0"));
        }, "Rebase");
        Add("TranscriptConflict", "rebase required, then the node rebases onto v1.1.0 and commits", true, s =>
        {
            s.Seed(c1, "v1.0.0");
            s.Seed(c2, "v1.1.0");
            s.Begin(1, c3, c3.Upload(ShardId, "v1.2.0", "v1.0.0"));
            s.Upload(2, c3, c3.Upload(ShardId, "v1.2.0", "v1.1.0", [LinkRecord(Node, ShardId, "v1.1.0", "v1.0.0"), LinkRecord(Node, ShardId, "v1.0.0", null)]));
        }, "Rebase", "ManyChunks", "ShortLastChunk");
        Add("TranscriptConflict", "a first version while the shard already has one: rebase required", false, s =>
        {
            s.Seed(c1, "v1.0.0");
            s.Begin(1, c3, c3.Upload(ShardId, "v2.0.0", null));
        }, "Rebase");
        Add("TranscriptConflict", "two uploads on v1.0.0 at once: the first commits, the registry refuses the second", false, s =>
        {
            s.Seed(c1, "v1.0.0");
            var ta = s.Begin(1, c2, c2.Upload(ShardId, "v1.1.0", "v1.0.0"));
            var tb = s.Begin(2, c3, c3.Upload(ShardId, "v1.2.0", "v1.0.0"));
            s.Chunks(1, c2, ta, Enumerable.Range(0, c2.ChunkCount));
            s.Chunks(2, c3, tb, Enumerable.Range(0, c3.ChunkCount));
        }, "CommitRace", "Rebase", "ManyChunks");
        Add("TranscriptConflict", "two uploads of v1.1.0 at once: the registry refuses the second commit (the model answers shard.rebase_required)", false, s =>
        {
            s.Seed(c1, "v1.0.0");
            var ta = s.Begin(1, c2, c2.Upload(ShardId, "v1.1.0", "v1.0.0"));
            var tb = s.Begin(2, c3, c3.Upload(ShardId, "v1.1.0", "v1.0.0"));
            s.Chunks(1, c2, ta, Enumerable.Range(0, c2.ChunkCount));
            s.Chunks(2, c3, tb, Enumerable.Range(0, c3.ChunkCount));
        }, "CommitRace", "ManyChunks");
        Add("TranscriptConflict", "lost the race, rebased onto the winner, committed", true, s =>
        {
            s.Seed(c1, "v1.0.0");
            var ta = s.Begin(1, c2, c2.Upload(ShardId, "v1.1.0", "v1.0.0"));
            var tb = s.Begin(2, c3, c3.Upload(ShardId, "v1.2.0", "v1.0.0"));
            s.Chunks(1, c2, ta, Enumerable.Range(0, c2.ChunkCount));
            s.Chunks(2, c3, tb, Enumerable.Range(0, c3.ChunkCount));
            s.Upload(3, c3, c3.Upload(ShardId, "v1.2.0", "v1.1.0"));
        }, "CommitRace", "Rebase", "ManyChunks");

        // ---------------------------------------------------------------- rollback
        var r1 = Pay(130, 64);
        var r2 = Pay(70, 64);
        var r3 = Pay(20, 64);
        JsonObject Query() => new() { ["type"] = "registry_query", ["shard_id"] = ShardId };
        Add("TranscriptRollback", "v1.0.0 and v1.1.0 uploaded, v1.1.0 rolled back: v1.0.0 reinstated, both kept, audit logged", true, s =>
        {
            s.Upload(1, r1, r1.Upload(ShardId, "v1.0.0", null));
            s.Upload(2, r2, r2.Upload(ShardId, "v1.1.0", "v1.0.0"));
            s.Advance(TimeSpan.FromMinutes(1));
            s.Send(3, RollbackRequest(Node, ShardId, "v1.1.0", "Mismatch or user-initiated revert"));
            s.Send(3, Query());
        }, "Rollback", "Audit");
        Add("TranscriptRollback", "rollback on the same connection, right after the commit_ack", true, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Upload(1, r2, r2.Upload(ShardId, "v1.1.0", "v1.0.0"));
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "acceptance failed downstream"));
            s.Send(1, Query());
        }, "Rollback", "Audit");
        Add("TranscriptRollback", "rollback requested by the authority", true, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Send(1, RollbackRequest(Authority, ShardId, "v1.1.0", "policy: automated revert"));
        }, "Rollback");
        Add("TranscriptRollback", "v1.1.0 (not canonical) rolled back, then v1.2.0: v1.0.0, the nearest active ancestor, is reinstated", true, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Seed(r3, "v1.2.0");
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "bad intermediate revision"));
            s.Send(1, RollbackRequest(Node, ShardId, "v1.2.0", "built on a bad revision"));
            s.Send(1, Query());
        }, "Rollback", "Audit");
        Add("TranscriptRollback", "the only version rolled back: no canonical version remains", true, s =>
        {
            s.Upload(1, r1, r1.Upload(ShardId, "v1.0.0", null));
            s.Send(2, RollbackRequest(Node, ShardId, "v1.0.0", "user-initiated revert"));
            s.Send(2, Query());
        }, "Rollback", "Audit");
        Add("TranscriptRollback", "the same version rolled back twice: the second is refused", false, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "first"));
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "second"));
        }, "Rollback", "RollbackRefused");
        Add("TranscriptRollback", "rollback of a version the shard does not have", false, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Send(1, RollbackRequest(Node, ShardId, "v9.9.9", "no such version"));
        }, "RollbackRefused");
        Add("TranscriptRollback", "rollback request signed by an untrusted key", false, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Send(1, RollbackRequest(Stranger, ShardId, "v1.1.0", "forged"));
        }, "RollbackSignature");
        Add("TranscriptRollback", "rollback request whose reason was changed after signing", false, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            var req = RollbackRequest(Node, ShardId, "v1.1.0", "minor");
            req["reason"] = "major";
            s.Send(1, req);
        }, "RollbackSignature");
        Add("TranscriptRollback", "a refused rollback, then a valid one on the same connection", true, s =>
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Send(1, RollbackRequest(Stranger, ShardId, "v1.1.0", "forged"));
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "genuine"));
        }, "Rollback", "RollbackSignature");

        // ---------------------------------------------------------------- invalidated versions
        void RolledBack(Script s)
        {
            s.Seed(r1, "v1.0.0");
            s.Seed(r2, "v1.1.0");
            s.Send(1, RollbackRequest(Node, ShardId, "v1.1.0", "user-initiated revert"));
        }
        Add("TranscriptOverride", "v1.2.0 on the invalidated v1.1.0 without an override", false, s =>
        {
            RolledBack(s);
            s.Begin(2, r3, r3.Upload(ShardId, "v1.2.0", "v1.1.0"));
        }, "Rollback", "Invalidated");
        Add("TranscriptOverride", "v1.2.0 on the invalidated v1.1.0 with the authority's override: committed, override audited", true, s =>
        {
            RolledBack(s);
            s.Upload(2, r3, r3.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.1.0", "reviewed: v1.1.0 was sound")));
            s.Send(2, Query());
        }, "Rollback", "Override", "Audit");
        Add("TranscriptOverride", "refused without an override, then sent again with it", true, s =>
        {
            RolledBack(s);
            s.Begin(2, r3, r3.Upload(ShardId, "v1.2.0", "v1.1.0"));
            s.Upload(3, r3, r3.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Authority, ShardId, "v1.2.0", "v1.1.0", "reviewed")));
        }, "Rollback", "Invalidated", "Override");
        Add("TranscriptOverride", "an override signed by the node, not the authority", false, s =>
        {
            RolledBack(s);
            s.Begin(2, r3, r3.Upload(ShardId, "v1.2.0", "v1.1.0", grant: Override(Node, ShardId, "v1.2.0", "v1.1.0", "self-granted")));
        }, "Rollback", "Invalidated", "Override");
        Add("TranscriptOverride", "v1.2.0 on the reinstated v1.0.0 needs no override", true, s =>
        {
            RolledBack(s);
            s.Upload(2, r3, r3.Upload(ShardId, "v1.2.0", "v1.0.0"));
        }, "Rollback");
        Add("TranscriptOverride", "the invalidated version id uploaded again", false, s =>
        {
            RolledBack(s);
            s.Begin(2, r3, r3.Upload(ShardId, "v1.1.0", "v1.0.0"));
        }, "Rollback", "VersionConflict");

        foreach (var group in scenarios.GroupBy(x => x.Group))
        {
            b.Group(group.Key, SharedInputs());
            foreach (var sc in group) Emit(b, seed, sc);
        }
        return b.Build();
    }

    /// <summary>
    /// A transcripts file holding a Shard edge trace the property run found (`--save-vector`): the node's frames exactly
    /// as the suite sent them, connection by connection (each ending with the node's disconnect unless the edge closed
    /// first), the clock at <paramref name="now"/> (when not known: the latest auth token the suite stamped, since a
    /// stale one is older), over a registry without the trace's shard; what the edge must send
    /// and do is the edge model's (flag TraceFound). A session token is the edge's own random choice: the model's hello
    /// draws the token the IUT gave that hello (the suite's headers carry it), or a seeded one where it gave none. Null,
    /// with why, when a frame cannot be carried or the model's answer cannot end a transcript.
    /// </summary>
    public static (VectorFile? File, string? Why) TraceFound(ulong seed, string origin, DateTimeOffset? clock, IReadOnlyList<IReadOnlyList<TraceFrame>> connections)
    {
        var now = clock ?? LatestIssuedAt(connections) ?? Start;
        var b = Builder(seed).Note("TraceFound", VectorBugType.Generated, "Found by a property-based trace: " + origin, "as each message's expected answer says");
        var registry = new MemoryRegistry();
        var env = new TokenEnvironment(now, new SeededEnvironment(seed, now, "shard-transcripts/trace"));
        var steps = new JsonArray();
        var refusals = new List<string>();
        JsonObject? last = null;
        string? shard = null;
        for (var c = 0; c < connections.Count; c++)
        {
            var edge = new EdgeDriver(registry, env);
            var frames = connections[c];
            for (var i = 0; i < frames.Count && edge.State.Phase != EdgePhase.Closed; i++)
            {
                if (!frames[i].Sent) continue;
                JsonObject node;
                EdgeDriver.Result r;
                var seen = edge.Rejections.Count;
                if (frames[i].Binary)
                {
                    if (ChunkNode(frames[i].Bytes) is not { } chunkNode) return (null, "a binary frame of the trace is not a chunk frame the transcripts format can carry");
                    node = chunkNode;
                    r = edge.Binary(frames[i].Bytes);
                }
                else
                {
                    if ((JsonNode.Parse(frames[i].Text) as JsonObject) is not { } message || message["type"] is not JsonValue)
                        return (null, "a text frame of the trace is not a JSON message the transcripts format can carry");
                    if ((string?)message["type"] == "hello") env.Hand(IutToken(frames, i));
                    shard ??= (string?)message["shard_id"];
                    node = new JsonObject { ["message"] = message.DeepClone() };
                    r = edge.Text(message);
                }
                refusals.AddRange(edge.Rejections.Skip(seen).Select(e => e.Code.Wire()));
                steps.Add(new JsonObject { ["connection"] = c + 1, ["at"] = Time(now), ["node"] = node, ["edge"] = r.Wire, ["effects"] = r.Effects });
                if (r.Wire.Select(w => w!["message"]).OfType<JsonObject>().LastOrDefault() is { } m) last = m;
            }
            if (edge.State.Phase == EdgePhase.Closed) continue;
            var drop = edge.Feed(new EdgeInput.Closed());
            steps.Add(new JsonObject { ["connection"] = c + 1, ["at"] = Time(now), ["node"] = new JsonObject { ["disconnect"] = true }, ["edge"] = drop.Wire, ["effects"] = drop.Effects });
        }
        var type = (string?)last?["type"];
        if (last is null) return (null, "the edge model sends nothing for this trace");
        // The format's invalid transcripts end with an error; a trace that ends on a chunk_nack has no place in it.
        if (type == "chunk_nack") return (null, "the edge model's last answer is a chunk_nack, which a transcript cannot end on");
        var valid = type != "error";
        var empty = new MemoryRegistry();
        b.Group("TranscriptTraceFound", SharedInputs());
        b.Test($"property trace: {connections.Count} connection(s)", valid ? VectorResult.Valid : VectorResult.Invalid, new JsonObject
        {
            ["now"] = Time(now),
            ["registryBefore"] = empty.State(shard ?? ShardId),
            ["steps"] = steps,
            ["registryAfter"] = registry.State(shard ?? ShardId),
            ["refusals"] = new JsonArray([.. refusals.Select(r => (JsonNode)JsonValue.Create(r))]),
            ["finalMessage"] = last.DeepClone(),
        }, "TraceFound");
        return (b.Build(), null);
    }

    /// <summary>
    /// A chunk frame as a step's node: its header's token, index and proof as they are (the edge model judges them),
    /// the data, and the frame itself; null when the frame has no such header to show.
    /// </summary>
    private static JsonObject? ChunkNode(byte[] frame)
    {
        if (frame.Length < 4) return null;
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (length > frame.Length - 4) return null;
        try
        {
            if (JsonNode.Parse(frame.AsSpan(4, (int)length)) is not JsonObject h || h["session_token"] is not JsonValue token || token.GetValueKind() != System.Text.Json.JsonValueKind.String
                || h["index"] is not JsonValue index || index.GetValueKind() != System.Text.Json.JsonValueKind.Number || h["proof"] is not JsonArray proof)
                return null;
            return new JsonObject
            {
                ["chunk"] = new JsonObject { ["session_token"] = token.DeepClone(), ["index"] = index.DeepClone(), ["proof"] = proof.DeepClone() },
                ["data"] = VectorJson.Hex(frame.AsSpan(4 + (int)length)),
                ["frame"] = VectorJson.Hex(frame),
            };
        }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>The latest issued_at of the auth tokens in the suite's headers, if any.</summary>
    private static DateTimeOffset? LatestIssuedAt(IReadOnlyList<IReadOnlyList<TraceFrame>> connections) =>
        connections.SelectMany(c => c).Where(f => f.Sent && !f.Binary).Select(f => ShardMessages.Parse(f.Text))
            .Where(m => m.Type == "shard_header" && m.Json.TryGetProperty("auth_token", out var a) && a.ValueKind == System.Text.Json.JsonValueKind.Object
                && a.TryGetProperty("issued_at", out var at) && at.ValueKind == System.Text.Json.JsonValueKind.String)
            .Select(m => DateTimeOffset.TryParse(m.Json.GetProperty("auth_token").GetProperty("issued_at").GetString(), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : (DateTimeOffset?)null)
            .Max();

    /// <summary>The 16 bytes of the session token the IUT answered the hello at <paramref name="at"/> with, if it did in the reference's form.</summary>
    private static byte[]? IutToken(IReadOnlyList<TraceFrame> frames, int at)
    {
        var reply = frames.Skip(at + 1).FirstOrDefault(f => !f.Sent);
        if (reply is null || reply.Binary) return null;
        var (type, json, _) = ShardMessages.Parse(reply.Text);
        if (type != "hello_ack" || !json.TryGetProperty("session_token", out var t) || t.GetString() is not { } token) return null;
        const string prefix = "EDGE-SESSION-";
        return token.StartsWith(prefix, StringComparison.Ordinal) && Base64Url.TryDecode(token[prefix.Length..], out var bytes) && bytes.Length == 16 ? bytes : null;
    }

    /// <summary>The trace's edge clock; each random draw is the token handed in for the next hello, else a seeded one.</summary>
    private sealed class TokenEnvironment(DateTimeOffset now, IModelEnvironment fallback) : IModelEnvironment
    {
        private byte[]? _next;

        public DateTimeOffset Now => now;

        public void Hand(byte[]? token) => _next = token;

        public void NextBytes(Span<byte> destination)
        {
            if (_next is { } t && t.Length == destination.Length) t.CopyTo(destination);
            else fallback.NextBytes(destination);
            _next = null;
        }
    }

    private static VectorFileBuilder Builder(ulong seed) => new("shard", "transcripts", "shard-transcripts.schema.json", seed,
            "Shard hand-off §2 and §5 as whole transcripts of the reference edge model: Hello → Hello-Ack, ShardHeader → header_ack, chunks (each with its RFC 6962 inclusion proof) → chunk_ack / chunk_nack, Commit-Ack; resume after a drop; Rollback-Intent; registry queries (wire forms: SPEC-NOTES.md \"Shard messages\").",
            "`steps`: in order, on numbered `connection`s to one edge (a new connection starts a new edge session; the registry persists). `node` is what the node sends: `message` (a control message), `chunk` + `data` + `frame` (the binary frame, 4-byte big-endian header length ‖ JSON header ‖ chunk bytes), or `disconnect`. `edge` is what the edge must send back, in order (`message`, or `close` with its code); an error's `detail` is prose and need not match. `effects` is what the reference asks of its registry (and the registry's answer to a commit or rollback).",
            "The registry: the reference keeps it in SQLite; these transcripts model it in memory with the same rules (entries never deleted; one canonical head per shard; a commit is refused unless the head is still the expected parent and the version is new; rollback marks the version inactive and reinstates its nearest active ancestor; an append-only audit log; sessions hold their received chunks' leaf hashes). `registryBefore` / `registryAfter` are the model's registry_state of the shard; registry_id = \"ONEIRIC-\" + the first 12 hex digits of the shard hash + \"-\" + the entry's sequence number in this registry. Versions present before the first step were committed by earlier uploads not shown.",
            "Session tokens are the reference edge's (drawn from a seeded generator) and the edge's clock starts at `now` and moves only where a step's `at` says: an implementation replaying a transcript substitutes its own tokens and re-signs headers (auth token, bundle) with the published seeds, or accepts the given tokens.",
            "valid: the transcript ends with the edge accepting the node's last request (commit_ack, resume completed, rollback_intent, registry_state); invalid: it ends with a refusal (`finalMessage` is an error). `refusals` lists every error and chunk_nack code the edge sent, in order.");

    private static void Emit(VectorFileBuilder b, ulong seed, Scenario sc)
    {
        var s = new Script(seed, $"{sc.Group}/{sc.Comment}");
        sc.Run(s);
        var last = s.LastMessage ?? throw new InvalidOperationException($"shard/transcripts: \"{sc.Comment}\": the edge said nothing");
        var type = (string?)last["type"];
        var valid = !ShardMessages.IsRefusal(type);
        if (valid != sc.Valid) throw new InvalidOperationException($"shard/transcripts: \"{sc.Comment}\" was meant to end {(sc.Valid ? "accepted" : "refused")}, the model ends with {last.ToJsonString()}");
        var fields = new JsonObject
        {
            ["now"] = Time(Start),
            ["registryBefore"] = s.Before ?? s.Registry.State(ShardId),
            ["steps"] = s.Steps,
            ["registryAfter"] = s.Registry.State(ShardId),
            ["refusals"] = new JsonArray([.. s.Refusals.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["finalMessage"] = last.DeepClone(),
        };
        b.Test(sc.Comment, valid ? VectorResult.Valid : VectorResult.Invalid, fields, sc.Flags);
    }

    /// <summary>One transcript: numbered connections to one edge over one registry, every step recorded.</summary>
    private sealed class Script(ulong seed, string name)
    {
        private readonly Dictionary<int, EdgeDriver> _connections = [];

        public MemoryRegistry Registry { get; } = new();
        public SeededEnvironment EdgeEnv { get; } = new(seed, Start, "shard-transcript-edge:" + name);
        public SeededEnvironment NodeEnv { get; } = new(seed, Start, "shard-transcript-node:" + name);
        public JsonArray Steps { get; } = [];
        public List<string> Refusals { get; } = [];
        public JsonObject? LastMessage { get; private set; }
        /// <summary>The registry as the first step found it.</summary>
        public JsonObject? Before { get; private set; }

        public void Advance(TimeSpan by) => EdgeEnv.Advance(by);

        /// <summary>A version committed by an earlier upload, before the transcript starts.</summary>
        public void Seed(ShardVectorKit.Payload p, string versionId)
        {
            if (Before is not null) throw new InvalidOperationException("seed the registry before the first step");
            Registry.Seed(ShardId, versionId, VectorJson.Hex(p.Root), p.Bytes.Length);
        }

        private EdgeDriver Connection(int id)
        {
            if (!_connections.TryGetValue(id, out var d)) _connections[id] = d = new EdgeDriver(Registry, EdgeEnv);
            return d;
        }

        private EdgeDriver.Result Record(int conn, JsonObject node, Func<EdgeDriver, EdgeDriver.Result> act, string? note)
        {
            Before ??= Registry.State(ShardId);
            var d = Connection(conn);
            var seen = d.Rejections.Count;
            var at = Time(EdgeEnv.Now);
            var r = act(d);
            Refusals.AddRange(d.Rejections.Skip(seen).Select(e => e.Code.Wire()));
            var step = new JsonObject { ["connection"] = conn, ["at"] = at };
            if (note is not null) step["note"] = note;
            step["node"] = node;
            step["edge"] = r.Wire;
            step["effects"] = r.Effects;
            Steps.Add(step);
            if (r.Wire.Select(w => w!["message"]).OfType<JsonObject>().LastOrDefault() is { } last) LastMessage = last;
            return r;
        }

        public EdgeDriver.Result Send(int conn, JsonObject message, string? note = null) =>
            Record(conn, new JsonObject { ["message"] = message.DeepClone() }, d => d.Text(message), note);

        public EdgeDriver.Result Chunk(int conn, string token, long index, IReadOnlyList<byte[]> proof, byte[] data, string? note = null)
        {
            var frame = ShardMessages.Chunk(token, index, proof, data);
            var node = new JsonObject
            {
                ["chunk"] = new JsonObject
                {
                    ["session_token"] = token, ["index"] = index,
                    ["proof"] = new JsonArray([.. proof.Select(p => (JsonNode)JsonValue.Create(VectorJson.Hex(p)))]),
                },
                ["data"] = VectorJson.Hex(data),
                ["frame"] = VectorJson.Hex(frame),
            };
            return Record(conn, node, d => d.Binary(frame), note);
        }

        public void Chunks(int conn, ShardVectorKit.Payload p, string token, IEnumerable<int> indices)
        {
            foreach (var i in indices) Chunk(conn, token, i, p.Tree.Proof(i), p.Chunk(i));
        }

        public void Drop(int conn) => Record(conn, new JsonObject { ["disconnect"] = true }, d => d.Feed(new EdgeInput.Closed()), "the connection drops");

        /// <summary>hello → hello_ack; the session token.</summary>
        public string Hello(int conn, ShardUpload u, IReadOnlyList<string>? versions = null) => EdgeDriver.Token(Send(conn, ShardVectorKit.Hello(u, NodeEnv, versions)));

        /// <summary>hello, then the model's signed header (stamped with the edge's clock); the session token.</summary>
        public string Begin(int conn, ShardVectorKit.Payload p, ShardUpload u, IReadOnlyList<string>? versions = null)
        {
            var token = Hello(conn, u, versions);
            Send(conn, Header(u, token, EdgeEnv.Now));
            return token;
        }

        /// <summary>A whole upload on one connection: hello, header, every chunk in order.</summary>
        public string Upload(int conn, ShardVectorKit.Payload p, ShardUpload u, IReadOnlyList<string>? versions = null)
        {
            var token = Begin(conn, p, u, versions);
            Chunks(conn, p, token, Enumerable.Range(0, p.ChunkCount));
            return token;
        }
    }
}
