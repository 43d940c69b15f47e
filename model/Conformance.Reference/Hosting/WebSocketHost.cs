// Kestrel serving one protocol endpoint at <path> (each WebSocket handed to a session function) and the host's
// observation channel at <path>/observe. The reference edge and agent are this plus their session logic.
// A host may also take upgrade requests into its own hands (LHS §5 HTTP Upgrade profile): it sees the request's
// headers first and answers with the 101's extra headers and a session, or with a refusal (status + body).
using System.Net;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Conformance.Reference.Hosting;

/// <summary>What a host's own upgrade handling decided for one request.</summary>
public abstract record UpgradeDecision
{
    /// <summary>Accept the WebSocket with these extra 101 headers, then run <see cref="Serve"/> on it.</summary>
    public sealed record Accept(IReadOnlyList<KeyValuePair<string, string>> Headers, Func<WebSocketConnection, CancellationToken, Task> Serve) : UpgradeDecision;

    /// <summary>Refuse the upgrade: this status, this body (application/json).</summary>
    public sealed record Refuse(int Status, string Body) : UpgradeDecision;
}

public sealed class WebSocketHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ObservationHub _hub;
    private readonly CancellationTokenSource _stop = new();

    private WebSocketHost(WebApplication app, ObservationHub hub)
    {
        _app = app;
        _hub = hub;
    }

    public Uri Url { get; private set; } = null!;
    public Uri ObserveUrl { get; private set; } = null!;

    /// <summary>Listens on <paramref name="listen"/> (port 0 picks a free one; an empty path becomes <paramref name="defaultPath"/>).</summary>
    public static async Task<WebSocketHost> StartAsync(Uri listen, string defaultPath, ObservationHub hub,
        Func<WebSocketConnection, CancellationToken, Task> serve, int maxMessageBytes = WebSocketConnection.DefaultMaxMessageBytes,
        Func<Func<string, string?>, UpgradeDecision?>? decide = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var address = listen.Host is "localhost" ? IPAddress.Loopback : IPAddress.Parse(listen.Host);
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, listen.Port));
        var app = builder.Build();
        var host = new WebSocketHost(app, hub);
        var path = listen.AbsolutePath.TrimEnd('/');
        if (path.Length == 0) path = defaultPath;
        app.UseWebSockets();
        app.Map(path, async (HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 426; return; }
            var decision = decide?.Invoke(name => ctx.Request.Headers.TryGetValue(name, out var v) ? v.ToString() : null);
            if (decision is UpgradeDecision.Refuse refuse)
            {
                ctx.Response.StatusCode = refuse.Status;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(refuse.Body);
                return;
            }
            // Headers set before the accept go out with the 101.
            if (decision is UpgradeDecision.Accept accept)
                foreach (var (name, value) in accept.Headers) ctx.Response.Headers[name] = value;
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            await using var conn = new WebSocketConnection(socket, WireTrace.ForHost(), maxMessageBytes);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, host._stop.Token);
            await (decision is UpgradeDecision.Accept a ? a.Serve(conn, cancel.Token) : serve(conn, cancel.Token));
        });
        app.Map(path + "/observe", async (HttpContext ctx) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 426; return; }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            await using var conn = new WebSocketConnection(socket, WireTrace.ForHost());
            using var sub = hub.Subscribe();
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, host._stop.Token);
            try
            {
                await foreach (var line in sub.Lines.ReadAllAsync(cancel.Token))
                    if (!await conn.SendTextAsync(line)) break;
            }
            catch (OperationCanceledException) { }
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;
        host.Url = new UriBuilder("ws", listen.Host, port, path).Uri;
        host.ObserveUrl = new UriBuilder("ws", listen.Host, port, path + "/observe").Uri;
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        using (var t = new CancellationTokenSource(TimeSpan.FromSeconds(3))) await _app.StopAsync(t.Token);
        await _app.DisposeAsync();
        _hub.Dispose();
        _stop.Dispose();
    }
}
