// Bridges the telemetry ActivitySource to observers on the wire: the reference edge serves it at <path>/observe as a
// WebSocket of JSON lines {"name": ..., "data": ...}. This is the observation channel a black-box IUT offers the
// suite (DESIGN.md, "Telemetry"); an IUT of another make can offer the same, or use the stdio shim.
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace Conformance.Reference.Hosting;

public sealed class ObservationHub : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly List<Channel<string>> _observers = [];
    private readonly Lock _gate = new();

    private readonly string _dataTag;

    private readonly string _instance;

    /// <summary>Relays the activities of the ActivitySource <paramref name="sourceName"/> published by host <paramref name="instance"/>;
    /// each one's data is the JSON in tag <paramref name="dataTag"/>.</summary>
    public ObservationHub(string sourceName, string dataTag, string instance)
    {
        _dataTag = dataTag;
        _instance = instance;
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    private void OnStopped(Activity activity)
    {
        if (activity.GetTagItem(Lhs.LhsTelemetry.InstanceTag) as string != _instance) return; // another host's
        var data = activity.GetTagItem(_dataTag) as string ?? "null";
        var line = $"{{\"name\":{JsonSerializer.Serialize(activity.OperationName)},\"data\":{data}}}";
        lock (_gate)
            foreach (var o in _observers) o.Writer.TryWrite(line);
    }

    /// <summary>A stream of observation lines from now on; dispose the subscription to stop.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate) _observers.Add(channel);
        return new Subscription(channel.Reader, () => { lock (_gate) _observers.Remove(channel); });
    }

    public sealed class Subscription(ChannelReader<string> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<string> Lines => reader;
        public void Dispose() => unsubscribe();
    }

    public void Dispose() => _listener.Dispose();
}
