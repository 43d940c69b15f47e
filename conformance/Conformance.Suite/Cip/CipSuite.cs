using Conformance.Suite.Core;

namespace Conformance.Suite.Cip;

/// <summary>The CIP suite: every case, section by section; the IUT is an agent and the suite plays its peers.</summary>
public static class CipSuite
{
    public static IReadOnlyList<CaseDef> Cases() =>
    [
        .. S2_Envelope.Cases(),
        .. S4_Handshake.Cases(),
        .. S5_TrustFsm.Cases(),
        .. S6_AntiHallucination.Cases(),
    ];
}
