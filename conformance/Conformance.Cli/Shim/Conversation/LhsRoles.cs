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

internal sealed class LhsServerRole : ObservedRole
{
    private static readonly string Instance = Guid.NewGuid().ToString("n");
    private readonly Ed25519Signer _key = new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public LhsServerRole(ConversationHost host, Fault? fault) : base(host, LhsTelemetry.SourceName, LhsTelemetry.DataTag, Instance)
    {
        var instance = Instance;
        // Listen is not used: the connections are the shim's.
        var options = new LhsEdgeOptions(new Uri("ws://127.0.0.1:0/lhs"), _key) { Behaviour = () => fault.Or(LhsServerBehaviour.Correct) };
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

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _key.Dispose();
    }
}

/// <summary>The reference agent: every dial starts one agent run on a new connection, trusting the suite's published key.</summary>
internal sealed class LhsClientRole(Fault? fault, ulong seed) : ShimRole
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

    public override Task<bool> DialAsync(ConversationHost host)
    {
        var config = EmbeddedLhsClient.AgentConfig(_env, SuiteServer.Key.PublicKey);
        var behaviour = fault.Or(LhsClientBehaviour.Correct);
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
