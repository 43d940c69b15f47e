// One connection carried over a shim's JSON lines (adapters/SHIM.md protocol 2): frames out become lines, frames in
// arrive from whoever reads the lines (Deliver). The suite and the reference shim both use it, with "op" and "event"
// lines respectively. Receives never hang past their timeout; memory is bounded by QueueBudgetBytes.
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;

namespace Conformance.Adapters.Stdio;

public sealed class VirtualConnection : IWireConnection
{
    /// <summary>Received bytes allowed to wait for the owner; more means the other side floods, and the connection breaks.</summary>
    public const long QueueBudgetBytes = 16 * 1024 * 1024;

    private readonly Func<JsonObject, Task<bool>> _write;
    private readonly string _verb;
    private readonly Channel<object> _events = Channel.CreateUnbounded<object>(new() { SingleReader = true });
    private readonly Action<VirtualConnection>? _disposed;
    private long _queuedBytes;
    private volatile bool _localClosed, _remoteClosed;
    private Exception? _failure;

    /// <param name="verb">"op" for the suite's lines, "event" for the shim's.</param>
    public VirtualConnection(string id, string verb, Func<JsonObject, Task<bool>> write, WireTrace? trace = null, Action<VirtualConnection>? disposed = null)
    {
        Id = id;
        _verb = verb;
        _write = write;
        _disposed = disposed;
        Trace = trace ?? new WireTrace();
        Trace.Add(Direction.Local, FrameKind.Open, [], 0, $"connection {id} open (stdio)");
    }

    public string Id { get; }
    public WireTrace Trace { get; }
    /// <summary>True once either side closed or aborted it.</summary>
    public bool IsClosed => _localClosed || _remoteClosed;

    public Task<bool> SendTextAsync(string text) => SendAsync(FrameLines.Text(_verb, "frame", Id, text), FrameKind.Text, Encoding.UTF8.GetBytes(text));

    public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => SendAsync(FrameLines.Binary(_verb, "frame", Id, bytes.Span), FrameKind.Binary, bytes.ToArray());

    private async Task<bool> SendAsync(JsonObject line, FrameKind kind, byte[] bytes)
    {
        if (IsClosed)
        {
            Trace.Add(Direction.Local, FrameKind.Note, [], 0, $"not sent ({bytes.Length} bytes): connection {Id} is closed");
            return false;
        }
        Trace.Add(Direction.Sent, kind, bytes);
        if (await _write(line)) return true;
        Trace.Add(Direction.Local, FrameKind.Note, [], 0, "send failed: the other side of the shim is gone");
        return false;
    }

    /// <summary>A frame, close or abort from the other side.</summary>
    public void Deliver(WireEvent e)
    {
        if (_remoteClosed) return;
        switch (e)
        {
            case WireEvent.Text t: Trace.Add(Direction.Received, FrameKind.Text, Encoding.UTF8.GetBytes(t.Value)); break;
            case WireEvent.Binary b: Trace.Add(Direction.Received, FrameKind.Binary, b.Value); break;
            case WireEvent.Closed c:
                _remoteClosed = true;
                Trace.Add(Direction.Received, FrameKind.Close, Encoding.UTF8.GetBytes(c.Reason ?? ""), null, c.Code is { } code ? $"close {code}" : "transport dropped");
                break;
        }
        var size = e switch { WireEvent.Text t => 2L * t.Value.Length, WireEvent.Binary b => b.Value.Length, _ => 0 };
        if (Interlocked.Add(ref _queuedBytes, size) > QueueBudgetBytes)
        {
            Fail(new ShimBrokenException($"the shim sent more than {QueueBudgetBytes} bytes on connection {Id} that were not read"));
            return;
        }
        _events.Writer.TryWrite(e);
        if (e is WireEvent.Closed) _events.Writer.TryComplete();
    }

    /// <summary>The other side declared a feature this connection needs unimplemented: the case becomes `unimplemented`.</summary>
    public void Unimplemented(string feature)
    {
        Trace.MarkUnimplemented(feature);
        _events.Writer.TryWrite(new IutUnimplementedException(feature));
    }

    /// <summary>The transport under the connection broke: what was already received is still read, then <paramref name="why"/> is thrown.</summary>
    public void Fail(Exception why)
    {
        if (_failure is not null) return;
        _failure = why;
        Trace.Add(Direction.Local, FrameKind.Error, [], 0, why.Message);
        _events.Writer.TryComplete();
    }

    public async Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        try
        {
            var item = await _events.Reader.ReadAsync(cts.Token);
            if (item is Exception ex) throw ex;
            var e = (WireEvent)item;
            Interlocked.Add(ref _queuedBytes, e switch { WireEvent.Text t => -2L * t.Value.Length, WireEvent.Binary b => -b.Value.Length, _ => 0 });
            return e;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            Trace.Add(Direction.Local, FrameKind.Timeout, [], 0, $"nothing received within {timeout.TotalMilliseconds:0} ms");
            return new WireEvent.Timeout(timeout);
        }
        catch (ChannelClosedException)
        {
            if (_failure is not null) throw _failure;
            return new WireEvent.Closed(null, "connection already closed");
        }
    }

    public async Task CloseAsync(int code, string reason)
    {
        if (IsClosed) return;
        _localClosed = true;
        Trace.Add(Direction.Sent, FrameKind.Close, Encoding.UTF8.GetBytes(reason), null, $"close {code}");
        await _write(FrameLines.Close(_verb, Id, code, reason));
    }

    public void Abort()
    {
        if (IsClosed) return;
        _localClosed = true;
        Trace.Add(Direction.Local, FrameKind.Note, [], 0, "connection aborted");
        _ = _write(FrameLines.Abort(_verb, Id));
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        _events.Writer.TryComplete();
        _disposed?.Invoke(this);
        return ValueTask.CompletedTask;
    }
}
