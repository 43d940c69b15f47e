// `serve --spec cip`: the reference agent, trusting the suite's anchors and obeying its authority.
using Conformance.Model.Cip;
using Conformance.Model.Codec;
using Conformance.Reference.Cip;
using Conformance.Reference.Faults;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;

namespace Conformance.Suite.Specs;

internal static class CipServe
{
    public static readonly ServeSpec Spec = new(IutRole.Agent, new HashSet<string> { "key-seed" }, StartAsync);

    private static async Task<ServedReference> StartAsync(ServeStart s)
    {
        var key = s.Key();
        var self = new CipIdentity("reference-agent", key);
        var host = await CipAgentHost.StartAsync(new CipAgentHostOptions(s.Listen, EmbeddedCipAgent.ReferenceConfig(self))
        {
            Behaviour = s.Fault.Or(CipAgentBehaviour.Correct),
        });
        var pub = Base64Url.Encode(key.PublicKey);
        return new ServedReference(host,
        [
            $"CIP reference agent listening on {host.Url}",
            $"observation channel: {host.ObserveUrl}",
            $"agent_id: {self.AgentId}",
            $"agent public key (Ed25519, base64url): {pub}",
            $"agent fingerprint: {self.Fingerprint}",
            $"trusts the suite's anchors: {string.Join(", ", CipWorld.Anchors.Select(x => x.AgentId))}; obeys overrides from {CipWorld.Authority.AgentId}",
            $"test it: ./run-conformance.sh --spec cip --target {host.Url} --agent-id {self.AgentId} --server-key {pub} --observe {host.ObserveUrl}",
        ]);
    }
}
