// The reference Confluence Edge: the hand-off at <path> on WebSocket, the Lattice Registry on SQLite in a directory the
// user chooses. The host performs the model's effects against the registry and feeds the results back; it decides
// nothing itself.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard.Store;

namespace Conformance.Reference.Shard;

public sealed record ShardEdgeHostOptions(Uri Listen, string StoreDirectory, ShardEdgeConfig Config)
{
    public Func<ShardEdgeBehaviour> Behaviour { get; init; } = () => ShardEdgeBehaviour.Correct;
    public IModelEnvironment Environment { get; init; } = SystemEnvironment.Instance;
    /// <summary>Idle time after which a connection is dropped (an upload that stalls can be resumed later).</summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>How often the registry makes received-chunk records durable (LatticeRegistry's header says why batches).</summary>
    public ReceiptBatch ReceiptBatch { get; init; } = ReceiptBatch.Default;
    /// <summary>Whether the registry forces what it stores to the disk (LatticeRegistry.Open); off only for a throwaway registry.</summary>
    public bool PowerSafe { get; init; } = true;
}

public sealed class ShardEdgeHost : IAsyncDisposable
{
    /// <summary>Largest message read: a maximal chunk plus its header.</summary>
    public const int MaxMessageBytes = (int)ShardMessages.MaxChunkSize + 64 * 1024;

    private readonly string _instance = Guid.NewGuid().ToString("n");
    private readonly LatticeRegistryPort _port;
    private WebSocketHost? _host;

    private ShardEdgeHost(ShardEdgeHostOptions options, LatticeRegistry registry)
    {
        Options = options;
        Registry = registry;
        _port = new LatticeRegistryPort(registry);
    }

    public ShardEdgeHostOptions Options { get; }
    public LatticeRegistry Registry { get; }
    public Uri Url => _host?.Url ?? throw new InvalidOperationException("a detached edge has no URL");
    public Uri ObserveUrl => _host?.ObserveUrl ?? throw new InvalidOperationException("a detached edge has no URL");
    /// <summary>The host name its telemetry is published under (ObservationHub's instance).</summary>
    public string Instance => _instance;

    public static async Task<ShardEdgeHost> StartAsync(ShardEdgeHostOptions options)
    {
        var edge = Detached(options);
        var hub = new ObservationHub(ShardTelemetry.SourceName, ShardTelemetry.DataTag, edge._instance);
        edge._host = await WebSocketHost.StartAsync(options.Listen, "/shard", hub, edge.ServeAsync, MaxMessageBytes);
        return edge;
    }

    /// <summary>The edge on its store without a listener: connections are handed to <see cref="ServeAsync"/> by whatever
    /// carries them (a stdio shim).</summary>
    public static ShardEdgeHost Detached(ShardEdgeHostOptions options)
    {
        var edge = new ShardEdgeHost(options, LatticeRegistry.Open(options.StoreDirectory, options.ReceiptBatch, options.PowerSafe));
        options.Behaviour().HostStarting();
        return edge;
    }

    /// <summary>One node's connection, until it closes or idles.</summary>
    public async Task ServeAsync(IWireConnection conn, CancellationToken cancel)
    {
        var step = Options.Behaviour().Around();
        var state = ShardEdgeState.Initial;
        try
        {
            while (state.Phase != EdgePhase.Closed && !cancel.IsCancellationRequested)
            {
                WireEvent ev;
                try { ev = await conn.ReceiveAsync(Options.Idle, cancel); }
                // A peer that resets the connection aborts the request, which can reach us before the socket's own end:
                // the model must see the drop either way (else its drop handling depends on which Kestrel reports first).
                catch (OperationCanceledException) { ev = new WireEvent.Closed(null, "connection aborted"); }
                EdgeInput input = ev switch
                {
                    WireEvent.Text t => new EdgeInput.Text(t.Value),
                    WireEvent.Binary b => new EdgeInput.Binary(b.Value),
                    WireEvent.Oversize o => new EdgeInput.Oversize(o.IsBinary, o.AtLeast),
                    _ => new EdgeInput.Closed(),
                };
                // The model performs its registry effects on the store before the next message is read.
                var run = ShardEdge.Run(state, input, Options.Config, Options.Environment, _port, step);
                state = run.State;
                foreach (var output in run.Wire)
                    switch (output)
                    {
                        case EdgeOutput.Send s: await conn.SendTextAsync(s.Text); break;
                        case EdgeOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); break;
                        case EdgeOutput.Observe o: ShardTelemetry.Publish(o, _instance); break;
                    }
                if (ev is WireEvent.Timeout) break;
            }
        }
        finally
        {
            // The upload may come back (resume): what arrived on this connection is made durable now, not at the next batch.
            if (state.Token is { } token) FlushQuietly(token);
        }
        await conn.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
    }

    private void FlushQuietly(string token)
    {
        try { Registry.FlushSession(token); }
        catch (ObjectDisposedException) { } // the edge is stopping: its registry's dispose flushed every session
    }

    public ShardFacts Facts(string shardId) => _port.Shard(shardId);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        Registry.Dispose();
    }
}
