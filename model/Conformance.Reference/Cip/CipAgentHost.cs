// The reference CIP agent on Kestrel: each WebSocket connection at <path> is one peer; every text message is one
// envelope. One agent state serves all connections, one step at a time. Observations go out on <path>/observe.
using System.Collections.Concurrent;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Reference.Hosting;

namespace Conformance.Reference.Cip;

public sealed record CipAgentHostOptions(Uri Listen, CipAgentConfig Config)
{
    public CipAgentBehaviour Behaviour { get; init; } = CipAgentBehaviour.Correct;
    public IModelEnvironment Environment { get; init; } = SystemEnvironment.Instance;
    /// <summary>
    /// How long the host waits before a frame to another peer than the previous frame's (default: not at all). Frames
    /// to different peers go out on different sockets; a pause lets a client recording every connection in one trace
    /// (the suite replaying a seeded trace byte for byte) see them in the order the model produced them.
    /// </summary>
    public TimeSpan PaceBetweenPeers { get; init; } = TimeSpan.Zero;
}

public sealed class CipAgentHost : IAsyncDisposable
{
    /// <summary>Largest WebSocket message the host reads; bigger ones are discarded unread (the model caps envelopes lower).</summary>
    public const int MaxMessageBytes = 1024 * 1024;

    private readonly ConcurrentDictionary<int, IWireConnection> _connections = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _instance = Guid.NewGuid().ToString("n");
    private WebSocketHost? _host;
    private CipAgentState _state = CipAgentState.Initial;
    private int _nextConnection;

    private CipAgentHost(CipAgentHostOptions options) => Options = options;

    public CipAgentHostOptions Options { get; }
    public Uri Url => _host?.Url ?? throw new InvalidOperationException("a detached agent has no URL");
    public Uri ObserveUrl => _host?.ObserveUrl ?? throw new InvalidOperationException("a detached agent has no URL");
    /// <summary>The host name its telemetry is published under (ObservationHub's instance).</summary>
    public string Instance => _instance;

    /// <summary>The agent's current state (for tests and diagnostics).</summary>
    public CipAgentState State => _state;

    public static async Task<CipAgentHost> StartAsync(CipAgentHostOptions options)
    {
        var agent = new CipAgentHost(options);
        var hub = new ObservationHub(CipTelemetry.SourceName, CipTelemetry.DataTag, agent._instance);
        agent._host = await WebSocketHost.StartAsync(options.Listen, "/cip", hub, agent.ServeAsync, MaxMessageBytes);
        return agent;
    }

    /// <summary>The agent without a listener: connections are handed to <see cref="ServeAsync"/> by whatever carries them (a stdio shim).</summary>
    public static CipAgentHost Detached(CipAgentHostOptions options) => new(options);

    /// <summary>One peer's connection, until it closes.</summary>
    public async Task ServeAsync(IWireConnection conn, CancellationToken cancel)
    {
        var id = Interlocked.Increment(ref _nextConnection);
        _connections[id] = conn;
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                var ev = await conn.ReceiveAsync(TimeSpan.FromMinutes(5), cancel);
                switch (ev)
                {
                    case WireEvent.Text t: await StepAsync(new CipInput.Message(id, t.Value)); break;
                    case WireEvent.Binary: await StepAsync(new CipInput.Unreadable(id, UnreadableKind.Binary)); break;
                    case WireEvent.Oversize: await StepAsync(new CipInput.Unreadable(id, UnreadableKind.Oversize)); break;
                    default: return;
                }
            }
        }
        finally
        {
            _connections.TryRemove(id, out _);
            await StepAsync(new CipInput.Disconnected(id));
        }
    }

    private async Task StepAsync(CipInput input)
    {
        // Outputs go out inside the gate: replies to one peer keep the order the model produced them in.
        await _gate.WaitAsync();
        try
        {
            var step = Options.Behaviour.Step(_state, input, Options.Config, Options.Environment, CipAgent.Step);
            _state = step.State;
            int? previous = null;
            foreach (var output in step.Outputs)
            {
                switch (output)
                {
                    case CipOutput.Send s when _connections.TryGetValue(s.Connection, out var target):
                        if (previous is { } p && p != s.Connection && Options.PaceBetweenPeers > TimeSpan.Zero) await Task.Delay(Options.PaceBetweenPeers);
                        previous = s.Connection;
                        await target.SendTextAsync(s.Text);
                        break;
                    case CipOutput.Observe o: CipTelemetry.Publish(o, _instance); break;
                }
            }
        }
        finally { _gate.Release(); }
    }

    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;
}
