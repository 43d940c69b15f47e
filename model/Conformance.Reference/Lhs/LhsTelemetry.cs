// §7 item 5 "Emits telemetry hooks so LSS can initialise coherence metrics from Bind." The reference hosts publish
// the model's Observe outputs through System.Diagnostics: an Activity per hook (its data as the "lhs.data" tag, JSON)
// and a counter, so any ActivityListener / OpenTelemetry exporter can consume them.
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Conformance.Model.Lhs;

namespace Conformance.Reference.Lhs;

public static class LhsTelemetry
{
    public const string SourceName = "Conformance.Reference.Lhs";
    public const string DataTag = "lhs.data";
    /// <summary>Which host published an activity: one process may run several, each with its own observation channel.</summary>
    public const string InstanceTag = "conformance.instance";

    public static readonly ActivitySource Source = new(SourceName, "1.0");
    private static readonly Meter Meter = new(SourceName, "1.0");
    private static readonly Counter<long> Binds = Meter.CreateCounter<long>("lhs.binds", description: "bind contexts handed to LSS");

    public static void Publish(LhsOutput.Observe hook, string instance)
    {
        Binds.Add(1);
        using var activity = Source.StartActivity(hook.Name, ActivityKind.Internal);
        activity?.SetTag(DataTag, hook.Data.GetRawText());
        activity?.SetTag(InstanceTag, instance);
    }
}
