// The vectors are usable without our generator: each test is replayed here from nothing but its JSON (inputs, keys)
// through the model's public functions, the way an implementer's harness would, and must reach the recorded result
// and outputs. This cross-checks the generators (a vector whose inputs do not determine its verdict fails here).
using System.Text;
using System.Text.Json;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Vectors;

public static class ReplayTests
{
    public static Test Tests() => TestList("vectors.replay",
    [
        TestCase("ltp/jcs.json: canonicalising each input gives the expected text, or a refusal", () => Replay("ltp/jcs.json", (g, t) =>
        {
            var input = t.GetProperty("input").GetString()!;
            try
            {
                var output = Jcs.Canonicalize(input);
                return t.GetProperty("result").GetString() == "valid" && Encoding.UTF8.GetString(output) == t.GetProperty("expected").GetString()
                    && Convert.ToHexStringLower(output) == t.GetProperty("expectedHex").GetString();
            }
            catch (JcsException) { return t.GetProperty("result").GetString() == "invalid"; }
        })),
        TestCase("ltp/ed25519.json: verifying each signature gives the recorded result; valid ones re-sign identically", () => Replay("ltp/ed25519.json", (g, t) =>
        {
            var key = Hex(t, "publicKey");
            var msg = Hex(t, "msg");
            var sig = Hex(t, "sig");
            var ok = Ed25519.Verify(key, msg, sig);
            var result = t.GetProperty("result").GetString();
            if (result == "acceptable") return t.GetProperty("reference").GetString() == (ok ? "accepts" : "refuses");
            if (ok && t.TryGetProperty("seed", out var seed) && key.Length == 32)
            {
                using var signer = new Ed25519Signer(Convert.FromHexString(seed.GetString()!));
                if (signer.PublicKey.AsSpan().SequenceEqual(key) && !signer.Sign(msg).AsSpan().SequenceEqual(sig)) return false; // deterministic signatures
            }
            return result == (ok ? "valid" : "invalid");
        })),
        TestCase("shard/merkle.json: roots, payload trees, inclusion proofs and version ids recompute from their inputs", () => Replay("shard/merkle.json", (g, t) =>
        {
            var type = g.GetProperty("type").GetString();
            var result = t.GetProperty("result").GetString();
            switch (type)
            {
                case "MerkleRoot":
                {
                    var hashes = t.GetProperty("leaves").EnumerateArray().Select(l => MerkleTree.LeafHash(Convert.FromHexString(l.GetString()!))).ToArray();
                    return Same(hashes, t.GetProperty("leafHashes")) && Root(hashes, t) && result == "valid";
                }
                case "MerklePayload":
                {
                    var payload = Hex(t, "payload");
                    var size = t.GetProperty("chunkSize").GetInt32();
                    var hashes = payload.Chunk(size).Select(c => MerkleTree.LeafHash(c)).ToArray();
                    return hashes.Length == t.GetProperty("chunkCount").GetInt32() && Same(hashes, t.GetProperty("leafHashes")) && Root(hashes, t) && result == "valid";
                }
                case "MerkleInclusion" or "MerkleInclusionInvalid":
                {
                    var proof = t.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToArray();
                    var ok = MerkleTree.VerifyInclusion(Hex(t, "leafHash"), t.GetProperty("index").GetInt64(), t.GetProperty("treeSize").GetInt64(), proof, Hex(t, "root"));
                    return ok == t.GetProperty("verified").GetBoolean() && result == (ok ? "valid" : "invalid");
                }
                case "VersionIdForm":
                {
                    var ok = VersionIds.IsValid(t.GetProperty("versionId").GetString()!);
                    return ok == t.GetProperty("wellFormed").GetBoolean() && result == (ok ? "valid" : "invalid");
                }
                default: throw new InvalidOperationException("no replay for group type " + type);
            }
        })),
    ]);

    /// <summary>Replays every test of a file; fails listing the tcIds that disagree.</summary>
    private static void Replay(string path, Func<JsonElement, JsonElement, bool> agrees)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(ReportSchema.RepoRoot(), "vectors", path)));
        var wrong = new List<int>();
        var count = 0;
        foreach (var g in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        foreach (var t in g.GetProperty("tests").EnumerateArray())
        {
            count++;
            if (!agrees(g, t)) wrong.Add(t.GetProperty("tcId").GetInt32());
        }
        Expect.isGreaterThan(count, 0, "tests replayed");
        Expect.isEmpty(wrong, $"{path}: tcIds that do not replay to their recorded result: {string.Join(", ", wrong.Take(30))}");
    }

    private static byte[] Hex(JsonElement t, string name) => Convert.FromHexString(t.GetProperty(name).GetString()!);

    private static bool Same(byte[][] hashes, JsonElement expected) =>
        hashes.Select(Convert.ToHexStringLower).SequenceEqual(expected.EnumerateArray().Select(e => e.GetString()!));

    private static bool Root(byte[][] hashes, JsonElement t)
    {
        var root = MerkleTree.Root(hashes);
        return Convert.ToHexStringLower(root) == t.GetProperty("root").GetString() && VersionIds.ForRoot(root) == t.GetProperty("versionId").GetString();
    }
}
