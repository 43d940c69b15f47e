using Conformance.Adapters.WebSockets;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;
using Conformance.Suite.Embedded;

namespace Conformance.Cli.Commands;

internal static class AgentCommand
{
    /// <summary>The reference clients by spec: the LHS agent here, the Shard CCML node in ShardNodeCommand.</summary>
    private static readonly IReadOnlyDictionary<string, Func<Args, TextWriter, CancellationToken, Task<int>>> Clients =
        new Dictionary<string, Func<Args, TextWriter, CancellationToken, Task<int>>>
        {
            ["lhs"] = LhsAgentAsync,
            ["shard"] = ShardNodeCommand.ExecuteAsync,
        };

    public static Task<int> ExecuteAsync(string[] args, TextWriter stdout, CancellationToken cancel)
    {
        var a = new Args(args, new HashSet<string> { "loop" });
        var spec = a.Get("spec") ?? "lhs";
        return Clients.TryGetValue(spec, out var run) ? run(a, stdout, cancel)
            : throw new UsageException($"agent: spec \"{spec}\" has no reference client (available: {string.Join(", ", Clients.Keys)})");
    }

    private static async Task<int> LhsAgentAsync(Args a, TextWriter stdout, CancellationToken cancel)
    {
        var target = a.Uri("target", "ws", "http") ?? throw new UsageException("agent: --target ws://HOST:PORT/PATH (or http:// for the HTTP Upgrade profile) is required");
        var keyText = a.Get("server-key") ?? throw new UsageException("agent: --server-key is required (the seal is verified with it; the suite's key is in the README)");
        if (!Ed25519.TryParsePublicKey(keyText, out var key)) throw new UsageException("--server-key must be 32 bytes as 64 hex digits or 43 base64url characters");
        var fault = FaultsCommand.Resolve(a.Get("fault"));
        var loop = a.Flag("loop");
        var frames = a.Int("frames", 1, min: 0, max: 10_000);
        var step = TimeSpan.FromMilliseconds(a.Int("timeout-ms", 5000));
        a.RejectUnknown();
        if (fault is { Side: Reference.Faults.FaultSide.Server }) throw new UsageException($"fault {fault.Name} breaks the edge, not the agent");
        if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");

        var connections = 0;
        var firstDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var lastFailed = false;
        while (!cancel.IsCancellationRequested)
        {
            IWireConnection? conn = null;
            LhsAgentOutcome? overHttp = null;
            var options = new LhsAgentOptions(step, frames) { Behaviour = fault?.ClientBehaviour() ?? LhsClientBehaviour.Correct };
            try
            {
                // http://: the HTTP Upgrade profile (§5), one request per connection; ws://: the WebSocket profile.
                if (target.Scheme == "http") overHttp = await LhsAgent.RunOverHttpAsync(target, EmbeddedLhsClient.AgentConfig(SystemEnvironment.Instance, key), options, cancel);
                else conn = await WebSocketClient.ConnectAsync(target, step, cancel: cancel);
            }
            catch (IutUnreachableException e)
            {
                if (loop && connections > 0) { stdout.WriteLine($"target gone after {connections} connection(s); stopping"); return lastFailed ? Cli.MustFailed : Cli.Ok; }
                // A looping agent may be started before the suite listens: keep knocking for a while.
                if (loop && DateTime.UtcNow < firstDeadline) { await Task.Delay(200, cancel); continue; }
                stdout.WriteLine(e.Message);
                return Cli.Unreachable;
            }
            await using (conn)
            {
                var outcome = overHttp ?? await LhsAgent.RunAsync(conn!, EmbeddedLhsClient.AgentConfig(SystemEnvironment.Instance, key), options, cancel);
                connections++;
                lastFailed = !outcome.Established;
                stdout.WriteLine($"connection {connections}: {outcome}");
                stdout.Flush();
            }
            if (!loop) break;
        }
        return lastFailed ? Cli.MustFailed : Cli.Ok;
    }
}
