// An embedded IUT's target marked as seeded (ISeededIut, TraceCases.EmbeddedFresh): the same connections, plus the
// IUT's clock for the suite, and a settle before each frame the suite sends. Seeded randomness makes the IUT's bytes
// the same on every run; the order in which its frames land in the wire trace next to the suite's is a matter of
// timing (an unasked broadcast, a reply after the suite stopped reading). Letting the IUT go quiet first makes that
// order the same too: everything the IUT sends in answer to one frame is in the trace before the suite's next one.
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Suite.Core;

namespace Conformance.Suite.Embedded;

public class SeededServerTarget(IServerTarget inner, IModelEnvironment env) : IServerTarget, ISeededIut
{
    public string Adapter => inner.Adapter;
    public string Describe => inner.Describe + " (seeded)";
    public byte[] ServerKey => inner.ServerKey;
    public IObservationSource? Observations => inner.Observations;
    public DateTimeOffset Now => env.Now;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        new SettlingConnection(await inner.ConnectAsync(trace, timeout, cancel), timeout);
}

/// <summary>A seeded server IUT the suite can restart (the embedded edge): the restart goes to it.</summary>
public sealed class SeededRestartableServerTarget(EmbeddedShardEdge edge, IModelEnvironment env) : SeededServerTarget(edge, env), IRestartable
{
    public Task RestartAsync() => edge.RestartAsync();
}

public sealed class SeededClientTarget(IClientTarget inner, IModelEnvironment env) : IClientTarget, ISeededIut
{
    public string Adapter => inner.Adapter;
    public string Describe => inner.Describe + " (seeded)";
    public DateTimeOffset Now => env.Now;

    public async Task<IWireConnection?> AcceptAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        await inner.AcceptAsync(trace, timeout, cancel) is { } conn ? new SettlingConnection(conn, timeout) : null;
}

public sealed class SeededAgentTarget(IAgentTarget inner, IModelEnvironment env) : IAgentTarget, ISeededIut
{
    public string Adapter => inner.Adapter;
    public string Describe => inner.Describe + " (seeded)";
    public string AgentId => inner.AgentId;
    public byte[] AgentKey => inner.AgentKey;
    public IObservationSource? Observations => inner.Observations;
    public DateTimeOffset Now => env.Now;

    public async Task<IWireConnection> ConnectAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel) =>
        new SettlingConnection(await inner.ConnectAsync(trace, timeout, cancel), timeout);
}

/// <summary>
/// A connection that, before each frame it sends, before it closes and once it is closed, waits until nothing new has
/// entered the wire trace (any connection of the case) for a quiet spell: at most a step timeout each time, so a
/// chattering IUT only makes the order less certain, never the trace slower than its budget.
/// </summary>
internal sealed class SettlingConnection(IWireConnection inner, TimeSpan step) : IWireConnection
{
    private readonly TimeSpan _quiet = step / 4 < TimeSpan.FromMilliseconds(100) ? step / 4 : TimeSpan.FromMilliseconds(100);

    public WireTrace Trace => inner.Trace;

    public async Task<bool> SendTextAsync(string text)
    {
        await SettleAsync();
        return await inner.SendTextAsync(text);
    }

    public async Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes)
    {
        await SettleAsync();
        return await inner.SendBinaryAsync(bytes);
    }

    public Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default) => inner.ReceiveAsync(timeout, cancel);

    public async Task CloseAsync(int code, string reason)
    {
        await SettleAsync();
        await inner.CloseAsync(code, reason);
    }

    public void Abort() => inner.Abort();

    public async ValueTask DisposeAsync()
    {
        await SettleAsync();
        await inner.DisposeAsync();
        // The IUT acts on the drop on its own time (an edge may commit or abandon an upload): a quiet spell after it
        // lets that happen before the suite's next connection, whose first frame could otherwise overtake it.
        await SettleAsync();
    }

    private async Task SettleAsync()
    {
        var give = DateTime.UtcNow + step;
        var last = Mark();
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow - since < _quiet && DateTime.UtcNow < give)
        {
            await Task.Delay(10);
            var now = Mark();
            if (now == last) continue;
            last = now;
            since = DateTime.UtcNow;
        }
    }

    /// <summary>How far the trace has got: its entry count and the time of its latest entry.</summary>
    private (int, double) Mark()
    {
        var entries = inner.Trace.Snapshot();
        return (entries.Count, entries.Count > 0 ? entries[^1].AtMs : 0);
    }
}
