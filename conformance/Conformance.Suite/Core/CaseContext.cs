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

    /// <summary>
    /// Whether a case's last wait (the close after an IUT's error frame) may go on while the next case runs. Off for an
    /// IUT that takes one connection at a time (--trace-parallel 1): a connection it left open would block the next case.
    /// </summary>
    public bool Overlap { get; init; } = true;

    /// <summary>What this run has learnt about the IUT (shared by every case of the run).</summary>
    public IutFacts Facts { get; init; } = new();
}

/// <summary>
/// Facts a case established about the IUT with a full wait, which later judgements may rest on instead of waiting
/// again: property traces, shrinking in particular, rerun the same rejection many times.
/// </summary>
public sealed class IutFacts
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Spec, string Role), TaskCompletionSource<string>> _keepsOpen = new();

    private TaskCompletionSource<string> KeepsOpen(string spec, string role) =>
        _keepsOpen.GetOrAdd((spec, role), _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Records that the IUT left a connection open a whole step timeout after its error frame (in case <paramref name="caseId"/>).</summary>
    public void KeptOpenAfterError(string spec, string role, string caseId) => KeepsOpen(spec, role).TrySetResult(caseId);

    /// <summary>The case that saw this IUT keep a connection open a whole step timeout after its error frame, or null.</summary>
    public string? KeepsOpenAfterError(string spec, string role) =>
        KeepsOpen(spec, role).Task is { IsCompletedSuccessfully: true } t ? t.Result : null;

    /// <summary>Completes with the case ID once some case has established <see cref="KeepsOpenAfterError"/>.</summary>
    public Task<string> KeepsOpenAfterErrorKnown(string spec, string role) => KeepsOpen(spec, role).Task;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Spec, string Role, string Encoding), bool> _encodings = new();

    /// <summary>Records that the IUT negotiated <paramref name="encoding"/> (so it supports it).</summary>
    public void Negotiated(string spec, string role, string encoding) => _encodings[(spec, role, encoding)] = true;

    /// <summary>True once the IUT was seen to negotiate <paramref name="encoding"/>.</summary>
    public bool Supports(string spec, string role, string encoding) => _encodings.ContainsKey((spec, role, encoding));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Spec, string Role, string What), string> _neverSends = new();

    /// <summary>Records that the IUT sent no <paramref name="what"/> in a whole step where one was due (in case <paramref name="caseId"/>).</summary>
    public void DidNotSend(string spec, string role, string what, string caseId) => _neverSends.TryAdd((spec, role, what), caseId);

    /// <summary>
    /// The case that waited a whole step for <paramref name="what"/> in vain, or null: later waits for the same message
    /// may be short (the failure is already established; a broken IUT must not cost a step per case).
    /// </summary>
    public string? DidNotSendIn(string spec, string role, string what) => _neverSends.TryGetValue((spec, role, what), out var c) ? c : null;
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
        CloseWindow = settings.StepTimeout;
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

    /// <summary>
    /// The wait for the answer to a message of <paramref name="bytesSent"/>: a step, plus a second per MiB beyond the
    /// first. A multi-MiB frame through a shim or a loaded machine is slow to arrive, not unanswered; an IUT that
    /// answers at once costs nothing extra.
    /// </summary>
    public TimeSpan StepAfter(int bytesSent) => Step + TimeSpan.FromSeconds(Math.Max(0, bytesSent - (1 << 20)) / (double)(1 << 20));

    /// <summary>
    /// How long to wait for the IUT to close after its error frame: a step timeout, or less where the run already knows
    /// it does not close (property traces set it; the evidence says which case established that).
    /// </summary>
    public TimeSpan CloseWindow { get; set; }

    /// <summary>Set with a short <see cref="CloseWindow"/>: the case whose full wait the short one rests on.</summary>
    public string? CloseKnownFrom { get; set; }

    /// <summary>
    /// Property traces: a close wait may end early (after <see cref="ShortCloseWindow"/>) as soon as another case of the
    /// run establishes that this IUT does not close after its error frame.
    /// </summary>
    public bool CloseMayRestOnFacts { get; set; }

    public static readonly TimeSpan ShortCloseWindow = TimeSpan.FromMilliseconds(50);

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
