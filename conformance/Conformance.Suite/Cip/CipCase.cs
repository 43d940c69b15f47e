using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;

namespace Conformance.Suite.Cip;

internal static class CipCase
{
    /// <summary>A case against an agent IUT; the suite plays the peers. Joining peers may cite the handshake rules.</summary>
    public static CaseDef Agent(string id, string section, string title, string description, string[] requirements, Func<CipWorld, Task<Verdict>> run) =>
        new(id, CipCatalog.Spec, IutRole.Agent, section, title, description, [.. CipWorld.Joining.Union(requirements)],
            ctx => run(new CipWorld(ctx, new Checks()))) { BudgetSteps = 40, Subjects = requirements };
}
