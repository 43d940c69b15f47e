// CIP: the IUT is an agent; the suite plays its peers.
using Conformance.Reference.Faults;
using Conformance.Reference.Cip;
using Conformance.Suite.Cip;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Traces;

namespace Conformance.Suite.Specs;

public static class CipSpec
{
    public static readonly SpecModule Module = new("cip", CipCatalog.Instance, [IutRole.Agent], CipSuite.Cases)
    {
        Serve = CipServe.Spec,
        StartEmbedded = (s, role) => role == IutRole.Agent ? Agent(s) : null,
        Fresh = (role, seed, fault) => role != IutRole.Agent ? null : async stream =>
        {
            var env = Embedded.Seeded(seed, stream);
            var agent = await EmbeddedCipAgent.StartAsync(seed, fault.Or(CipAgentBehaviour.Correct), env);
            return new FreshIut(new Targets(Agent: new SeededAgentTarget(agent.Target, env)), agent);
        },
    };

    private static async Task<FreshIut> Agent(EmbeddedStart s)
    {
        var agent = await EmbeddedCipAgent.StartAsync(s.Seed, s.Fault.Or(CipAgentBehaviour.Correct));
        return new FreshIut(new Targets(Agent: agent.Target), agent);
    }
}
