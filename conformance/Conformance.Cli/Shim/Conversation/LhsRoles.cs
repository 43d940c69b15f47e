// The reference LHS edge and agent behind the stdio shim: the same session functions the Kestrel host and the
// `agent` command run, on virtual connections.
using System.Text.Json.Nodes;
using Conformance.Adapters.Stdio;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;
using Conformance.Suite.Embedded;
using Conformance.Suite.Lhs.Play;

namespace Conformance.Cli.Shim.Conversation;

internal sealed class LhsServerRole : ShimRole
{
    private readonly Ed25519Signer _key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
    private readonly ObservationHub _hub;
    private readonly ObservationHub.Subscription _observations;
    private readonly Task _relay;

    public LhsServerRole(ConversationHost host, Fault? fault)
    {
        var instance = Guid.NewGuid().ToString("n");
        _hub = new ObservationHub(LhsTelemetry.SourceName, LhsTelemetry.DataTag, instance);
        _observations = _hub.Subscribe();
        _relay = Relay(host, _observations);
        // Listen is not used: the connections are the shim's.
        var options = new LhsEdgeOptions(new Uri("ws://127.0.0.1:0/lhs"), _key) { Behaviour = () => fault?.As(LhsServerBehaviour.Correct) ?? LhsServerBehaviour.Correct };
        var sessions = LhsEdge.Sessions(options, instance);
        Serve = (conn, cancel) => sessions(conn, cancel);
    }

    public override Func<VirtualConnection, CancellationToken, Task>? Serve { get; }

    public override JsonObject Hello() => new()
    {
        ["features"] = new JsonArray("ltp", "lss", "telemetry"),
        ["unimplemented"] = new JsonArray(),
        ["keys"] = new JsonObject { ["seal"] = Convert.ToHexStringLower(_key.PublicKey) },
        ["observe"] = true,
    };

    /// <summary>Forwards the host's telemetry lines to the suite as observe events.</summary>
    internal static async Task Relay(ConversationHost host, ObservationHub.Subscription sub)
    {
        try { await foreach (var line in sub.Lines.ReadAllAsync()) await host.Observe(line); }
        catch (OperationCanceledException) { }
    }

    public override async ValueTask DisposeAsync()
    {
        _observations.Dispose();
        _hub.Dispose();
        await Task.WhenAny(_relay, Task.Delay(500));
        _key.Dispose();
    }
}

/// <summary>The reference agent: every dial starts one agent run on a new connection, trusting the suite's published key.</summary>
internal sealed class LhsClientRole(ConversationHost host, Fault? fault, ulong seed) : ShimRole
{
    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(10);
    private readonly Model.Env.SeededEnvironment _env = new(seed, stream: "reference-agent");

    public override JsonObject Hello() => new()
    {
        ["features"] = new JsonArray("ltp", "lss", "telemetry"),
        ["unimplemented"] = new JsonArray(),
        ["keys"] = new JsonObject { ["trusts"] = Convert.ToHexStringLower(SuiteServer.Key.PublicKey) },
        ["observe"] = false,
    };

    public override Task<bool> DialAsync(ConversationHost h)
    {
        var config = EmbeddedLhsClient.AgentConfig(_env, SuiteServer.Key.PublicKey);
        var behaviour = fault?.As(LhsClientBehaviour.Correct) ?? LhsClientBehaviour.Correct;
        host.Track(Task.Run(async () =>
        {
            try
            {
                await using var conn = await host.ConnectAsync();
                await LhsAgent.RunAsync(conn, config, new LhsAgentOptions(AgentTimeout) { Behaviour = behaviour });
            }
            catch (Exception e) when (e is Adapters.WebSockets.IutUnreachableException or OperationCanceledException) { }
        }));
        return Task.FromResult(true);
    }
}
