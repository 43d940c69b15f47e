// The HTTP Upgrade adapter, listening side: raw TCP, so the suite sees a client IUT's upgrade request byte for byte
// and answers it exactly as a case decides — a 101 with the headers it chooses (then a WebSocket, RFC 6455), or a
// refusal with a status and a body. Heads are bounded and read under the step timeout; bad input is a described
// failure on the pending request, never an exception.
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;

namespace Conformance.Adapters.Http;

public sealed class HttpUpgradeListener : IAsyncDisposable
{
    private readonly TcpListener _tcp;
    private readonly Channel<TcpClient> _accepted = Channel.CreateBounded<TcpClient>(64);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private HttpUpgradeListener(TcpListener tcp, Uri url)
    {
        _tcp = tcp;
        Url = url;
        _loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The http:// URL client IUTs should send their upgrade request to (with the port actually bound).</summary>
    public Uri Url { get; }

    /// <summary>Listens on <paramref name="listen"/> (http://host:port/path; port 0 picks a free one). Throws IOException when it cannot.</summary>
    public static Task<HttpUpgradeListener> StartAsync(Uri listen)
    {
        var address = listen.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(listen.Host);
        var tcp = new TcpListener(address, listen.Port);
        try { tcp.Start(); }
        catch (SocketException e) { throw new IOException(e.Message, e); }
        var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        var path = string.IsNullOrEmpty(listen.AbsolutePath) ? "/" : listen.AbsolutePath;
        return Task.FromResult(new HttpUpgradeListener(tcp, new UriBuilder("http", listen.Host, port, path).Uri));
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
                client.NoDelay = true;
                await _accepted.Writer.WriteAsync(client, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { if (_stop.IsCancellationRequested) return; }
        }
    }

    /// <summary>The next client's upgrade request (its head read within <paramref name="timeout"/>), or null if none arrives in time.</summary>
    public async Task<PendingUpgrade?> AcceptAsync(TimeSpan timeout, WireTrace trace, CancellationToken cancel = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        TcpClient client;
        try { client = await _accepted.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { return null; }
        catch (ChannelClosedException) { return null; }
        trace.Add(Direction.Local, FrameKind.Open, [], 0, "TCP connection accepted");
        var stream = client.GetStream();
        var reader = new HeadReader(stream);
        using var read = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        read.CancelAfter(timeout);
        try
        {
            var (head, failure) = await reader.ReadHeadAsync(read.Token);
            if (head is null) return PendingUpgrade.Failed(client, trace, failure!);
            trace.Add(Direction.Received, FrameKind.Text, Encoding.Latin1.GetBytes(head), note: "HTTP upgrade request");
            var request = HttpMessage.ParseRequestHead(head, out failure);
            return request is null ? PendingUpgrade.Failed(client, trace, failure!) : new PendingUpgrade(client, stream, reader.Leftover, request, null, trace);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return PendingUpgrade.Failed(client, trace, $"no complete HTTP request head within {timeout.TotalMilliseconds:0} ms");
        }
        catch (IOException e) { return PendingUpgrade.Failed(client, trace, "the connection failed: " + e.Message); }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        _accepted.Writer.TryComplete();
        await Task.WhenAny(_loop, Task.Delay(1000));
        while (_accepted.Reader.TryRead(out var c)) c.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A client's upgrade request awaiting the case's answer: exactly one of AcceptAsync or RefuseAsync.</summary>
public sealed class PendingUpgrade : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream? _stream;
    private readonly ReadOnlyMemory<byte> _leftover;
    private readonly WireTrace _trace;
    private bool _answered;

    internal PendingUpgrade(TcpClient client, NetworkStream? stream, ReadOnlyMemory<byte> leftover, HttpRequest? request, string? failure, WireTrace trace)
    {
        _client = client;
        _stream = stream;
        _leftover = leftover.ToArray();
        Request = request;
        Failure = failure;
        _trace = trace;
    }

    internal static PendingUpgrade Failed(TcpClient client, WireTrace trace, string failure)
    {
        trace.Add(Direction.Local, FrameKind.Error, [], 0, failure);
        return new(client, null, default, null, failure, trace);
    }

    /// <summary>The request head, or null when none could be read (<see cref="Failure"/> says why).</summary>
    public HttpRequest? Request { get; }
    public string? Failure { get; }

    /// <summary>
    /// Answers 101 with <paramref name="headers"/> and returns the WebSocket; null (and a refusal sent) when the request
    /// is not a WebSocket upgrade (no Sec-WebSocket-Key) or the connection is gone.
    /// </summary>
    public async Task<IWireConnection?> AcceptAsync(IEnumerable<KeyValuePair<string, string>> headers, int maxMessageBytes = WebSocketConnection.DefaultMaxMessageBytes)
    {
        if (_answered || _stream is null || Request is null) return null;
        if (Request.Header("Sec-WebSocket-Key") is not { Length: > 0 } key)
        {
            _trace.Note("the request has no Sec-WebSocket-Key: not a WebSocket upgrade (RFC 6455 §4.1)");
            await RefuseAsync(400, "");
            return null;
        }
        _answered = true;
        var head = HttpMessage.Write("HTTP/1.1 101 Switching Protocols",
            [new("Upgrade", "websocket"), new("Connection", "Upgrade"), new("Sec-WebSocket-Accept", HttpMessage.WebSocketAccept(key)), .. headers]);
        _trace.Add(Direction.Sent, FrameKind.Text, head, note: "HTTP 101 response");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _stream.WriteAsync(head, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            _trace.Note("the 101 could not be sent: " + e.Message);
            return null;
        }
        var socket = WebSocket.CreateFromStream(new PrefixedStream(_leftover, _stream),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return new WebSocketConnection(socket, _trace, maxMessageBytes);
    }

    /// <summary>Answers with <paramref name="status"/> and <paramref name="body"/> (application/json), then closes.</summary>
    public async Task RefuseAsync(int status, string body)
    {
        if (_answered || _stream is null) return;
        _answered = true;
        var bytes = Encoding.UTF8.GetByteCount(body);
        var response = HttpMessage.Write($"HTTP/1.1 {status} {(status == 400 ? "Bad Request" : "Refused")}",
            [new("Content-Type", "application/json"), new("Content-Length", bytes.ToString()), new("Connection", "close")], body);
        _trace.Add(Direction.Sent, FrameKind.Text, response, note: "HTTP refusal");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _stream.WriteAsync(response, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { }
        _client.Dispose();
    }

    /// <summary>Drops the TCP connection unless a 101 handed it to a WebSocket (which then owns it).</summary>
    public ValueTask DisposeAsync()
    {
        if (!_answered || _stream is null) _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
