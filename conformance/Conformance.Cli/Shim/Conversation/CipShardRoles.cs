// The reference CIP agent and Confluence Edge behind the stdio shim: their hosts' own per-connection logic, detached
// from Kestrel, on virtual connections.
using System.Text.Json.Nodes;
using Conformance.Adapters.Stdio;
using Conformance.Model.Cip;
using Conformance.Reference.Cip;
using Conformance.Reference.Faults;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;
using Conformance.Suite.Embedded;

namespace Conformance.Cli.Shim.Conversation;

internal sealed class CipAgentRole : ObservedRole
{
    private readonly CipAgentHost _agent;

    private CipAgentRole(ConversationHost host, CipAgentHost agent) : base(host, CipTelemetry.SourceName, CipTelemetry.DataTag, agent.Instance) => _agent = agent;

    /// <summary>The embedded reference agent's identity and configuration (seeded key, the suite's anchors and authority).</summary>
    public static CipAgentRole Create(ConversationHost host, Fault? fault, ulong seed)
    {
        var self = new CipIdentity("reference-agent", TestKeys.FromLabel($"reference-agent/cip/{seed}"));
        // Listen is not used: the connections are the shim's.
        var agent = CipAgentHost.Detached(new CipAgentHostOptions(new Uri("ws://127.0.0.1:0/cip"), EmbeddedCipAgent.ReferenceConfig(self))
        {
            Behaviour = fault.Or(CipAgentBehaviour.Correct),
        });
        return new CipAgentRole(host, agent);
    }

    public override Func<VirtualConnection, CancellationToken, Task>? Serve => _agent.ServeAsync;

    public override JsonObject Hello() => new()
    {
        ["features"] = new JsonArray(),
        ["unimplemented"] = new JsonArray(),
        ["keys"] = new JsonObject
        {
            ["agent_id"] = _agent.Options.Config.Self.AgentId,
            ["agent"] = Convert.ToHexStringLower(_agent.Options.Config.Self.Key.PublicKey),
        },
        ["observe"] = true,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _agent.DisposeAsync();
    }
}

/// <summary>The reference edge on a store: with --store it lists "restart" (relaunched on the same store it keeps its
/// registry); without, a temporary store lives as long as the shim.</summary>
internal sealed class ShardEdgeRole : ObservedRole
{
    private readonly ShardEdgeHost _edge;
    private readonly string? _temporary;

    private ShardEdgeRole(ConversationHost host, ShardEdgeHost edge, string? temporary) : base(host, ShardTelemetry.SourceName, ShardTelemetry.DataTag, edge.Instance)
    {
        _edge = edge;
        _temporary = temporary;
    }

    public static ShardEdgeRole Create(ConversationHost host, Fault? fault, string? store)
    {
        var temporary = store is null ? Directory.CreateTempSubdirectory("conformance-registry-").FullName : null;
        var edge = ShardEdgeHost.Detached(new ShardEdgeHostOptions(new Uri("ws://127.0.0.1:0/shard"), store ?? temporary!, EmbeddedShardEdge.ReferenceConfig())
        {
            Behaviour = () => fault.Or(ShardEdgeBehaviour.Correct),
        });
        return new ShardEdgeRole(host, edge, temporary);
    }

    public override Func<VirtualConnection, CancellationToken, Task>? Serve => _edge.ServeAsync;

    public override JsonObject Hello() => new()
    {
        ["features"] = _temporary is null ? new JsonArray("restart") : new JsonArray(),
        ["unimplemented"] = new JsonArray(),
        ["keys"] = new JsonObject(),
        ["observe"] = true,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _edge.DisposeAsync();
        if (_temporary is not null)
            try { Directory.Delete(_temporary, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The reference CCML node, uploading the embedded node's payload. A dial while an upload is running is answered
/// by that upload's next connection (its resume after a drop) or, once it has ended, by a fresh upload's: one upload at a time.</summary>
internal sealed class ShardNodeRole(Fault? fault, ulong seed) : ShimRole
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-node-").FullName;
    private ShardFile? _file;
    private Task? _running;

    public override JsonObject Hello() => new()
    {
        ["features"] = new JsonArray("resume"),
        ["unimplemented"] = new JsonArray(),
        ["keys"] = new JsonObject(),
        ["observe"] = false,
    };

    public override async Task<bool> DialAsync(ConversationHost host)
    {
        if (_running is { IsCompleted: false })
        {
            await Task.WhenAny(_running, host.WaitOpenedAsync());
            if (host.HasOpened) return true;
        }
        _file ??= EmbeddedShardNode.PayloadFile(_dir, seed);
        var behaviour = fault.Or(ShardNodeBehaviour.Correct);
        _running = Task.Run(async () =>
        {
            try { await EmbeddedShardNode.UploadAsync(async () => await host.ConnectAsync(), _dir, _file, behaviour); }
            catch (Exception e) when (e is Adapters.WebSockets.IutUnreachableException or OperationCanceledException) { }
        });
        host.Track(_running);
        return true;
    }

    public override ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}
