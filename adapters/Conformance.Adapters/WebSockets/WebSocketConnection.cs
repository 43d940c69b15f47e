// A WebSocket (RFC 6455) as an IWireConnection. A background pump reads whole messages into a bounded channel, so
// a receive timeout never cancels the socket's own read (which would abort it), and a hostile peer can neither
// exhaust memory (messages over MaxMessageBytes abort the connection) nor stall the reader.
using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Conformance.Adapters.Trace;

namespace Conformance.Adapters.WebSockets;

public sealed class WebSocketConnection : IWireConnection
{
    /// <summary>Default cap on one received message: large enough for any legal frame, small enough to be safe.</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    private readonly WebSocket _socket;
    /// <summary>How many bytes of received messages may wait for the owner: the pump stops reading beyond it (one message always fits).</summary>
    public const int QueueBudgetBytes = 8 * 1024 * 1024;

    private readonly Channel<WireEvent> _events = Channel.CreateBounded<WireEvent>(new BoundedChannelOptions(256) { SingleReader = true });
    private readonly SemaphoreSlim _drained = new(0);
    private long _queuedBytes;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _maxMessageBytes;
    private readonly Task _pump;
    private bool _terminal;

    public WebSocketConnection(WebSocket socket, WireTrace? trace = null, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        Trace = trace ?? new WireTrace();
        Trace.Add(Direction.Local, FrameKind.Open, [], 0, "connection open");
        _pump = Task.Run(PumpAsync);
    }

    public WireTrace Trace { get; }

    public Task<bool> SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

    private async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes, WebSocketMessageType type)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State != WebSocketState.Open)
            {
                Trace.Add(Direction.Local, FrameKind.Note, [], 0, $"not sent ({bytes.Length} bytes): connection is {_socket.State}");
                return false;
            }
            Trace.Add(Direction.Sent, type == WebSocketMessageType.Text ? FrameKind.Text : FrameKind.Binary, bytes.Span);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _socket.SendAsync(bytes, type, true, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            Trace.Add(Direction.Local, FrameKind.Note, [], 0, "send failed: " + e.Message);
            return false;
        }
        finally { _sendLock.Release(); }
    }

    public async Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        try
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (SizeOf(e) is > 0 and var size)
            {
                Interlocked.Add(ref _queuedBytes, -size);
                _drained.Release();
            }
            return e;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            Trace.Add(Direction.Local, FrameKind.Timeout, [], 0, $"nothing received within {timeout.TotalMilliseconds:0} ms");
            return new WireEvent.Timeout(timeout);
        }
        catch (ChannelClosedException)
        {
            return new WireEvent.Closed(null, "connection already closed");
        }
    }

    private async Task PumpAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                message.SetLength(0);
                WebSocketReceiveResult r;
                do
                {
                    r = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (r.MessageType == WebSocketMessageType.Close) break;
                    if (message.Length + r.Count > _maxMessageBytes)
                    {
                        // Discard the rest without buffering it, so the owner can still answer with an error frame;
                        // a message that never ends (or is absurdly long) gets the connection aborted instead.
                        var binary = r.MessageType == WebSocketMessageType.Binary;
                        var total = message.Length + r.Count;
                        message.SetLength(0);
                        while (!r.EndOfMessage && total <= (long)_maxMessageBytes * 16)
                        {
                            r = await _socket.ReceiveAsync(buffer, _stop.Token);
                            total += r.Count;
                        }
                        if (!r.EndOfMessage)
                        {
                            Trace.Add(Direction.Received, FrameKind.Oversize, [], total, $"message over {(long)_maxMessageBytes * 16} bytes and still going: connection aborted");
                            SafeAbort();
                            await Publish(new WireEvent.Oversize(binary, total));
                            return;
                        }
                        Trace.Add(Direction.Received, FrameKind.Oversize, [], total, $"message of {total} bytes over the {_maxMessageBytes}-byte receive limit: discarded");
                        await Publish(new WireEvent.Oversize(binary, total));
                        goto next;
                    }
                    message.Write(buffer, 0, r.Count);
                } while (!r.EndOfMessage);

                if (r.MessageType == WebSocketMessageType.Close)
                {
                    var code = (int?)r.CloseStatus;
                    Trace.Add(Direction.Received, FrameKind.Close, Encoding.UTF8.GetBytes(r.CloseStatusDescription ?? ""), null, $"close {code}");
                    // Complete the closing handshake so the peer sees a clean close.
                    try
                    {
                        if (_socket.State == WebSocketState.CloseReceived)
                        {
                            using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                            await _socket.CloseOutputAsync(r.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, t.Token);
                        }
                    }
                    catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
                    await Publish(new WireEvent.Closed(code, r.CloseStatusDescription));
                    return;
                }
                var bytes = message.ToArray();
                if (r.MessageType == WebSocketMessageType.Text)
                {
                    Trace.Add(Direction.Received, FrameKind.Text, bytes);
                    await Publish(new WireEvent.Text(Encoding.UTF8.GetString(bytes)));
                }
                else
                {
                    Trace.Add(Direction.Received, FrameKind.Binary, bytes);
                    await Publish(new WireEvent.Binary(bytes));
                }
            next:;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            if (!_stop.IsCancellationRequested)
            {
                Trace.Add(Direction.Local, FrameKind.Close, [], 0, "transport dropped: " + e.Message);
                await Publish(new WireEvent.Closed(null, "transport dropped: " + e.Message));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _terminal = true;
            _events.Writer.TryComplete();
        }
    }

    private async Task Publish(WireEvent e)
    {
        try
        {
            // Back-pressure by bytes as well as by count, so a fast peer with large messages cannot fill memory
            // while the owner is busy: 256 messages of 4 MiB would be a gigabyte.
            var size = SizeOf(e);
            while (size > 0 && Interlocked.Read(ref _queuedBytes) > 0 && Interlocked.Read(ref _queuedBytes) + size > QueueBudgetBytes)
                await _drained.WaitAsync(_stop.Token);
            Interlocked.Add(ref _queuedBytes, size);
            await _events.Writer.WriteAsync(e, _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException) { }
    }

    private static long SizeOf(WireEvent e) => e switch
    {
        WireEvent.Text t => 2L * t.Value.Length,
        WireEvent.Binary b => b.Value.Length,
        _ => 0,
    };

    /// <summary>True once the peer closed or the transport dropped (the pump has ended).</summary>
    public bool IsTerminated => _terminal;

    public async Task CloseAsync(int code, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                Trace.Add(Direction.Sent, FrameKind.Close, Encoding.UTF8.GetBytes(reason), null, $"close {code}");
                using var t = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason.Length > 120 ? reason[..120] : reason, t.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException) { }
        finally { _sendLock.Release(); }
    }

    public void Abort()
    {
        Trace.Add(Direction.Local, FrameKind.Note, [], 0, "connection aborted");
        SafeAbort();
    }

    // A server-side socket belongs to its HTTP request: once Kestrel has ended that request, touching the socket
    // throws ObjectDisposedException. Either way the connection is gone, which is all a caller asked for.
    private void SafeAbort()
    {
        try { _socket.Abort(); } catch (ObjectDisposedException) { }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // Idempotent: a connection may be disposed by its owner and by whoever holds it (an observation source and
        // its edge); the second call must not touch the disposed token source.
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        // Give an orderly close a moment to finish, then tear everything down.
        if (_socket.State == WebSocketState.CloseSent)
            await Task.WhenAny(_pump, Task.Delay(500));
        // Cancelling runs the pump's registrations, which abort the socket: for a server-side socket whose request
        // Kestrel already ended that throws ObjectDisposedException (aggregated by the token source). Gone is gone.
        try { await _stop.CancelAsync(); }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.All(x => x is ObjectDisposedException or WebSocketException or IOException)) { }
        SafeAbort();
        await Task.WhenAny(_pump, Task.Delay(2000));
        try { _socket.Dispose(); } catch (ObjectDisposedException) { }
        _stop.Dispose();
    }
}
