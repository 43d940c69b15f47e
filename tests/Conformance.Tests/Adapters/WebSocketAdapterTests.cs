// The WebSocket adapter: a receive timeout is an event, not a broken connection; an oversize message is discarded
// without being buffered and the connection lives on; the trace records both directions.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Adapters;

public static class WebSocketAdapterTests
{
    public static Test Tests() => TestList("adapters.websocket",
    [
        TestCase("a receive timeout leaves the connection usable", async () =>
        {
            await using var pair = await Pair.OpenAsync();
            var first = await pair.Client.ReceiveAsync(TimeSpan.FromMilliseconds(50));
            Expect.isTrue(first is WireEvent.Timeout, "nothing sent yet: timeout");
            await pair.Server.SendTextAsync("after the timeout");
            var second = await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(5));
            Expect.equal((second as WireEvent.Text)?.Value, "after the timeout", "still receiving");
        }),
        TestCase("an oversize message is reported and discarded; the next one arrives", async () =>
        {
            await using var pair = await Pair.OpenAsync(clientMax: 1024);
            await pair.Server.SendBinaryAsync(new byte[5000]);
            await pair.Server.SendTextAsync("small");
            var big = await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(5));
            Expect.isTrue(big is WireEvent.Oversize { AtLeast: 5000, IsBinary: true }, $"oversize event, got {big}");
            var next = await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(5));
            Expect.equal((next as WireEvent.Text)?.Value, "small", "connection survives");
            Expect.isTrue(pair.Client.Trace.Snapshot().Any(e => e.Kind == FrameKind.Oversize && e.Length == 5000), "trace records the oversize message");
        }),
        TestCase("the trace records sent and received frames with their bytes", async () =>
        {
            await using var pair = await Pair.OpenAsync();
            await pair.Client.SendTextAsync("ping");
            var got = await pair.Server.ReceiveAsync(TimeSpan.FromSeconds(5));
            Expect.equal((got as WireEvent.Text)?.Value, "ping", "delivered");
            await pair.Server.SendBinaryAsync(new byte[] { 1, 2, 3 });
            await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(5));
            var trace = pair.Client.Trace.Snapshot();
            Expect.isTrue(trace.Any(e => e.Direction == Direction.Sent && e.Kind == FrameKind.Text && e.Bytes.SequenceEqual("ping"u8.ToArray())), "sent text traced");
            Expect.isTrue(trace.Any(e => e.Direction == Direction.Received && e.Kind == FrameKind.Binary && e.Bytes.SequenceEqual(new byte[] { 1, 2, 3 })), "received binary traced");
        }),
        TestCase("a close from the peer is an event; sending afterwards reports false, never throws", async () =>
        {
            await using var pair = await Pair.OpenAsync();
            await pair.Server.CloseAsync(1008, "bye");
            var closed = await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(5));
            Expect.isTrue(closed is WireEvent.Closed { Code: 1008 }, $"close event, got {closed}");
            await Task.Delay(100);
            Expect.isFalse(await pair.Client.SendTextAsync("too late"), "send on a closed connection");
        }),
        TestCase("disposing a connection twice, even at once, is harmless (an edge restart that failed half-way disposes its observations again)", async () =>
        {
            await using var pair = await Pair.OpenAsync();
            await pair.Client.DisposeAsync();
            await pair.Client.DisposeAsync();
            await Task.WhenAll(pair.Server.DisposeAsync().AsTask(), pair.Server.DisposeAsync().AsTask());
            Expect.isFalse(await pair.Client.SendTextAsync("after dispose"), "a disposed connection sends nothing and does not throw");
        }),
        TestCase("a trace keeps its first and last entries and counts what it elides", () =>
        {
            var trace = new WireTrace(head: 3, tail: 2);
            for (var i = 1; i <= 10; i++) trace.Add(Direction.Received, FrameKind.Binary, new byte[i]);
            var kept = trace.Snapshot();
            Expect.sequenceEqual(kept.Where(e => e.Kind == FrameKind.Binary).Select(e => e.Length), new long[] { 1, 2, 3, 9, 10 }, "first three and last two");
            var gap = kept.Single(e => e.Kind == FrameKind.Note);
            Expect.equal(kept.ToList().IndexOf(gap), 3, "the gap note sits between head and tail");
            Expect.stringContains(gap.Note!, "5 entries (30 bytes) elided", "what was elided");
        }),
        TestCase("more large messages than the queue budget all arrive, in order, once the owner reads", async () =>
        {
            await using var pair = await Pair.OpenAsync();
            const int count = 20, size = 1024 * 1024;
            var sending = Task.Run(async () =>
            {
                for (var i = 0; i < count; i++) await pair.Server.SendBinaryAsync(Enumerable.Repeat((byte)i, size).ToArray());
            });
            await Task.Delay(300);
            for (var i = 0; i < count; i++)
            {
                var got = await pair.Client.ReceiveAsync(TimeSpan.FromSeconds(10));
                Expect.isTrue(got is WireEvent.Binary b && b.Value.Length == size && b.Value[0] == (byte)i && b.Value[^1] == (byte)i, $"message {i} intact, got {got}");
            }
            await sending.WaitAsync(TimeSpan.FromSeconds(10));
        }),
        TestCase("connecting to nothing is IutUnreachableException", async () =>
        {
            try
            {
                await WebSocketClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Support.TestCli.FreePort()}/x"), TimeSpan.FromSeconds(2));
                Expect.isTrue(false, "connected to a closed port");
            }
            catch (IutUnreachableException) { }
        }),
    ]);

    private sealed class Pair : IAsyncDisposable
    {
        private WebSocketListener _listener = null!;
        public IWireConnection Server { get; private set; } = null!;
        public WebSocketConnection Client { get; private set; } = null!;

        public static async Task<Pair> OpenAsync(int clientMax = WebSocketConnection.DefaultMaxMessageBytes)
        {
            var p = new Pair { _listener = await WebSocketListener.StartAsync(new Uri("ws://127.0.0.1:0/t")) };
            var accept = p._listener.AcceptAsync(TimeSpan.FromSeconds(5));
            p.Client = await WebSocketClient.ConnectAsync(p._listener.Url, TimeSpan.FromSeconds(5), maxMessageBytes: clientMax);
            p.Server = await accept ?? throw new InvalidOperationException("no connection");
            return p;
        }

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
            await _listener.DisposeAsync();
        }
    }
}
