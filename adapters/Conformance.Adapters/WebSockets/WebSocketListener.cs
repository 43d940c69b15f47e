// Listens for client IUTs: a Kestrel server on loopback (or the given address) that accepts WebSocket upgrades on
// one path and hands each connection to whoever awaits AcceptAsync.
using System.Net;
using System.Threading.Channels;
using Conformance.Adapters.Trace;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Conformance.Adapters.WebSockets;

public sealed class WebSocketListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<Pending> _accepted = Channel.CreateUnbounded<Pending>();
    private readonly int _maxMessageBytes;

    private sealed record Pending(System.Net.WebSockets.WebSocket Socket, TaskCompletionSource Done);

    private WebSocketListener(WebApplication app, int maxMessageBytes)
    {
        _app = app;
        _maxMessageBytes = maxMessageBytes;
    }

    /// <summary>The ws:// URL clients should connect to (with the port actually bound).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Starts listening on <paramref name="listen"/> (ws://host:port/path; port 0 picks a free one).</summary>
    public static async Task<WebSocketListener> StartAsync(Uri listen, int maxMessageBytes = WebSocketConnection.DefaultMaxMessageBytes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var address = listen.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(listen.Host);
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, listen.Port));
        var app = builder.Build();
        var listener = new WebSocketListener(app, maxMessageBytes);
        app.UseWebSockets();
        var path = string.IsNullOrEmpty(listen.AbsolutePath) ? "/" : listen.AbsolutePath;
        app.Map(path, async (HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 426; return; }
            var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var pending = new Pending(socket, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            await listener._accepted.Writer.WriteAsync(pending);
            // Kestrel owns the socket while this request runs: hold it until the consumer is done.
            await Task.WhenAny(pending.Done.Task, Task.Delay(Timeout.Infinite, ctx.RequestAborted));
        });
        await app.StartAsync();
        var bound = new Uri(app.Urls.First());
        listener.Url = new UriBuilder("ws", listen.Host, bound.Port, path).Uri;
        return listener;
    }

    /// <summary>The next client connection, or null if none arrives in time. Dispose it to release it.</summary>
    public async Task<IWireConnection?> AcceptAsync(TimeSpan timeout, WireTrace? trace = null, CancellationToken cancel = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        try
        {
            var p = await _accepted.Reader.ReadAsync(cts.Token);
            return new Accepted(new WebSocketConnection(p.Socket, trace, _maxMessageBytes), p.Done);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { return null; }
    }

    /// <summary>Wraps an accepted connection so that disposing it also ends Kestrel's request.</summary>
    private sealed class Accepted(WebSocketConnection connection, TaskCompletionSource done) : IWireConnection
    {
        public WireTrace Trace => connection.Trace;
        public Task<bool> SendTextAsync(string text) => connection.SendTextAsync(text);
        public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => connection.SendBinaryAsync(bytes);
        public Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default) => connection.ReceiveAsync(timeout, cancel);
        public Task CloseAsync(int code, string reason) => connection.CloseAsync(code, reason);
        public void Abort() => connection.Abort();

        public async ValueTask DisposeAsync()
        {
            await connection.DisposeAsync();
            done.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _accepted.Writer.TryComplete();
        while (_accepted.Reader.TryRead(out var p)) { p.Socket.Abort(); p.Done.TrySetResult(); }
        using (var t = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(t.Token);
        await _app.DisposeAsync();
    }
}
