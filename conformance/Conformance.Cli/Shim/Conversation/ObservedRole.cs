// A reference host's telemetry (an ActivitySource, as its WebSocket host serves it at <path>/observe) relayed to the
// suite as observe events: the same names and data on either transport.
using Conformance.Reference.Hosting;

namespace Conformance.Cli.Shim.Conversation;

internal abstract class ObservedRole : ShimRole
{
    private readonly ObservationHub _hub;
    private readonly ObservationHub.Subscription _observations;
    private readonly Task _relay;

    protected ObservedRole(ConversationHost host, string source, string dataTag, string instance)
    {
        _hub = new ObservationHub(source, dataTag, instance);
        _observations = _hub.Subscribe();
        _relay = RelayAsync(host, _observations);
    }

    private static async Task RelayAsync(ConversationHost host, ObservationHub.Subscription sub)
    {
        try { await foreach (var line in sub.Lines.ReadAllAsync()) await host.Observe(line); }
        catch (OperationCanceledException) { }
    }

    public override async ValueTask DisposeAsync()
    {
        _observations.Dispose();
        _hub.Dispose();
        await Task.WhenAny(_relay, Task.Delay(500));
    }
}
