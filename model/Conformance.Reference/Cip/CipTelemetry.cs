// What the reference agent decides off the wire (drops and their reasons, trust transitions, claim statuses) is
// published through System.Diagnostics, like the LHS hooks, and relayed on <path>/observe.
using System.Diagnostics;
using Conformance.Model.Cip;

namespace Conformance.Reference.Cip;

public static class CipTelemetry
{
    public const string SourceName = "Conformance.Reference.Cip";
    public const string DataTag = "cip.data";

    public static readonly ActivitySource Source = new(SourceName, "1.0");

    public static void Publish(CipOutput.Observe o, string instance)
    {
        using var activity = Source.StartActivity(o.Name, ActivityKind.Internal);
        activity?.SetTag(DataTag, o.Data.GetRawText());
        activity?.SetTag(Lhs.LhsTelemetry.InstanceTag, instance);
    }
}
