// The reference Confluence Edge and CCML node as IUTs on loopback. The edge keeps its Lattice Registry in a temporary
// directory and can be restarted on it (durability cases); the node uploads a fixed payload and resumes by itself.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;

namespace Conformance.Suite.Embedded;

public sealed class EmbeddedShardEdge : IServerTarget, IRestartable, IAsyncDisposable
{
    private readonly string _store;
    private readonly Func<ShardEdgeBehaviour> _behaviour;
    private readonly IModelEnvironment _env;
    private ShardEdgeHost _host = null!;
    private WebSocketObservations _observations = null!;
    private bool _hostDown;

    private EmbeddedShardEdge(string store, Func<ShardEdgeBehaviour> behaviour, IModelEnvironment env)
    {
        _store = store;
        _behaviour = behaviour;
        _env = env;
    }

    public string Adapter => "websocket";
    public string Describe => "embedded reference edge " + _host.Url;
    public byte[] ServerKey => [];
    public IObservationSource? Observations => _observations;
    public ShardEdgeHost Host => _host;

    /// <summary>The reference edge's configuration: trusts the suite's CCML node key and authority.</summary>
    public static ShardEdgeConfig ReferenceConfig() => SuiteEdge.Config;

    /// <param name="env">The edge's clock and randomness (default: the system's); a seeded one makes its replies reproducible.</param>
    public static async Task<EmbeddedShardEdge> StartAsync(Func<ShardEdgeBehaviour> behaviour, string? store = null, IModelEnvironment? env = null)
    {
        var dir = store ?? Directory.CreateTempSubdirectory("conformance-registry-").FullName;
        var edge = new EmbeddedShardEdge(dir, behaviour, env ?? SystemEnvironment.Instance);
        edge._host = await ShardEdgeHost.StartAsync(edge.Options(new Uri("ws://127.0.0.1:0/shard")));
        edge._observations = await WebSocketObservations.ConnectAsync(edge._host.ObserveUrl, TimeSpan.FromSeconds(5));
        return edge;
    }

    // The registry is thrown away when the edge is (DisposeAsync): what it stores must survive a restart (a killed
    // host), not a power cut, so it is not forced to the disk at every chunk and commit.
    private ShardEdgeHostOptions Options(Uri listen) => new(listen, _store, ReferenceConfig()) { Behaviour = _behaviour, Environment = _env, PowerSafe = false };

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        await WebSocketClient.ConnectAsync(_host.Url, timeout, trace, cancel: cancel);

    public async Task RestartAsync()
    {
        var port = _host.Url.Port;
        await _observations.DisposeAsync();
        // A restart that fails to start the new host must not leave the old one to be disposed a second time.
        _hostDown = true;
        await _host.DisposeAsync();
        _host = await ShardEdgeHost.StartAsync(Options(new Uri($"ws://127.0.0.1:{port}/shard")));
        _hostDown = false;
        _observations = await WebSocketObservations.ConnectAsync(_host.ObserveUrl, TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        await _observations.DisposeAsync();
        if (!_hostDown) await _host.DisposeAsync();
        try { Directory.Delete(_store, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A listener the reference CCML node connects to; one node runs at a time and comes back by itself after a drop.</summary>
public sealed class EmbeddedShardNode : IClientTarget, IAsyncDisposable
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(10);
    private readonly WebSocketListener _listener;
    private readonly Func<ShardNodeBehaviour> _behaviour;
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-node-").FullName;
    private readonly ShardFile _file;
    private Task? _running;

    private EmbeddedShardNode(WebSocketListener listener, Func<ShardNodeBehaviour> behaviour, ulong seed)
    {
        _listener = listener;
        _behaviour = behaviour;
        _file = PayloadFile(_dir, seed);
    }

    /// <summary>The fixed payload the reference node uploads (5000 seeded bytes in 1 KiB chunks), written to <paramref name="dir"/>.</summary>
    public static ShardFile PayloadFile(string dir, ulong seed)
    {
        var path = Path.Combine(dir, "payload.bin");
        File.WriteAllBytes(path, new SeededEnvironment(seed, stream: "shard-node-payload").NextBytes(5000));
        return ShardFile.Scan(path, 1024);
    }

    public string Adapter => "websocket";
    public string Describe => "embedded reference CCML node → " + _listener.Url;

    public static async Task<EmbeddedShardNode> StartAsync(ulong seed, Func<ShardNodeBehaviour> behaviour) =>
        new(await WebSocketListener.StartAsync(new Uri("ws://127.0.0.1:0/shard")), behaviour, seed);

    public async Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel)
    {
        // A node that lost its connection comes back by itself (resume): take that connection if one comes before
        // the upload ends (one upload at a time, as the stdio shim's node does); once it has ended, start the next.
        if (_running is { IsCompleted: false } running)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var back = _listener.AcceptAsync(NodeTimeout, trace, stop.Token);
            if (await Task.WhenAny(back, running) != back) stop.Cancel();
            try { if (await back is { } conn) return conn; }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested) { }
        }
        _running = Task.Run(() => NodeAsync(_behaviour()), CancellationToken.None);
        return await _listener.AcceptAsync(timeout, trace, cancel);
    }

    /// <summary>One upload, as the `agent --spec shard` command runs it: a fresh ledger, resume after a drop.</summary>
    private async Task NodeAsync(ShardNodeBehaviour behaviour)
    {
        try { await UploadAsync(async () => await WebSocketClient.ConnectAsync(_listener.Url, NodeTimeout), _dir, _file, behaviour); }
        catch (Exception e) when (e is IutUnreachableException or OperationCanceledException) { }
    }

    /// <summary>
    /// One reference upload of <paramref name="file"/> with a fresh ledger in <paramref name="dir"/>, over any transport.
    /// The embedded node reconnects at once after a drop: the suite's edge is local, and a pause would only slow every
    /// drop case and trace down.
    /// </summary>
    public static Task<NodeOutcome> UploadAsync(Func<Task<IWireConnection>> connect, string dir, ShardFile file, ShardNodeBehaviour behaviour)
    {
        var ledger = new ShardLedger(Path.Combine(dir, $"ledger-{Guid.NewGuid():n}.jsonl"));
        var cfg = new ShardNodeConfig(ShardClient.NodeKey, ShardNodeConfig.ReferenceVersions,
            new ShardUpload("node-shard", "v1.0.0", null, file.ChunkSize, file.Size, file.Leaves));
        return ShardAgent.UploadAsync(connect, cfg, file, ledger, SystemEnvironment.Instance, NodeTimeout, behaviour, attempts: 3, reconnectPause: TimeSpan.Zero);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        if (_running is not null) await Task.WhenAny(_running, Task.Delay(3000));
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
