// IUTs behind a stdio shim speaking protocol 2 (adapters/SHIM.md "Conversations"): every connection is a virtual one
// multiplexed over the shim's JSON lines, and its observations arrive on the same stream. The cases run unchanged.
using System.Text.Json;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;

namespace Conformance.Suite.Core;

/// <summary>One shim process and what it reports about itself.</summary>
public abstract class StdioTarget : IAsyncDisposable
{
    private readonly ObservationLog? _log;

    protected StdioTarget(ConversationShim shim)
    {
        Shim = shim;
        // A shim whose hello says "observe": true reports observations; without it there is no channel to wait on.
        if (shim.Capabilities.TryGetProperty("observe", out var o) && o.ValueKind == JsonValueKind.True)
        {
            _log = new ObservationLog("the shim's observe events");
            shim.Observed = (name, data) => _log.Add(new Observation(name, data.ValueKind == JsonValueKind.Undefined ? default : data.Clone()));
        }
    }

    public ConversationShim Shim { get; }
    public string Adapter => "stdio";
    public string Describe => $"{Shim.Name} ({Shim.Command})";
    public IObservationSource? Observations => _log;

    public ValueTask DisposeAsync() => Shim.DisposeAsync();
}

public class StdioServerTarget(ConversationShim shim, byte[] serverKey) : StdioTarget(shim), IServerTarget
{
    public byte[] ServerKey => serverKey;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) => await Shim.OpenAsync(trace, cancel);
}

/// <summary>A server shim whose hello lists the "restart" feature: relaunched with the same command, it keeps its state (its store).</summary>
public sealed class RestartableStdioServerTarget(ConversationShim shim, byte[] serverKey) : StdioServerTarget(shim, serverKey), IRestartable
{
    public Task RestartAsync() => Shim.RestartAsync();
}

public sealed class StdioClientTarget(ConversationShim shim) : StdioTarget(shim), IClientTarget
{
    public async Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) => await Shim.DialAsync(trace, timeout, cancel);
}

public sealed class StdioAgentTarget(ConversationShim shim, string agentId, byte[] agentKey) : StdioTarget(shim), IAgentTarget
{
    public string AgentId => agentId;
    public byte[] AgentKey => agentKey;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) => await Shim.OpenAsync(trace, cancel);
}
