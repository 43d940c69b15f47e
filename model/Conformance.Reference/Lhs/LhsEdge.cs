// The reference LHS server: the WebSocket profile at <path>, its observation channel at <path>/observe.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;

namespace Conformance.Reference.Lhs;

public sealed record LhsEdgeOptions(Uri Listen, Ed25519Signer Key)
{
    /// <summary>Makes the behaviour for each new connection (a fault may keep per-connection state).</summary>
    public Func<LhsServerBehaviour> Behaviour { get; init; } = () => LhsServerBehaviour.Correct;
    public LhsHostOptions Host { get; init; } = LhsHostOptions.Default;
    public IModelEnvironment Environment { get; init; } = SystemEnvironment.Instance;
    public ServerCapabilities Capabilities { get; init; } = ServerCapabilities.Reference;
}

public sealed class LhsEdge : IAsyncDisposable
{
    private readonly WebSocketHost _host;

    private LhsEdge(WebSocketHost host, LhsEdgeOptions options)
    {
        _host = host;
        Options = options;
    }

    public LhsEdgeOptions Options { get; }
    public Uri Url => _host.Url;
    public Uri ObserveUrl => _host.ObserveUrl;
    public string PublicKey => Base64Url.Encode(Options.Key.PublicKey);

    public static async Task<LhsEdge> StartAsync(LhsEdgeOptions options)
    {
        var instance = Guid.NewGuid().ToString("n");
        var hub = new ObservationHub(LhsTelemetry.SourceName, LhsTelemetry.DataTag, instance);
        var host = await WebSocketHost.StartAsync(options.Listen, "/lhs", hub, Sessions(options, instance));
        return new LhsEdge(host, options);
    }

    /// <summary>What the edge runs on each connection, whatever carries it (Kestrel here, a stdio shim elsewhere;
    /// <see cref="LhsEdgeOptions.Listen"/> is not used). Telemetry is published as host <paramref name="instance"/>.</summary>
    public static Func<IWireConnection, CancellationToken, Task> Sessions(LhsEdgeOptions options, string instance)
    {
        var config = new LhsServerConfig(options.Capabilities, options.Key, TimeSpan.FromHours(1));
        return (conn, cancel) =>
            LhsServerSession.RunAsync(conn, config, options.Environment, options.Behaviour(), options.Host, o => LhsTelemetry.Publish(o, instance), cancel);
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
