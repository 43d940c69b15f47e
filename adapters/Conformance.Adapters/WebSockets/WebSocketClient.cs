using System.Net.WebSockets;
using Conformance.Adapters.Trace;

namespace Conformance.Adapters.WebSockets;

/// <summary>The IUT could not be reached at all (refused, no route, handshake rejected, connect timeout).</summary>
public sealed class IutUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Connects to a WebSocket server IUT.</summary>
public static class WebSocketClient
{
    /// <summary>
    /// Opening a connection (TCP and the HTTP upgrade) gets at least this long, even under a shorter step timeout: on a
    /// loaded machine the upgrade alone can take longer than a short step, and "unreachable" ends the whole run.
    /// </summary>
    public static readonly TimeSpan MinConnectTimeout = TimeSpan.FromSeconds(2);

    public static async Task<WebSocketConnection> ConnectAsync(Uri target, TimeSpan timeout, WireTrace? trace = null,
        int maxMessageBytes = WebSocketConnection.DefaultMaxMessageBytes, CancellationToken cancel = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout > MinConnectTimeout ? timeout : MinConnectTimeout);
        try
        {
            await socket.ConnectAsync(target, cts.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or HttpRequestException or IOException)
        {
            socket.Dispose();
            if (cancel.IsCancellationRequested) throw;
            throw new IutUnreachableException($"cannot open a WebSocket to {target}: {e.Message}", e);
        }
        return new WebSocketConnection(socket, trace, maxMessageBytes);
    }
}
