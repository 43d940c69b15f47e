// A peer that resets its connection aborts the request (the host's cancellation) and, separately, ends the socket;
// which of the two a host sees first is a race. The edge must hand the model the drop in both cases: once it did
// not, and `shard-commits-partially` (which commits on the drop) slipped through the fault tests now and then.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Reference.Shard;
using Conformance.Suite.Embedded;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Shard;

public static class EdgeAbortTests
{
    public static Test Tests() => TestList("shard.edge-abort",
    [
        TestCase("a connection aborted while the edge waits to receive is a drop the model sees (EdgeInput.Closed)", async () =>
        {
            var store = Directory.CreateTempSubdirectory("conformance-abort-").FullName;
            var seen = new Seen();
            var edge = ShardEdgeHost.Detached(new ShardEdgeHostOptions(new Uri("ws://127.0.0.1:0/shard"), store, EmbeddedShardEdge.ReferenceConfig()) { Behaviour = () => seen });
            try
            {
                using var abort = new CancellationTokenSource();
                await using var conn = new SilentUntilAborted();
                var serving = edge.ServeAsync(conn, abort.Token);
                await conn.Waiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
                await abort.CancelAsync();
                try { await serving.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
                Expect.isTrue(seen.Closed, "the model was handed the connection's end");
            }
            finally
            {
                await edge.DisposeAsync();
                Directory.Delete(store, recursive: true);
            }
        }),
    ]);

    private sealed class Seen : ShardEdgeBehaviour
    {
        public volatile bool Closed;

        public override EdgeStep Step(ShardEdgeState state, EdgeInput input, ShardEdgeConfig config, IModelEnvironment env, EdgeModel model)
        {
            if (input is EdgeInput.Closed) Closed = true;
            return model(state, input, config, env);
        }
    }

    /// <summary>Receives nothing until the host's token is cancelled, then throws, as the adapter does on cancellation.</summary>
    private sealed class SilentUntilAborted : IWireConnection
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public WireTrace Trace { get; } = WireTrace.ForHost();
        public Task<bool> SendTextAsync(string text) => Task.FromResult(false);
        public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => Task.FromResult(false);

        public async Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default)
        {
            if (cancel.IsCancellationRequested) return new WireEvent.Closed(null, "already closed");
            Waiting.TrySetResult();
            try { await Task.Delay(timeout, cancel); }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { throw; }
            return new WireEvent.Timeout(timeout);
        }

        public Task CloseAsync(int code, string reason) => Task.CompletedTask;
        public void Abort() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
