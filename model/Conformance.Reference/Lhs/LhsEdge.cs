// The reference LHS server at <path>: the WebSocket profile (§6), and the HTTP Upgrade profile (§5) for an upgrade
// request that carries LHS-Hello or LHS-Bind; its observation channel at <path>/observe.
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
    /// <summary>The same endpoint for the HTTP Upgrade profile (§5).</summary>
    public Uri HttpUrl => new UriBuilder(_host.Url) { Scheme = "http" }.Uri;
    public string PublicKey => Base64Url.Encode(Options.Key.PublicKey);

    public static async Task<LhsEdge> StartAsync(LhsEdgeOptions options)
    {
        var instance = Guid.NewGuid().ToString("n");
        var hub = new ObservationHub(LhsTelemetry.SourceName, LhsTelemetry.DataTag, instance);
        var config = new LhsServerConfig(options.Capabilities, options.Key, TimeSpan.FromHours(1));
        void Publish(LhsOutput.Observe o) => LhsTelemetry.Publish(o, instance);
        var host = await WebSocketHost.StartAsync(options.Listen, "/lhs", hub, Sessions(options, instance),
            decide: header => HttpProfile(header, config, options, Publish));
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

    /// <summary>§5: the request's frames through the model (LhsHttp); null when the request is not for this profile.</summary>
    private static UpgradeDecision? HttpProfile(Func<string, string?> header, LhsServerConfig config, LhsEdgeOptions options, Action<LhsOutput.Observe> publish)
    {
        var hello = header(LhsHttp.HelloHeader);
        var bind = header(LhsHttp.BindHeader);
        if (hello is null && bind is null) return null;
        var behaviour = options.Behaviour();
        var env = behaviour.Environment(options.Environment);
        var answer = LhsHttp.Serve(hello, bind, (s, input) => behaviour.Step(s, input, config, env, LhsServer.Step));
        if (answer is LhsHttpAnswer.Reject r) return new UpgradeDecision.Refuse(r.Status, r.Body);
        var up = (LhsHttpAnswer.Upgrade)answer;
        return new UpgradeDecision.Accept(behaviour.UpgradeHeaders(up.Mirror, up.Seal), (conn, cancel) =>
        {
            foreach (var o in up.Outputs.OfType<LhsOutput.Observe>()) publish(o);
            return LhsServerSession.RunAsync(conn, config, options.Environment, behaviour, options.Host, publish, cancel, initial: up.State);
        });
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
