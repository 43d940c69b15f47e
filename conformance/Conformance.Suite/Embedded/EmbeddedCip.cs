// The reference CIP agent as an IUT, on a real loopback socket, configured to trust the suite's published anchors and
// to take overrides from the suite's authority.
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Reference.Cip;
using Conformance.Reference.Hosting;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;

namespace Conformance.Suite.Embedded;

public sealed class EmbeddedCipAgent : IAsyncDisposable
{
    private EmbeddedCipAgent(CipAgentHost host, WebSocketObservations observations)
    {
        Host = host;
        Observations = observations;
        Target = new WebSocketAgentTarget(host.Url, host.Options.Config.Self.AgentId, host.Options.Config.Self.Key.PublicKey, observations);
    }

    public CipAgentHost Host { get; }
    public WebSocketObservations Observations { get; }
    public IAgentTarget Target { get; }

    /// <summary>The reference agent's configuration: the suite's anchors trusted, the suite's authority obeyed, a 30 s replay window.</summary>
    public static CipAgentConfig ReferenceConfig(CipIdentity self) =>
        new(self, CipWorld.Anchors.Select(a => a.Fingerprint).ToHashSet(), CipWorld.Authority.Fingerprint, CipAgentConfig.ReferenceReplayWindow);

    /// <param name="env">The agent's clock and randomness (default: the system's); a seeded one makes its envelopes
    /// reproducible, and the agent then also paces frames to different peers so they reach the trace in the order sent.</param>
    public static async Task<EmbeddedCipAgent> StartAsync(ulong seed, CipAgentBehaviour behaviour, IModelEnvironment? env = null)
    {
        var self = new CipIdentity("reference-agent", TestKeys.FromLabel($"reference-agent/cip/{seed}"));
        var host = await CipAgentHost.StartAsync(new CipAgentHostOptions(new Uri("ws://127.0.0.1:0/cip"), ReferenceConfig(self))
        {
            Behaviour = behaviour,
            Environment = env ?? SystemEnvironment.Instance,
            PaceBetweenPeers = env is null ? TimeSpan.Zero : TimeSpan.FromMilliseconds(20),
        });
        return new EmbeddedCipAgent(host, await WebSocketObservations.ConnectAsync(host.ObserveUrl, TimeSpan.FromSeconds(5)));
    }

    public async ValueTask DisposeAsync()
    {
        await Observations.DisposeAsync();
        await Host.DisposeAsync();
    }
}
