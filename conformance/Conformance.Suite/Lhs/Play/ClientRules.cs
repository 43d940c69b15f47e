// When the suite's server machine rejects what a client IUT sent, the rule it names is written from the receiver's
// side ("the server rejects a hello without encodings"); the client IUT broke the sender's side of the same rule.
using Conformance.Model.Lhs;

namespace Conformance.Suite.Lhs.Play;

public static class ClientRules
{
    /// <summary>The client-role requirement broken by sending something the server machine rejects under <paramref name="rule"/>.</summary>
    public static string SenderRequirement(string rule) => rule switch
    {
        LhsRules.Json or LhsRules.HelloRequired => "LHS-3.1-hello-sent",
        LhsRules.Thread => "LHS-3.3-bind-sent",
        LhsRules.Order or LhsRules.SingleShot => LhsRules.Order,
        LhsRules.FrameLimit or LhsRules.EncodingEnforced or LhsRules.FeaturesEnforced or LhsRules.LceShape or LhsRules.LceOnly => "LHS-6-frames-sent",
        // The project's readings stay model level whoever breaks them.
        LhsRules.SessionShape or LhsRules.BindShape or LhsRules.DuplicateMembers or LhsRules.FeatureMembers => rule,
        _ => rule,
    };

    /// <summary>The client-role requirement for a client that must reject a mirror the client machine rejects under <paramref name="rule"/>.</summary>
    public static string ReceiverRequirement(string rule) => rule switch
    {
        LhsRules.MirrorFields => "LHS-3.2-mirror-validated",
        LhsRules.Version or LhsRules.Negotiation or LhsRules.FeaturesSubset => "LHS-3.2-mirror-checked",
        LhsRules.SealCovers => "LHS-3.4-client-aborts",
        _ => rule,
    };
}
