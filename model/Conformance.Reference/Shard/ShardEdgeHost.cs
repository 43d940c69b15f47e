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
}

public sealed class ShardEdgeHost : IAsyncDisposable
{
    /// <summary>Largest message read: a maximal chunk plus its header.</summary>
    public const int MaxMessageBytes = (int)ShardMessages.MaxChunkSize + 64 * 1024;

    private readonly string _instance = Guid.NewGuid().ToString("n");
    private WebSocketHost? _host;

    private ShardEdgeHost(ShardEdgeHostOptions options, LatticeRegistry registry)
    {
        Options = options;
        Registry = registry;
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
        var edge = new ShardEdgeHost(options, LatticeRegistry.Open(options.StoreDirectory));
        options.Behaviour().HostStarting();
        return edge;
    }

    /// <summary>One node's connection, until it closes or idles.</summary>
    public async Task ServeAsync(IWireConnection conn, CancellationToken cancel)
    {
        var behaviour = Options.Behaviour();
        var state = ShardEdgeState.Initial;
        while (state.Phase != EdgePhase.Closed && !cancel.IsCancellationRequested)
        {
            var ev = await conn.ReceiveAsync(Options.Idle, cancel);
            EdgeInput input = ev switch
            {
                WireEvent.Text t => new EdgeInput.Text(t.Value),
                WireEvent.Binary b => new EdgeInput.Binary(b.Value),
                WireEvent.Oversize => new EdgeInput.Text("{\"type\":\"oversize\"}"),
                _ => new EdgeInput.Closed(),
            };
            // Effects answer with inputs: run them to quiescence before the next message is read.
            var pending = new Queue<EdgeInput>([input]);
            while (pending.TryDequeue(out var next))
            {
                var step = behaviour.Step(state, next, Options.Config, Options.Environment, ShardEdge.Step);
                state = step.State;
                foreach (var output in step.Outputs)
                    if (await PerformAsync(conn, output) is { } result) pending.Enqueue(result);
            }
            if (ev is WireEvent.Timeout) break;
        }
        await conn.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
    }

    /// <summary>Carries out one output; an effect returns the model's next input.</summary>
    private async Task<EdgeInput?> PerformAsync(IWireConnection conn, EdgeOutput output)
    {
        var now = Options.Environment.Now;
        switch (output)
        {
            case EdgeOutput.Send s: await conn.SendTextAsync(s.Text); return null;
            case EdgeOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); return null;
            case EdgeOutput.Observe o: ShardTelemetry.Publish(o, _instance); return null;
            case EdgeOutput.LookupShard l: return new EdgeInput.ShardLooked(Facts(l.ShardId));
            case EdgeOutput.LookupSession l:
                var session = Registry.Session(l.Token);
                return new EdgeInput.SessionLooked(session is null ? null
                    : new SessionFacts(session.Token, session.HeaderJson, session.CreatedAt, session.State == "committed",
                        session.Received.ToDictionary(kv => (long)kv.Key, kv => kv.Value)));
            case EdgeOutput.OpenSession o: Registry.OpenSession(o.Token, o.ShardId, o.HeaderJson, o.At); return null;
            case EdgeOutput.StoreChunk c: Registry.StoreChunk(c.Token, (int)c.Index, c.Offset, c.Data.Span, c.LeafHash); return null;
            case EdgeOutput.RecordOverride o: Registry.RecordOverride(o.ShardId, o.VersionId, o.Detail, now); return null;
            case EdgeOutput.Commit c:
                try
                {
                    var entry = Registry.Commit(new CommitRequest(c.Token, c.ShardId, c.VersionId, c.ExpectedParent, c.ShardHash, c.Provenance, c.Size, now));
                    return new EdgeInput.Committed(entry.RegistryId);
                }
                catch (RegistryConflictException e) { return new EdgeInput.CommitRefused(e.Message); }
            case EdgeOutput.Rollback r:
                try
                {
                    var (_, reinstated) = Registry.Rollback(r.ShardId, r.VersionId, r.Reason, now);
                    ShardTelemetry.Publish("shard.rollback", System.Text.Json.JsonSerializer.Serialize(new { shard_id = r.ShardId, version_id = r.VersionId, reinstated }), _instance);
                    return new EdgeInput.RolledBack(reinstated);
                }
                catch (RegistryConflictException e) { return new EdgeInput.RollbackRefused(e.Message); }
            default: throw new InvalidOperationException("unknown output " + output);
        }
    }

    public ShardFacts Facts(string shardId)
    {
        var view = Registry.View(shardId);
        return new ShardFacts(shardId, view.Canonical,
            [.. view.Entries.Select(e => new RegistryVersion(e.VersionId, e.Status, e.PreviousVersionId, e.RegistryId, e.ShardHash))],
            [.. Registry.Audit(shardId).Select(a => new AuditFact(a.Action, a.VersionId, a.Detail))]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        Registry.Dispose();
    }
}
