// `serve --spec shard`: the reference Confluence Edge on a Lattice Registry directory (reports/registry by default).
using Conformance.Reference.Faults;
using Conformance.Reference.Shard;
using Conformance.Reference.Shard.Store;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;

namespace Conformance.Suite.Specs;

internal static class ShardServe
{
    public static readonly ServeSpec Spec = new(IutRole.Server, new HashSet<string> { "store" }, StartAsync);

    private static async Task<ServedReference> StartAsync(ServeStart s)
    {
        var dir = Path.GetFullPath(s.Store ?? Path.Combine("reports", "registry"));
        Directory.CreateDirectory(dir);
        var host = await ShardEdgeHost.StartAsync(new ShardEdgeHostOptions(s.Listen, dir, EmbeddedShardEdge.ReferenceConfig())
        {
            Behaviour = () => s.Fault.Or(ShardEdgeBehaviour.Correct),
            ReceiptBatch = ReceiptBatch.FromEnvironment(),
        });
        return new ServedReference(host,
        [
            $"Shard reference edge listening on {host.Url}",
            $"observation channel: {host.ObserveUrl}",
            $"Lattice Registry: {Path.Combine(dir, LatticeRegistry.DatabaseFile)}",
            "trusts the suite's published CCML node key and shard authority (see `keys`)",
            $"test it: ./run-conformance.sh --spec shard --target {host.Url}",
        ]);
    }
}
