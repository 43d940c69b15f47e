using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;

namespace Conformance.Suite.Shard;

internal static class ShardCase
{
    /// <summary>A case against an edge IUT (the suite plays the CCML node).</summary>
    public static CaseDef Edge(string id, string section, string title, string description, string[] requirements, Func<ShardWorld, Task<Verdict>> run) =>
        new(id, ShardCatalog.Spec, IutRole.Server, section, title, description, [.. requirements.Union([ShardWorld.Commit, ShardWorld.Codes, ShardWorld.Atomic])],
            ctx => run(new ShardWorld(ctx, new Checks()))) { BudgetSteps = 40 };
}
