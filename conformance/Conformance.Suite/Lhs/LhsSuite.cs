// The LHS suite: every case, section by section (h2spec's layout), both roles.
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs;

public static class LhsSuite
{
    public static IReadOnlyList<CaseDef> Cases() =>
    [
        .. S1_Transport.Cases(), .. S1_Transport.ClientCases(),
        .. S3_ControlFrames.Cases(),
        .. S3_1_Hello.Cases(),
        .. S3_2_Mirror.Cases(), .. S3_2_Mirror.ClientCases(),
        .. S3_3_Bind.Cases(),
        .. S3_4_Seal.Cases(),
        .. S5_HttpUpgrade.Cases(), .. S5_HttpUpgrade.ClientCases(),
        .. S6_Flow.Cases(),
        .. S7_Telemetry.Cases(),
    ];
}
