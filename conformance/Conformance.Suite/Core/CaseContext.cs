using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;

namespace Conformance.Suite.Core;

public sealed record RunSettings(ulong Seed, TimeSpan StepTimeout)
{
    /// <summary>Distinguishes this run from every other: what must be fresh per run (CIP nonces, peer identities) is salted with it.</summary>
    public string RunId { get; init; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    /// <summary>How long a case waits for a client IUT to connect.</summary>
    public TimeSpan AcceptTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What a running case can use: the targets, a seeded environment, the trace, the timeouts.</summary>
public sealed class CaseContext : IAsyncDisposable
{
    private readonly List<IWireConnection> _connections = [];
    private readonly List<Adapters.Http.PendingUpgrade> _pending = [];

    /// <param name="stream">The seeded environment's stream (default: the case ID); property traces use one per trace.</param>
    /// <param name="trace">Where connections record (default: a fresh trace).</param>
    public CaseContext(CaseDef def, RunSettings settings, IServerTarget? server, IClientTarget? client, CancellationToken cancel, IAgentTarget? agent = null,
        string? stream = null, WireTrace? trace = null)
    {
        Case = def;
        Settings = settings;
        Server = server;
        Client = client;
        Agent = agent;
        Cancel = cancel;
        // A stream per case: a case's random choices do not depend on which cases ran before it.
        Env = new SeededEnvironment(settings.Seed, stream: stream ?? def.Id);
        Trace = trace ?? new WireTrace();
    }

    public CaseDef Case { get; }
    public RunSettings Settings { get; }
    public IServerTarget? Server { get; }
    public IClientTarget? Client { get; }
    public IAgentTarget? Agent { get; }
    public CancellationToken Cancel { get; }
    public SeededEnvironment Env { get; }
    public WireTrace Trace { get; }
    public TimeSpan Step => Settings.StepTimeout;

    /// <summary>A new connection to the server IUT.</summary>
    public async Task<IWireConnection> ConnectAsync()
    {
        var target = Server ?? throw new InvalidOperationException("this case needs a server IUT");
        var conn = await target.ConnectAsync(Trace, Step, Cancel);
        lock (_connections) _connections.Add(conn);
        return conn;
    }

    /// <summary>One upgrade request to a server IUT over the http adapter; the upgraded connection (if any) is released with the case.</summary>
    public async Task<Adapters.Http.HttpUpgradeResult> UpgradeAsync(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var target = Server as HttpUpgradeServerTarget ?? throw new InvalidOperationException("this case needs a server IUT over the http adapter");
        var result = await target.UpgradeAsync(headers, Trace, Step, Cancel);
        if (result.Connection is { } conn) lock (_connections) _connections.Add(conn);
        return result;
    }

    /// <summary>A new connection to the agent IUT (one per peer the suite plays).</summary>
    public async Task<IWireConnection> ConnectAgentAsync()
    {
        var target = Agent ?? throw new InvalidOperationException("this case needs an agent IUT");
        var conn = await target.ConnectAsync(Trace, Step, Cancel);
        lock (_connections) _connections.Add(conn);
        return conn;
    }

    /// <summary>The client IUT's next connection, or null if it did not connect in time.</summary>
    public async Task<IWireConnection?> AcceptAsync()
    {
        var target = Client ?? throw new InvalidOperationException("this case needs a client IUT");
        var conn = await target.AcceptAsync(Trace, Settings.AcceptTimeout, Cancel);
        if (conn is not null) lock (_connections) _connections.Add(conn);
        return conn;
    }

    /// <summary>Over the http adapter: the client IUT's next upgrade request, or null if none arrived in time. Released with the case.</summary>
    public async Task<Adapters.Http.PendingUpgrade?> AcceptUpgradeAsync()
    {
        var target = Client as IHttpUpgradeClientTarget ?? throw new InvalidOperationException("this case needs a client IUT over the http adapter");
        var pending = await target.AcceptUpgradeAsync(Trace, Settings.AcceptTimeout, Cancel);
        if (pending is not null) lock (_connections) _pending.Add(pending);
        return pending;
    }

    /// <summary>Releases <paramref name="conn"/> with the case (a connection the case built itself).</summary>
    public void Track(IWireConnection conn)
    {
        lock (_connections) _connections.Add(conn);
    }

    /// <summary>Closes a connection early (many-connection cases keep memory flat).</summary>
    public async Task ReleaseAsync(IWireConnection conn)
    {
        lock (_connections) _connections.Remove(conn);
        await conn.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        IWireConnection[] all;
        Adapters.Http.PendingUpgrade[] pending;
        lock (_connections) { all = [.. _connections]; _connections.Clear(); pending = [.. _pending]; _pending.Clear(); }
        foreach (var c in all) await c.DisposeAsync();
        foreach (var p in pending) await p.DisposeAsync();
    }
}
