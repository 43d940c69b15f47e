// A shard the suite uploads: bytes in memory (cases use small ones), its chunks, tree and the model's upload record.
using Conformance.Model.Merkle;
using Conformance.Model.Shard;

namespace Conformance.Suite.Shard.Play;

public sealed class Payload
{
    public Payload(string shardId, string? versionId, string? parent, int chunkSize, byte[] bytes)
    {
        ShardId = shardId;
        Parent = parent;
        ChunkSize = chunkSize;
        Bytes = bytes;
        Leaves = [.. Enumerable.Range(0, ChunkCount).Select(i => MerkleTree.LeafHash(Chunk(i)))];
        Tree = new MerkleLevels(Leaves);
        VersionId = versionId ?? VersionIds.ForRoot(Tree.Root);
    }

    public string ShardId { get; }
    public string VersionId { get; }
    public string? Parent { get; }
    public int ChunkSize { get; }
    public byte[] Bytes { get; }
    public IReadOnlyList<byte[]> Leaves { get; }
    public MerkleLevels Tree { get; }
    public int ChunkCount => (Bytes.Length + ChunkSize - 1) / ChunkSize;

    public ReadOnlySpan<byte> Chunk(int i) => Bytes.AsSpan(i * ChunkSize, Math.Min(ChunkSize, Bytes.Length - i * ChunkSize));

    public ShardUpload Upload => new(ShardId, VersionId, Parent, ChunkSize, Bytes.Length, Leaves);

    /// <summary><paramref name="size"/> bytes drawn from <paramref name="random"/>.</summary>
    public static Payload Random(Func<int, byte[]> random, string shardId, string? versionId, string? parent, int chunkSize, int size) =>
        new(shardId, versionId, parent, chunkSize, random(size));
}
