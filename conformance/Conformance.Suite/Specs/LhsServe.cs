// `serve --spec lhs`: the reference Liminal Edge over both profiles (WebSocket and §5 HTTP Upgrade), with its seal key.
using Conformance.Model.Codec;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Suite.Core;

namespace Conformance.Suite.Specs;

internal static class LhsServe
{
    public static readonly ServeSpec Spec = new(IutRole.Server, new HashSet<string> { "key-seed" }, StartAsync);

    private static async Task<ServedReference> StartAsync(ServeStart s)
    {
        var key = s.Key();
        LhsEdge edge;
        try { edge = await LhsEdge.StartAsync(new LhsEdgeOptions(s.Listen, key) { Behaviour = () => s.Fault.Or(LhsServerBehaviour.Correct) }); }
        catch { key.Dispose(); throw; }
        var seal = Base64Url.Encode(key.PublicKey);
        return new ServedReference(new Owned(edge, key),
        [
            $"LHS reference edge listening on {edge.Url}",
            $"HTTP Upgrade profile (§5): {edge.HttpUrl}",
            $"observation channel: {edge.ObserveUrl}",
            $"seal public key (Ed25519, base64url): {seal}",
            $"seal public key (hex): {Convert.ToHexStringLower(key.PublicKey)}",
            $"test it: ./run-conformance.sh --spec lhs --target {edge.Url} --server-key {seal} --observe {edge.ObserveUrl}",
        ]);
    }

    /// <summary>The edge, then the key it signs with.</summary>
    private sealed class Owned(LhsEdge edge, Ed25519Signer key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await edge.DisposeAsync();
            key.Dispose();
        }
    }
}
