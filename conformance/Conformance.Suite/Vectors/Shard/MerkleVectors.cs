// vectors/shard/merkle.json: the RFC 6962 Merkle tree the hand-off hashes chunks into (SHA-256, leaf = H(0x00 ‖ d),
// node = H(0x01 ‖ l ‖ r), MTH({}) = H("")): tree heads of 0..n seeded leaves and of payloads cut into chunks, with
// the hash-based version id "mth:<head>"; inclusion proofs for every index of several tree sizes; and proofs made
// wrong one way at a time. Every verdict is the model's (MerkleTree.Root, MerkleTree.VerifyInclusion, VersionIds).
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Suite.Vectors.Ltp;

namespace Conformance.Suite.Vectors.Shard;

public sealed partial class MerkleVectors : IVectorTopic
{
    public string Spec => "shard";
    public string Topic => "merkle";

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "merkle.schema.json", seed,
            "RFC 6962 §2.1 Merkle tree hashes as the Shard hand-off uses them (§2.3 \"verifying each piece against the shard header's hash tree\", §4.2 \"Merkle-based chunk verification\"): SHA-256, leaf hash = SHA-256(0x00 ‖ data), node hash = SHA-256(0x01 ‖ left ‖ right), the empty tree's head = SHA-256(\"\"), a tree of n > 1 leaves split at the largest power of two below n.",
            "MerkleRoot: `leaves` (data, hex) → `root`; `versionId` is the hash-based version id \"mth:\" + root (SPEC-NOTES.md \"Version IDs\"). MerklePayload: `payload` cut into chunks of `chunkSize` bytes (the last may be shorter) → `chunkCount`, `leafHashes`, `root`, `versionId`, exactly as a shard header's merkle_root.",
            "Inclusion groups: verify that `leaf` (data; `leafHash` = SHA-256(0x00 ‖ leaf)) is leaf `index` of a tree of `treeSize` leaves with head `root`, given `proof` (the RFC 6962 §2.1.1 audit path, bottom first; the verifier is RFC 9162 §2.1.3.2). valid: the proof verifies (`verified` true); invalid: it must not.",
            "VersionIdForm: is `versionId` one of the two forms the model accepts (\"v<major>.<minor>.<patch>\" without leading zeros, or \"mth:\" + 64 lowercase hex digits)?",
            "Leaf data, payloads and mutations are drawn from a seeded SHA-256 stream: the same seed gives the same file.")
            .Note("EmptyTree", VectorBugType.EdgeCase, "RFC 6962 §2.1: the hash of an empty list is SHA-256 of the empty string (the head of an empty upload).", "compute exactly the expected head", "RFC 6962 §2.1")
            .Note("SingleLeaf", VectorBugType.EdgeCase, "A tree of one leaf: its head is the leaf hash and the audit path is empty.", "compute the expected head; the empty path verifies", "RFC 6962 §2.1")
            .Note("PowerOfTwo", VectorBugType.Basic, "A tree whose size is a power of two (a perfect tree).", "compute exactly the expected head and paths", "RFC 6962 §2.1")
            .Note("Unbalanced", VectorBugType.EdgeCase, "A tree whose size is not a power of two: RFC 6962 splits at the largest power of two below n (the right subtree is smaller); an implementation that pairs or duplicates odd nodes differently gets another head.", "compute exactly the expected head and paths", "RFC 6962 §2.1")
            .Note("HashVersionId", VectorBugType.Basic, "§3.5 \"a deterministic hash-based scheme: e.g. hash-based: 7ecf349b1…\": the project's form is \"mth:\" + the lowercase hex tree head of the chunks (SPEC-NOTES.md \"Version IDs\"); §2.3 the edge \"confirms the final cryptographic hash to ensure consistency with the declared version ID\".", "accept the version id; it equals the tree head of the chunks", "SHARD-3.5-version-id", "SPEC-NOTES.md#version-ids")
            .Note("ShortLastChunk", VectorBugType.EdgeCase, "§2.3 \"The payload is typically broken into smaller chunks\": every chunk has chunk_size bytes except a shorter last one.", "compute exactly the expected head")
            .Note("ValidProof", VectorBugType.Basic, "§2.3 \"verifying each piece against the shard header's hash tree\": a correct RFC 6962 audit path for this leaf, index and tree size.", "accept", "SHARD-4.2-chunk-proof", "RFC 6962 §2.1.1")
            .Note("WrongIndex", VectorBugType.ModifiedParameter, "The proof is presented for another index of the same tree (a chunk's proof checked at the wrong position must fail; §4.2 tamper detection).", "refuse", "SHARD-4.2-chunk-proof")
            .Note("IndexOutOfRange", VectorBugType.EdgeCase, "The index is not inside the tree (index ≥ tree size, or negative): no proof can verify.", "refuse", "SHARD-4.2-chunk-bounds")
            .Note("WrongTreeSize", VectorBugType.ModifiedParameter, "The proof is checked against another tree size; the path's shape depends on the size, so it fails (unless the model finds it still valid, said in the comment).", "refuse, unless the comment says the path is still valid for that size", "RFC 6962 §2.1.1")
            .Note("FlippedBit", VectorBugType.ModifiedParameter, "One bit flipped in one proof node (§4.2 \"detect any tampered data in transit\").", "refuse", "SHARD-4.2-chunk-proof")
            .Note("MissingNode", VectorBugType.ModifiedParameter, "A node removed from the audit path (path too short for the tree size).", "refuse", "RFC 6962 §2.1.1")
            .Note("ExtraNode", VectorBugType.ModifiedParameter, "A node added to the audit path (path too long for the tree size).", "refuse", "RFC 6962 §2.1.1")
            .Note("MalformedNode", VectorBugType.Malformed, "A proof node that is not 32 bytes.", "refuse")
            .Note("OtherLeaf", VectorBugType.ModifiedParameter, "The data of another leaf presented with this leaf's proof.", "refuse", "SHARD-4.2-chunk-proof")
            .Note("LeafWithoutPrefix", VectorBugType.AuthBypass, "The tree (proof and root) was built with leaf hashes SHA-256(data), without RFC 6962's 0x00 prefix: a verifier using the prefix must refuse it (second-preimage protection).", "refuse", "RFC 6962 §2.1")
            .Note("NodeWithoutPrefix", VectorBugType.AuthBypass, "The tree (proof and root) was built with node hashes SHA-256(left ‖ right), without RFC 6962's 0x01 prefix: a verifier using the prefix must refuse it.", "refuse", "RFC 6962 §2.1")
            .Note("WrongRoot", VectorBugType.ModifiedParameter, "A correct proof checked against another head (a bit flipped, another tree's head, the empty tree's head).", "refuse", "SHARD-4.2-chunk-proof")
            .Note("SemverVersionId", VectorBugType.Basic, "§3.5 \"a human-readable Major.Minor.Patch\": the project's form v<major>.<minor>.<patch>, decimal without leading zeros, at most 9 digits each.", "accept", "SHARD-3.5-version-id", "SPEC-NOTES.md#version-ids")
            .Note("BadVersionId", VectorBugType.Malformed, "Neither form of version id.", $"refuse; a header carrying it is refused with {ShardErrorCode.InvalidMessage.Wire()}", "SHARD-3.5-version-id");

        var rng = new SeededBits(seed, "shard-merkle");

        b.Group("MerkleRoot");
        int[] rootSizes = [.. Enumerable.Range(0, 34), 63, 64, 65, 100, 127, 128, 129];
        foreach (var n in rootSizes)
        {
            var data = Leaves(rng, n);
            var leaves = data.Select(d => MerkleTree.LeafHash(d)).ToArray();
            var root = MerkleTree.Root(leaves);
            if (!root.AsSpan().SequenceEqual(new MerkleLevels(leaves).Root)) throw new InvalidOperationException($"MerkleLevels and MerkleTree disagree at n = {n}");
            var flags = new List<string> { SizeFlag(n), "HashVersionId" };
            b.Test($"tree head of {n} seeded leaves", VectorResult.Valid, new JsonObject
            {
                ["leaves"] = HexArray(data),
                ["leafHashes"] = HexArray(leaves),
                ["root"] = VectorJson.Hex(root),
                ["versionId"] = VersionIds.ForRoot(root),
            }, [.. flags]);
        }

        b.Group("MerklePayload");
        (int Size, int Chunk)[] payloads = [(0, 16), (1, 16), (15, 16), (16, 16), (17, 16), (32, 16), (33, 16), (100, 32), (128, 32), (129, 32),
            (255, 64), (256, 64), (1000, 64), (1024, 128), (1025, 128), (3, 1), (7, 1), (500, 7), (4096, 1024), (4097, 1024), (2000, 333), (64, 100)];
        foreach (var (size, chunk) in payloads)
        {
            var payload = rng.Bytes(size);
            var p = new ShardVectorKit.Payload(payload, chunk);
            var flags = new List<string> { SizeFlag(p.ChunkCount), "HashVersionId" };
            if (size % chunk != 0) flags.Add("ShortLastChunk");
            b.Test($"{size}-byte payload in chunks of {chunk}: {p.ChunkCount} chunk(s)", VectorResult.Valid, new JsonObject
            {
                ["payload"] = VectorJson.Hex(payload),
                ["chunkSize"] = chunk,
                ["chunkCount"] = p.ChunkCount,
                ["leafHashes"] = HexArray(p.Leaves),
                ["root"] = VectorJson.Hex(p.Root),
                ["versionId"] = p.HashVersion,
            }, [.. flags]);
        }

        b.Group("MerkleInclusion");
        foreach (var n in (int[])[1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17])
        {
            var data = Leaves(rng, n);
            for (var i = 0; i < n; i++) Inclusion(b, data, i, $"leaf {i} of {n}", SizeFlag(n), "ValidProof");
        }
        foreach (var n in (int[])[31, 32, 33])
        {
            var data = Leaves(rng, n);
            foreach (var i in new[] { 0, 1, 15, 16, n - 2, n - 1 }.Distinct()) Inclusion(b, data, i, $"leaf {i} of {n}", SizeFlag(n), "ValidProof");
        }

        b.Group("MerkleInclusionInvalid");
        foreach (var (n, index) in new (int, int)[] { (1, 0), (2, 0), (3, 2), (5, 4), (7, 3), (8, 5), (13, 6), (17, 16), (33, 20) })
        {
            var data = Leaves(rng, n);
            var leaves = data.Select(d => MerkleTree.LeafHash(d)).ToArray();
            var proof = MerkleTree.InclusionProof(leaves, index);
            var root = MerkleTree.Root(leaves);
            var at = $"leaf {index} of {n}";

            if (n > 1)
            {
                var other = index + 1 < n ? index + 1 : index - 1;
                Check(b, data[index], other, n, proof, root, $"{at}: proof checked at index {other}", "WrongIndex");
                if ((index ^ 1) < n && (index ^ 1) != other)
                    Check(b, data[index], index ^ 1, n, proof, root, $"{at}: proof checked at sibling index {index ^ 1}", "WrongIndex");
            }
            Check(b, data[index], n, n, proof, root, $"{at}: index {n} = tree size", "IndexOutOfRange");
            Check(b, data[index], -1, n, proof, root, $"{at}: index -1", "IndexOutOfRange");
            Check(b, data[index], index, n + 1, proof, root, $"{at}: tree size given as {n + 1}", "WrongTreeSize");
            if (n - 1 > index) Check(b, data[index], index, n - 1, proof, root, $"{at}: tree size given as {n - 1}", "WrongTreeSize");
            Check(b, data[index], index, 2 * n, proof, root, $"{at}: tree size given as {2 * n}", "WrongTreeSize");
            for (var k = 0; k < proof.Count; k++)
            {
                var bit = (int)(rng.Next() % 256);
                var flipped = proof.Select(p => p.ToArray()).ToList();
                flipped[k][bit / 8] ^= (byte)(1 << (bit % 8));
                Check(b, data[index], index, n, flipped, root, $"{at}: bit {bit} of proof node {k} flipped", "FlippedBit");
            }
            if (proof.Count > 0)
            {
                Check(b, data[index], index, n, proof.Skip(1).ToList(), root, $"{at}: first (lowest) proof node removed", "MissingNode");
                if (proof.Count > 1) Check(b, data[index], index, n, proof.Take(proof.Count - 1).ToList(), root, $"{at}: last (highest) proof node removed", "MissingNode");
                Check(b, data[index], index, n, [], root, $"{at}: empty proof", "MissingNode");
                Check(b, data[index], index, n, [.. proof.Take(proof.Count - 1), proof[^1].AsSpan(0, 31).ToArray()], root, $"{at}: last proof node truncated to 31 bytes", "MalformedNode");
            }
            Check(b, data[index], index, n, [.. proof, rng.Bytes(32)], root, $"{at}: a random node appended", "ExtraNode");
            Check(b, data[index], index, n, [MerkleTree.LeafHash(data[index]), .. proof], root, $"{at}: the leaf's own hash prepended", "ExtraNode");
            if (n > 1)
            {
                var j = (index + n / 2) % n == index ? (index + 1) % n : (index + n / 2) % n;
                Check(b, data[j], index, n, proof, root, $"{at}: data of leaf {j} with leaf {index}'s proof", "OtherLeaf");
            }
            else Check(b, rng.Bytes(data[0].Length + 1), index, n, proof, root, $"{at}: other data with the single leaf's (empty) proof", "OtherLeaf");

            var bare = data.Select(d => SHA256.HashData(d)).ToArray();
            Check(b, data[index], index, n, BrokenProof(bare, index, Node), BrokenRoot(bare, Node), $"{at}: tree built with leaf = SHA-256(data), no 0x00 prefix", "LeafWithoutPrefix");
            if (n > 1)
                Check(b, data[index], index, n, BrokenProof(leaves, index, NodeWithoutPrefix), BrokenRoot(leaves, NodeWithoutPrefix),
                    $"{at}: tree built with node = SHA-256(left ‖ right), no 0x01 prefix", "NodeWithoutPrefix");

            var rootFlipped = root.ToArray();
            rootFlipped[(int)(rng.Next() % 32)] ^= 0x80;
            Check(b, data[index], index, n, proof, rootFlipped, $"{at}: root with one bit flipped", "WrongRoot");
            var changed = data.Select(d => d.ToArray()).ToArray();
            changed[(index + 1) % n] = rng.Bytes(changed[(index + 1) % n].Length + 1);
            Check(b, data[index], index, n, proof, MerkleTree.Root([.. changed.Select(d => MerkleTree.LeafHash(d))]),
                n > 1 ? $"{at}: root of the tree with leaf {(index + 1) % n} changed" : $"{at}: root of another single-leaf tree", "WrongRoot");
            Check(b, data[index], index, n, proof, SHA256.HashData([]), $"{at}: the empty tree's head as root", "WrongRoot");
        }

        b.Group("VersionIdForm");
        var someRoot = VectorJson.Hex(rng.Bytes(32));
        (string Id, string Comment, string Flag)[] ids =
        [
            ("v0.0.0", "all zeros", "SemverVersionId"), ("v2.1.0", "the spec's example", "SemverVersionId"), ("v10.20.30", "several digits", "SemverVersionId"),
            ("v999999999.999999999.999999999", "nine digits each", "SemverVersionId"),
            ("mth:" + someRoot, "hash-based, lowercase hex", "HashVersionId"),
            ("mth:" + VectorJson.Hex(SHA256.HashData([])), "hash-based: the empty upload's head", "HashVersionId"),
            ("2.1.0", "no leading v", "BadVersionId"), ("V2.1.0", "capital V", "BadVersionId"), ("v2.1", "two parts", "BadVersionId"),
            ("v2.1.0.0", "four parts", "BadVersionId"), ("v02.1.0", "leading zero", "BadVersionId"), ("v2.1.-1", "negative", "BadVersionId"),
            ("v1000000000.0.0", "ten digits", "BadVersionId"), ("v2.1.0-beta", "pre-release suffix", "BadVersionId"), (" v2.1.0", "leading space", "BadVersionId"),
            ("v2.1.0\n", "trailing newline", "BadVersionId"),
            ("mth:" + someRoot.ToUpperInvariant(), "hash-based, uppercase hex", "BadVersionId"), ("mth:" + someRoot[..62], "hash-based, 31 bytes", "BadVersionId"),
            ("mth:" + someRoot + "00", "hash-based, 33 bytes", "BadVersionId"), ("MTH:" + someRoot, "uppercase prefix", "BadVersionId"),
            ("hash-based: " + someRoot[..9], "the spec's illustrative hash form (not the project's)", "BadVersionId"), ("sha256:" + someRoot, "another prefix", "BadVersionId"),
            (someRoot, "bare hex", "BadVersionId"), ("", "empty", "BadVersionId"), ("v٢.1.0", "non-ASCII digit", "BadVersionId"),
        ];
        foreach (var (id, comment, flag) in ids)
        {
            var ok = VersionIds.IsValid(id);
            var fields = new JsonObject { ["versionId"] = id, ["wellFormed"] = ok, ["form"] = !ok ? "none" : VersionIds.IsHashBased(id) ? "hash" : "semver" };
            b.Test(comment, ok ? VectorResult.Valid : VectorResult.Invalid, fields, flag);
        }
        return b.Build();
    }

    private static string SizeFlag(int n) => n == 0 ? "EmptyTree" : n == 1 ? "SingleLeaf" : (n & (n - 1)) == 0 ? "PowerOfTwo" : "Unbalanced";

    /// <summary>n leaves of seeded data, 0 to 40 bytes each (empty leaves included).</summary>
    private static byte[][] Leaves(SeededBits rng, int n) => [.. Enumerable.Range(0, n).Select(_ => rng.Bytes((int)(rng.Next() % 41)))];

    private static JsonArray HexArray(IEnumerable<byte[]> items) => new([.. items.Select(x => (JsonNode)JsonValue.Create(VectorJson.Hex(x)))]);

    private static void Inclusion(VectorFileBuilder b, byte[][] data, int index, string comment, params string[] flags)
    {
        var leaves = data.Select(d => MerkleTree.LeafHash(d)).ToArray();
        Check(b, data[index], index, data.Length, MerkleTree.InclusionProof(leaves, index), MerkleTree.Root(leaves), comment, flags);
    }

    /// <summary>The model's verdict on one inclusion claim.</summary>
    private static void Check(VectorFileBuilder b, byte[] leaf, int index, int size, IReadOnlyList<byte[]> proof, byte[] root, string comment, params string[] flags)
    {
        var leafHash = MerkleTree.LeafHash(leaf);
        var ok = MerkleTree.VerifyInclusion(leafHash, index, size, proof, root);
        var invalidFlag = flags.Any(f => f != "ValidProof" && !f.StartsWith("Single", StringComparison.Ordinal) && f is not ("PowerOfTwo" or "Unbalanced"));
        if (ok && invalidFlag) comment += " (still a valid proof)";
        b.Test(comment, ok ? VectorResult.Valid : VectorResult.Invalid, new JsonObject
        {
            ["leaf"] = VectorJson.Hex(leaf),
            ["leafHash"] = VectorJson.Hex(leafHash),
            ["index"] = index,
            ["treeSize"] = size,
            ["proof"] = HexArray(proof),
            ["root"] = VectorJson.Hex(root),
            ["verified"] = ok,
        }, flags);
    }

    // A deliberately wrong tree, to build invalid inputs (the verdict on them is still the model's).
    private delegate byte[] NodeFn(byte[] l, byte[] r);

    private static byte[] Node(byte[] l, byte[] r) => MerkleTree.NodeHash(l, r);
    private static byte[] NodeWithoutPrefix(byte[] l, byte[] r) => SHA256.HashData([.. l, .. r]);

    private static byte[] BrokenRoot(IReadOnlyList<byte[]> leaves, NodeFn node) => BrokenRoot(leaves, 0, leaves.Count, node);

    private static byte[] BrokenRoot(IReadOnlyList<byte[]> leaves, int from, int to, NodeFn node)
    {
        var n = to - from;
        if (n == 0) return SHA256.HashData([]);
        if (n == 1) return leaves[from];
        var k = 1;
        while (k << 1 < n) k <<= 1;
        return node(BrokenRoot(leaves, from, from + k, node), BrokenRoot(leaves, from + k, to, node));
    }

    private static List<byte[]> BrokenProof(IReadOnlyList<byte[]> leaves, int m, NodeFn node)
    {
        var path = new List<byte[]>();
        void Walk(int m2, int from, int to)
        {
            var n = to - from;
            if (n <= 1) return;
            var k = 1;
            while (k << 1 < n) k <<= 1;
            if (m2 < k) { Walk(m2, from, from + k); path.Add(BrokenRoot(leaves, from + k, to, node)); }
            else { Walk(m2 - k, from + k, to); path.Add(BrokenRoot(leaves, from, from + k, node)); }
        }
        Walk(m, 0, leaves.Count);
        return path;
    }
}
