// Shard hand-off: the edge (Confluence Edge with its Lattice Registry) and the node (CCML) as IUTs.
using Conformance.Reference.Faults;
using Conformance.Reference.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Shard;
using Conformance.Suite.Traces;

namespace Conformance.Suite.Specs;

public static class ShardSpec
{
    public static readonly SpecModule Module = new("shard", ShardCatalog.Instance, [IutRole.Server, IutRole.Client], ShardSuite.Cases)
    {
        Serve = ShardServe.Spec,
        ServerKeepsState = true,
        WaitingForClient = url => $"waiting for the CCML node at {url} (sign with the suite's published CCML key: see `keys`)",
        StartEmbedded = (s, role) => role switch
        {
            IutRole.Server => Edge(s),
            IutRole.Client => Node(s),
            _ => null,
        },
        Fresh = (role, seed, fault) => role switch
        {
            IutRole.Server => async stream =>
            {
                var env = Embedded.Seeded(seed, stream);
                var edge = await EmbeddedShardEdge.StartAsync(() => fault.Or(ShardEdgeBehaviour.Correct), env: env);
                return new FreshIut(new Targets(new SeededRestartableServerTarget(edge, env)), edge);
            },
            _ => null,
        },
    };

    private static async Task<FreshIut> Edge(EmbeddedStart s)
    {
        var edge = await EmbeddedShardEdge.StartAsync(() => s.Fault.Or(ShardEdgeBehaviour.Correct));
        return new FreshIut(new Targets(edge), edge);
    }

    private static async Task<FreshIut> Node(EmbeddedStart s)
    {
        var node = await EmbeddedShardNode.StartAsync(s.Seed, () => s.Fault.Or(ShardNodeBehaviour.Correct));
        return new FreshIut(new Targets(Client: node), node);
    }
}
