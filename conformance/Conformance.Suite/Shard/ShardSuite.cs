using Conformance.Suite.Core;

namespace Conformance.Suite.Shard;

/// <summary>The Shard hand-off suite: the edge (IUT as server) section by section, then the CCML node (IUT as client).</summary>
public static class ShardSuite
{
    public static IReadOnlyList<CaseDef> Cases() =>
    [
        .. S2_1_Initialization.Cases(),
        .. S2_2_Provenance.Cases(),
        .. S2_3_Transfer.Cases(),
        .. S2_4_Rollback.Cases(),
        .. S4_3_Resume.Cases(),
        .. S2_Node.Cases(),
    ];
}
