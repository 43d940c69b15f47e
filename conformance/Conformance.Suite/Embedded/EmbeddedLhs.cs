// The embedded reference implementations as IUTs, on real loopback sockets: the reference edge for the server role,
// the reference agent (started once per case) for the client role. `conformance run` with no target uses these.
using System.Text.Json;
using Conformance.Adapters.Http;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;

namespace Conformance.Suite.Embedded;

public sealed class EmbeddedLhsServer : IAsyncDisposable
{
    private EmbeddedLhsServer(LhsEdge edge, WebSocketObservations observations, string adapter)
    {
        Edge = edge;
        Observations = observations;
        // One edge serves both profiles; the adapter decides which one the suite speaks.
        Target = adapter == "http"
            ? new HttpUpgradeServerTarget(edge.HttpUrl, edge.Options.Key.PublicKey, observations)
            : new WebSocketServerTarget(edge.Url, edge.Options.Key.PublicKey, observations);
    }

    public LhsEdge Edge { get; }
    public WebSocketObservations Observations { get; }
    public IServerTarget Target { get; }

    /// <param name="env">The edge's clock and randomness (default: the system's); a seeded one makes its replies reproducible.</param>
    public static async Task<EmbeddedLhsServer> StartAsync(ulong seed, Func<LhsServerBehaviour> behaviour, IModelEnvironment? env = null, string adapter = "websocket")
    {
        var edge = await LhsEdge.StartAsync(new LhsEdgeOptions(new Uri("ws://127.0.0.1:0/lhs"), TestKeys.FromLabel($"reference-edge/{seed}"))
        {
            Behaviour = behaviour,
            Environment = env ?? SystemEnvironment.Instance,
        });
        return new EmbeddedLhsServer(edge, await WebSocketObservations.ConnectAsync(edge.ObserveUrl, TimeSpan.FromSeconds(5)), adapter);
    }

    public async ValueTask DisposeAsync()
    {
        await Observations.DisposeAsync();
        await Edge.DisposeAsync();
    }
}

/// <summary>A listener the reference agent connects to, once per accepted case.</summary>
public sealed class EmbeddedLhsClient : IClientTarget, IAsyncDisposable
{
    private readonly WebSocketListener _listener;
    private readonly Func<LhsClientBehaviour> _behaviour;
    private readonly IModelEnvironment _env;
    private readonly AgentLaunches _agents = new();

    private EmbeddedLhsClient(WebSocketListener listener, Func<LhsClientBehaviour> behaviour, IModelEnvironment env)
    {
        _listener = listener;
        _behaviour = behaviour;
        _env = env;
    }

    public string Adapter => "websocket";
    public string Describe => "embedded reference agent → " + _listener.Url;

    /// <param name="env">Where the agent's thread ids come from (default: a stream shared by every case of the run); a
    /// trace's own stream makes a fresh client's frames reproducible.</param>
    public static async Task<EmbeddedLhsClient> StartAsync(ulong seed, Func<LhsClientBehaviour> behaviour, IModelEnvironment? env = null) =>
        new(await WebSocketListener.StartAsync(new Uri("ws://127.0.0.1:0/lhs")), behaviour, env ?? new SeededEnvironment(seed, stream: "reference-agent"));

    /// <summary>The reference agent's configuration: trusts the suite's published key.</summary>
    public static LhsClientConfig AgentConfig(IModelEnvironment env, byte[] trustedKey) =>
        new("0.1", ["json", "cbor"], ["ltp", "lss", "telemetry"], 65536, env.NewUuid(), trustedKey,
            Context: JsonDocument.Parse("{\"intent\":{\"type\":\"teach\"}}").RootElement.Clone());

    public async Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel)
    {
        var config = AgentConfig(_env, SuiteServer.Key.PublicKey);
        _agents.Launch(async () =>
        {
            await using var conn = await WebSocketClient.ConnectAsync(_listener.Url, AgentLaunches.AgentTimeout);
            await LhsAgent.RunAsync(conn, config, new LhsAgentOptions(AgentLaunches.AgentTimeout) { Behaviour = _behaviour() });
        });
        return await _listener.AcceptAsync(timeout, trace, cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _agents.DrainAsync();
    }
}

/// <summary>Reference agents, one started per accepted case; on dispose they get a bounded moment to finish.</summary>
internal sealed class AgentLaunches
{
    /// <summary>The agent's own patience, as a real client would have: independent of the suite's step timeout.</summary>
    public static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(10);
    private readonly List<Task> _agents = [];

    public void Launch(Func<Task> run)
    {
        lock (_agents) _agents.Add(Task.Run(async () =>
        {
            try { await run(); }
            catch (Exception e) when (e is IutUnreachableException or OperationCanceledException) { }
        }, CancellationToken.None));
    }

    public Task DrainAsync()
    {
        Task[] agents;
        lock (_agents) agents = [.. _agents];
        return Task.WhenAny(Task.WhenAll(agents), Task.Delay(3000));
    }
}

/// <summary>The reference agent over the HTTP Upgrade profile (§5): one upgrade request per accepted case.</summary>
public sealed class EmbeddedLhsHttpClient : IHttpUpgradeClientTarget, IAsyncDisposable
{
    private readonly HttpUpgradeListener _listener;
    private readonly Func<LhsClientBehaviour> _behaviour;
    private readonly SeededEnvironment _env;
    private readonly AgentLaunches _agents = new();

    private EmbeddedLhsHttpClient(HttpUpgradeListener listener, Func<LhsClientBehaviour> behaviour, ulong seed)
    {
        _listener = listener;
        _behaviour = behaviour;
        _env = new SeededEnvironment(seed, stream: "reference-agent");
    }

    public string Adapter => "http";
    public string Describe => "embedded reference agent → " + _listener.Url;

    public static async Task<EmbeddedLhsHttpClient> StartAsync(ulong seed, Func<LhsClientBehaviour> behaviour) =>
        new(await HttpUpgradeListener.StartAsync(new Uri("http://127.0.0.1:0/lhs")), behaviour, seed);

    public Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        throw new InvalidOperationException("over the http adapter a case answers an upgrade request: use AcceptUpgradeAsync");

    public async Task<PendingUpgrade?> AcceptUpgradeAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel)
    {
        var config = EmbeddedLhsClient.AgentConfig(_env, SuiteServer.Key.PublicKey);
        _agents.Launch(() => LhsAgent.RunOverHttpAsync(_listener.Url, config, new LhsAgentOptions(AgentLaunches.AgentTimeout) { Behaviour = _behaviour() }));
        return await _listener.AcceptAsync(timeout, trace, cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _agents.DrainAsync();
    }
}
