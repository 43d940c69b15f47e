using System.Diagnostics;
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard;

/// <summary>The edge's observations (commits, refusals) through System.Diagnostics, relayed on &lt;path&gt;/observe.</summary>
public static class ShardTelemetry
{
    public const string SourceName = "Conformance.Reference.Shard";
    public const string DataTag = "shard.data";

    public static readonly ActivitySource Source = new(SourceName, "1.0");

    public static void Publish(string name, string json, string instance)
    {
        using var activity = Source.StartActivity(name, ActivityKind.Internal);
        activity?.SetTag(DataTag, json);
        activity?.SetTag(Lhs.LhsTelemetry.InstanceTag, instance);
    }

    public static void Publish(EdgeOutput.Observe o, string instance) => Publish(o.Name, o.Data.GetRawText(), instance);
}
