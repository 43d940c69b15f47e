// RFC 6962 §2.1 Merkle Hash Trees (as restated in RFC 9162 §2.1), SHA-256 with domain separation:
//   leaf = SHA-256(0x00 ‖ data)      node = SHA-256(0x01 ‖ left ‖ right)
//   MTH({}) = SHA-256(""); MTH(D[n]) splits at k, the largest power of two smaller than n.
// Everything works on leaf hashes, so a payload is hashed once, chunk by chunk, and never held in memory.
using System.Security.Cryptography;

namespace Conformance.Model.Merkle;

public static class MerkleTree
{
    public static byte[] LeafHash(ReadOnlySpan<byte> data)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData([0x00]);
        h.AppendData(data);
        return h.GetHashAndReset();
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buf = stackalloc byte[65];
        buf[0] = 0x01;
        left.CopyTo(buf[1..]);
        right.CopyTo(buf[33..]);
        return SHA256.HashData(buf);
    }

    /// <summary>MTH over leaf hashes <paramref name="leaves"/>[from, to).</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves) => Root(leaves, 0, leaves.Count);

    private static byte[] Root(IReadOnlyList<byte[]> leaves, int from, int to)
    {
        var n = to - from;
        if (n == 0) return SHA256.HashData(ReadOnlySpan<byte>.Empty);
        if (n == 1) return leaves[from];
        var k = SplitPoint(n);
        return NodeHash(Root(leaves, from, from + k), Root(leaves, from + k, to));
    }

    /// <summary>The largest power of two strictly smaller than <paramref name="n"/> (n ≥ 2).</summary>
    private static int SplitPoint(int n)
    {
        var k = 1;
        while (k << 1 < n) k <<= 1;
        return k;
    }

    /// <summary>RFC 6962 §2.1.1 PATH(m, D[n]): the audit path of leaf <paramref name="index"/>, bottom first.</summary>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leaves, int index)
    {
        if (index < 0 || index >= leaves.Count) throw new ArgumentOutOfRangeException(nameof(index));
        var path = new List<byte[]>();
        Path(leaves, index, 0, leaves.Count, path);
        return path;
    }

    private static void Path(IReadOnlyList<byte[]> leaves, int m, int from, int to, List<byte[]> path)
    {
        var n = to - from;
        if (n <= 1) return;
        var k = SplitPoint(n);
        if (m < k)
        {
            Path(leaves, m, from, from + k, path);
            path.Add(Root(leaves, from + k, to));
        }
        else
        {
            Path(leaves, m - k, from + k, to, path);
            path.Add(Root(leaves, from, from + k));
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="proof"/> prove leaf <paramref name="index"/> of a tree of <paramref name="size"/> under <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || leafHash.Length != 32 || root.Length != 32) return false;
        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (p.Length != 32 || sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0) { fn >>= 1; sn >>= 1; }
            }
            else r = NodeHash(r, p);
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }
}

/// <summary>
/// All levels of an RFC 6962 tree, built once, so every inclusion proof costs O(log n) instead of O(n). A level's
/// unpaired last node moves up unchanged, which gives the same heads and paths as the recursive definition above.
/// </summary>
public sealed class MerkleLevels
{
    private readonly List<byte[][]> _levels = [];

    public MerkleLevels(IReadOnlyList<byte[]> leaves)
    {
        var level = leaves.ToArray();
        _levels.Add(level);
        while (level.Length > 1)
        {
            var up = new byte[(level.Length + 1) / 2][];
            for (var i = 0; i < up.Length; i++)
                up[i] = 2 * i + 1 < level.Length ? MerkleTree.NodeHash(level[2 * i], level[2 * i + 1]) : level[2 * i];
            _levels.Add(up);
            level = up;
        }
    }

    public int Count => _levels[0].Length;

    public byte[] Root => Count == 0 ? System.Security.Cryptography.SHA256.HashData(ReadOnlySpan<byte>.Empty) : _levels[^1][0];

    public IReadOnlyList<byte[]> Proof(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index));
        var path = new List<byte[]>();
        for (var l = 0; l < _levels.Count - 1; l++)
        {
            var sibling = index ^ 1;
            if (sibling < _levels[l].Length) path.Add(_levels[l][sibling]);
            index >>= 1;
        }
        return path;
    }
}
