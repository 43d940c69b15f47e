// The wire trace: every message both ways with its time, kind and bytes. It is the evidence behind a verdict.
using System.Diagnostics;

namespace Conformance.Adapters.Trace;

/// <summary>Direction from the suite's (or host's) point of view.</summary>
public enum Direction { Sent, Received, Local }

public enum FrameKind { Open, Text, Binary, Close, Timeout, Oversize, Error, Note }

/// <summary>One traced event. <see cref="Bytes"/> holds the message bytes (text as UTF-8), capped for huge frames.</summary>
public sealed record TraceEntry(double AtMs, Direction Direction, FrameKind Kind, long Length, byte[] Bytes, string? Note = null)
{
    /// <summary>How many bytes of a frame the trace keeps; the full length is always recorded.</summary>
    public const int MaxKeptBytes = 4096;
}

/// <summary>
/// An append-only, thread-safe trace shared by the connections of one case. Its memory is bounded: it keeps the first
/// <c>head</c> entries and the latest <c>tail</c> ones, and in between only a count of what it elided, so a peer that
/// sends without end (or a long upload through a reference host) cannot make it grow.
/// </summary>
public sealed class WireTrace(int head = WireTrace.DefaultHead, int tail = WireTrace.DefaultTail)
{
    /// <summary>Far above any hand-written case (the longest has a few hundred frames).</summary>
    public const int DefaultHead = 4096, DefaultTail = 1024;

    private readonly List<TraceEntry> _head = [];
    private readonly Queue<TraceEntry> _tail = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private long _elided, _elidedBytes;

    /// <summary>A small trace for long-lived reference hosts, which keep it only for debugging.</summary>
    public static WireTrace ForHost() => new(32, 32);

    public void Add(Direction direction, FrameKind kind, ReadOnlySpan<byte> bytes, long? length = null, string? note = null)
    {
        var kept = bytes.Length > TraceEntry.MaxKeptBytes ? bytes[..TraceEntry.MaxKeptBytes].ToArray() : bytes.ToArray();
        var entry = new TraceEntry(Math.Round(_clock.Elapsed.TotalMilliseconds, 3), direction, kind, length ?? bytes.Length, kept, note);
        lock (_gate)
        {
            if (_head.Count < head) { _head.Add(entry); return; }
            _tail.Enqueue(entry);
            if (_tail.Count <= tail) return;
            var dropped = _tail.Dequeue();
            _elided++;
            _elidedBytes += dropped.Length;
        }
    }

    public void Note(string note) => Add(Direction.Local, FrameKind.Note, [], 0, note);

    /// <summary>The first feature the IUT declared unimplemented during this case (stdio shims), or null.</summary>
    public string? Unimplemented { get; private set; }

    /// <summary>Records that the IUT declared <paramref name="feature"/> unimplemented: the case cannot `fail` on it.</summary>
    public void MarkUnimplemented(string feature)
    {
        lock (_gate) Unimplemented ??= feature;
        Note($"the IUT declared \"{feature}\" unimplemented");
    }

    /// <summary>The entries kept, with one note where entries were elided.</summary>
    public IReadOnlyList<TraceEntry> Snapshot()
    {
        lock (_gate)
        {
            if (_elided == 0) return [.. _head, .. _tail];
            var at = _tail.TryPeek(out var next) ? next.AtMs : _head[^1].AtMs;
            var gap = new TraceEntry(at, Direction.Local, FrameKind.Note, 0, [],
                $"{_elided} entries ({_elidedBytes} bytes) elided: the trace keeps the first {head} and the last {tail}");
            return [.. _head, gap, .. _tail];
        }
    }
}
