// A payload on disk, cut into chunks: hashed once into its Merkle levels, then read one chunk at a time, so memory
// stays flat whatever the size.
using Conformance.Model.Merkle;

namespace Conformance.Reference.Shard;

public sealed class ShardFile
{
    private ShardFile(string path, long size, long chunkSize, MerkleLevels tree)
    {
        Path = path;
        Size = size;
        ChunkSize = chunkSize;
        Tree = tree;
    }

    public string Path { get; }
    public long Size { get; }
    public long ChunkSize { get; }
    public MerkleLevels Tree { get; }
    public long ChunkCount => Tree.Count;
    public IReadOnlyList<byte[]> Leaves { get; private init; } = [];

    public static ShardFile Scan(string path, long chunkSize)
    {
        using var f = File.OpenRead(path);
        var leaves = new List<byte[]>();
        var buffer = new byte[chunkSize];
        while (true)
        {
            var n = f.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n == 0) break;
            leaves.Add(MerkleTree.LeafHash(buffer.AsSpan(0, n)));
            if (n < buffer.Length) break;
        }
        return new ShardFile(path, f.Length, chunkSize, new MerkleLevels(leaves)) { Leaves = leaves };
    }

    public byte[] ReadChunk(long index)
    {
        using var reader = OpenReader();
        return reader.Read(index);
    }

    /// <summary>The file opened once for a whole upload (one open per chunk was a syscall pair per 64 KiB).</summary>
    public ChunkReader OpenReader() => new(this);

    public sealed class ChunkReader(ShardFile file) : IDisposable
    {
        private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle = File.OpenHandle(file.Path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);

        public byte[] Read(long index)
        {
            var offset = index * file.ChunkSize;
            var buffer = new byte[Math.Min(file.ChunkSize, file.Size - offset)];
            for (var done = 0; done < buffer.Length;)
            {
                var n = RandomAccess.Read(_handle, buffer.AsSpan(done), offset + done);
                if (n == 0) throw new EndOfStreamException($"{file.Path} ends before chunk {index}");
                done += n;
            }
            return buffer;
        }

        public void Dispose() => _handle.Dispose();
    }
}
