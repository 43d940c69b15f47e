// Where the IUT is. The suite connects to a server IUT, or waits for a client IUT to connect; either way each
// connection records into the case's trace.
using Conformance.Adapters.Http;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;

namespace Conformance.Suite.Core;

/// <summary>An IUT in the server role.</summary>
public interface IServerTarget
{
    string Adapter { get; }
    string Describe { get; }
    /// <summary>The IUT's seal key (raw Ed25519 public key).</summary>
    byte[] ServerKey { get; }
    IObservationSource? Observations { get; }
    Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel);
}

/// <summary>An IUT in the client role: each case takes its next connection.</summary>
public interface IClientTarget
{
    string Adapter { get; }
    string Describe { get; }
    Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel);
}

public sealed class WebSocketServerTarget(Uri url, byte[] serverKey, IObservationSource? observations) : IServerTarget
{
    public string Adapter => "websocket";
    public string Describe => url.ToString();
    public byte[] ServerKey => serverKey;
    public IObservationSource? Observations => observations;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        await WebSocketClient.ConnectAsync(url, timeout, trace, cancel: cancel);
}

/// <summary>
/// A server IUT reached through the HTTP Upgrade adapter (LHS §5): each connection is one upgrade request whose
/// headers the case chooses; there is no bare connection to open.
/// </summary>
public sealed class HttpUpgradeServerTarget(Uri url, byte[] serverKey, IObservationSource? observations) : IServerTarget
{
    public string Adapter => "http";
    public string Describe => url.ToString();
    public byte[] ServerKey => serverKey;
    public IObservationSource? Observations => observations;

    public Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        throw new InvalidOperationException("over the http adapter a connection starts with an upgrade request: use UpgradeAsync");

    public Task<HttpUpgradeResult> UpgradeAsync(IEnumerable<KeyValuePair<string, string>> headers, WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        HttpUpgradeClient.UpgradeAsync(url, headers, timeout, trace, cancel: cancel);
}

/// <summary>A client IUT over the HTTP Upgrade adapter (LHS §5): each case takes its next upgrade request and answers it.</summary>
public interface IHttpUpgradeClientTarget : IClientTarget
{
    Task<PendingUpgrade?> AcceptUpgradeAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel);
}

/// <summary>A client IUT that sends its upgrade requests to the suite's http listener on its own (started by the user, looping).</summary>
public sealed class HttpUpgradeClientTarget(HttpUpgradeListener listener) : IHttpUpgradeClientTarget
{
    public string Adapter => "http";
    public string Describe => $"client IUT sending upgrade requests to {listener.Url}";

    public Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        throw new InvalidOperationException("over the http adapter a case answers an upgrade request: use AcceptUpgradeAsync");

    public Task<PendingUpgrade?> AcceptUpgradeAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        listener.AcceptAsync(timeout, trace, cancel);
}

/// <summary>An IUT the suite can restart (the embedded references): durability cases need it; for others they are unimplemented.</summary>
public interface IRestartable
{
    /// <summary>Stops the IUT abruptly (no graceful shutdown of its sessions) and starts it again on the same storage and address.</summary>
    Task RestartAsync();
}

/// <summary>An IUT that is a peer-to-peer agent (CIP): the suite opens one connection per peer it plays.</summary>
public interface IAgentTarget
{
    string Adapter { get; }
    string Describe { get; }
    string AgentId { get; }
    /// <summary>The agent's raw Ed25519 public key.</summary>
    byte[] AgentKey { get; }
    IObservationSource? Observations { get; }
    Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel);
}

public sealed class WebSocketAgentTarget(Uri url, string agentId, byte[] agentKey, IObservationSource? observations) : IAgentTarget
{
    public string Adapter => "websocket";
    public string Describe => $"{agentId} at {url}";
    public string AgentId => agentId;
    public byte[] AgentKey => agentKey;
    public IObservationSource? Observations => observations;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        await WebSocketClient.ConnectAsync(url, timeout, trace, cancel: cancel);
}

/// <summary>A client IUT that connects to the suite's listener on its own (started by the user, looping).</summary>
public sealed class WebSocketClientTarget(WebSocketListener listener) : IClientTarget
{
    public string Adapter => "websocket";
    public string Describe => $"client IUT connecting to {listener.Url}";

    public Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        listener.AcceptAsync(timeout, trace, cancel);
}
