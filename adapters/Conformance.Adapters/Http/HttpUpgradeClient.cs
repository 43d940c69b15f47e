// The HTTP Upgrade adapter, client side: one upgrade request over raw TCP (so the evidence is the exact bytes and a
// broken server cannot hide behind an HTTP library), the response read with bounded sizes under the step timeout,
// both recorded in the wire trace. On 101 the same stream becomes a WebSocket (RFC 6455) and an IWireConnection,
// so flow frames work exactly as over the WebSocket adapter.
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;

namespace Conformance.Adapters.Http;

/// <summary>
/// What one upgrade request got: the response (null when none could be read), the upgraded connection (on a valid
/// 101 only), and otherwise why not — <see cref="TimedOut"/> when the peer went quiet.
/// </summary>
public sealed record HttpUpgradeResult(HttpResponse? Response, IWireConnection? Connection, string? Failure, bool TimedOut = false);

public static class HttpUpgradeClient
{
    /// <summary>
    /// Sends <c>GET path</c> with the WebSocket upgrade headers plus <paramref name="extraHeaders"/>. Throws only
    /// <see cref="IutUnreachableException"/> (no TCP connection); everything the server does wrong is in the result.
    /// </summary>
    public static async Task<HttpUpgradeResult> UpgradeAsync(Uri target, IEnumerable<KeyValuePair<string, string>> extraHeaders, TimeSpan timeout,
        WireTrace trace, int maxMessageBytes = WebSocketConnection.DefaultMaxMessageBytes, CancellationToken cancel = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            connect.CancelAfter(timeout > WebSocketClient.MinConnectTimeout ? timeout : WebSocketClient.MinConnectTimeout);
            try { await tcp.ConnectAsync(target.Host, target.Port, connect.Token); }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                tcp.Dispose();
                if (cancel.IsCancellationRequested) throw;
                throw new IutUnreachableException($"cannot open a TCP connection to {target}: {e.Message}", e);
            }
        }
        var stream = tcp.GetStream();
        var keep = false;
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        step.CancelAfter(timeout);
        try
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = HttpMessage.Write($"GET {target.PathAndQuery} HTTP/1.1",
            [
                new("Host", target.Authority), new("Upgrade", "websocket"), new("Connection", "Upgrade"),
                new("Sec-WebSocket-Key", key), new("Sec-WebSocket-Version", "13"), .. extraHeaders,
            ]);
            trace.Add(Direction.Sent, FrameKind.Text, request, note: "HTTP upgrade request");
            await stream.WriteAsync(request, step.Token);

            var reader = new HeadReader(stream);
            var (head, failure) = await reader.ReadHeadAsync(step.Token);
            if (head is null) return Failed(trace, null, failure!);
            trace.Add(Direction.Received, FrameKind.Text, Encoding.Latin1.GetBytes(head), note: "HTTP response head");
            var parsed = HttpMessage.ParseResponseHead(head, out failure);
            if (parsed is not { } p) return Failed(trace, null, failure!);
            if (p.Status != 101)
            {
                var (body, bodyFailure) = await reader.ReadBodyAsync(p.Headers, step.Token);
                if (body is not null) trace.Add(Direction.Received, FrameKind.Text, Encoding.UTF8.GetBytes(body), note: "HTTP response body");
                var response = new HttpResponse(p.Status, p.Reason, p.Headers, body ?? "");
                return bodyFailure is null ? new(response, null, null) : Failed(trace, response, bodyFailure);
            }
            var upgraded = new HttpResponse(p.Status, p.Reason, p.Headers, "");
            // RFC 6455 §4.1: the client fails the connection unless the server proved it read our key.
            if (upgraded.Header("Sec-WebSocket-Accept") != HttpMessage.WebSocketAccept(key))
                return Failed(trace, upgraded, "101 without the Sec-WebSocket-Accept that RFC 6455 §4.2.2 requires for our key");
            var socket = WebSocket.CreateFromStream(new PrefixedStream(reader.Leftover, stream),
                new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
            keep = true;
            return new(upgraded, new WebSocketConnection(socket, trace, maxMessageBytes), null);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            trace.Add(Direction.Local, FrameKind.Timeout, [], 0, $"no complete HTTP response within {timeout.TotalMilliseconds:0} ms");
            return new(null, null, $"no complete HTTP response within {timeout.TotalMilliseconds:0} ms", TimedOut: true);
        }
        catch (IOException e)
        {
            return Failed(trace, null, "the connection failed: " + e.Message);
        }
        finally
        {
            if (!keep) tcp.Dispose();
        }
    }

    private static HttpUpgradeResult Failed(WireTrace trace, HttpResponse? response, string failure)
    {
        trace.Add(Direction.Local, FrameKind.Error, [], 0, failure);
        return new(response, null, failure);
    }
}
