// One upload session's staging file, kept open while chunks arrive, and the receipts written since its last fsync.
// The registry makes those receipts durable in batches (ReceiptBatch): fsync this file, then one SQLite transaction.
using Microsoft.Win32.SafeHandles;

namespace Conformance.Reference.Shard.Store;

/// <summary>When pending receipts are made durable: after <paramref name="Chunks"/> chunks or <paramref name="Bytes"/>
/// bytes since the last batch, whichever comes first (and always before a commit, at a connection's end, at dispose).</summary>
public sealed record ReceiptBatch(int Chunks, long Bytes)
{
    // 16 MiB: the fsync and the WAL commit a batch costs (a few ms) amortised over 256 chunks of 64 KiB, and a crash
    // makes the node re-send at most that much. The chunk bound caps the pending list (and one transaction) for small chunks.
    public static readonly ReceiptBatch Default = new(256, 16L * 1024 * 1024);

    /// <summary>Environment variable that sets <see cref="Chunks"/> for a served edge (tests make a batch boundary deterministic with it).</summary>
    public const string ChunksVariable = "CONFORMANCE_SHARD_RECEIPT_BATCH";

    /// <summary>The default, with <see cref="Chunks"/> from <see cref="ChunksVariable"/> when it holds a positive number.</summary>
    public static ReceiptBatch FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(ChunksVariable), out var n) && n > 0 ? Default with { Chunks = n } : Default;
}

internal sealed class StagedUpload(SafeFileHandle file) : IDisposable
{
    private readonly List<(int Index, byte[] Leaf)> _pending = [];
    private long _pendingBytes;

    public SafeFileHandle File { get; } = file;

    /// <summary>Receipts of chunks written to the file but not yet fsynced nor recorded, oldest first.</summary>
    public IReadOnlyList<(int Index, byte[] Leaf)> Pending => _pending;

    /// <summary>Writes a chunk at its offset (into the page cache: no fsync here) and remembers its receipt.</summary>
    public void Write(int index, long offset, ReadOnlySpan<byte> data, byte[] leaf)
    {
        RandomAccess.Write(File, data, offset);
        _pending.Add((index, leaf));
        _pendingBytes += data.Length;
        _unkicked += data.Length;
        if (_unkicked < WritebackBytes) return;
        EarlyWriteback.Start(File, 0, 0); // the whole file: chunks may arrive out of order, and written pages are skipped
        _unkicked = 0;
    }

    // Writeback is started for every MiB staged: large enough to be one cheap call, small enough to keep the disk busy.
    private const long WritebackBytes = 1024 * 1024;
    private long _unkicked;

    public bool Due(ReceiptBatch batch) => _pending.Count >= batch.Chunks || _pendingBytes >= batch.Bytes;

    /// <summary>fsync: every byte written so far is on disk, so every pending receipt may now be recorded.</summary>
    public void Sync() => RandomAccess.FlushToDisk(File);

    public void Recorded()
    {
        _pending.Clear();
        _pendingBytes = 0;
    }

    public void Dispose() => File.Dispose();
}
