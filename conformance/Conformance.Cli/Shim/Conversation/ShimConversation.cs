// `conformance shim --spec lhs|shard|cip --role server|client|edge|node|agent [--fault NAME] [--store DIR] [--seed N]`:
// a reference implementation as a protocol 2 shim (adapters/SHIM.md "Conversations").
using Conformance.Reference.Faults;

namespace Conformance.Cli.Shim.Conversation;

internal static class ShimConversation
{
    public static async Task<int> ExecuteAsync(Args a, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var spec = a.Get("spec")!;
        var role = Canonical(spec, a.Get("role"));
        var fault = Commands.FaultsCommand.Resolve(a.Get("fault"));
        var store = a.Get("store");
        var seed = a.ULong("seed", 1);
        a.RejectUnknown();
        if (fault is not null && (fault.Spec != spec || fault.Side != Side(role)))
            throw new UsageException($"fault {fault.Name} breaks the {fault.Spec} {fault.Side.ToString().ToLowerInvariant()}, not the {spec} {role}");
        if (store is not null && (spec, role) != ("shard", "server")) throw new UsageException("--store is for --spec shard --role edge (the Lattice Registry's directory)");
        var name = $"conformance reference {spec} {role}" + (fault is null ? "" : $" with fault {fault.Name}");
        ShimRole Make(ConversationHost h) => (spec, role) switch
        {
            ("lhs", "server") => new LhsServerRole(h, fault),
            ("lhs", _) => new LhsClientRole(fault, seed),
            ("cip", _) => CipAgentRole.Create(h, fault, seed),
            ("shard", "server") => ShardEdgeRole.Create(h, fault, store),
            _ => new ShardNodeRole(fault, seed),
        };
        var host = new ConversationHost(Make, name, spec, role, stdout, stderr);
        return await host.RunAsync(stdin);
    }

    /// <summary>The protocol's role names: server, client, agent (a Shard edge is a server, a CCML node a client).</summary>
    private static string Canonical(string spec, string? role) => (spec, role) switch
    {
        ("lhs", null or "server") => "server",
        ("lhs", "client") => "client",
        ("shard", null or "server" or "edge") => "server",
        ("shard", "client" or "node") => "client",
        ("cip", null or "agent") => "agent",
        ("lhs" or "shard" or "cip", _) => throw new UsageException($"--role {role} is not a role of {spec} (lhs: server, client; shard: edge, node; cip: agent)"),
        _ => throw new UsageException($"shim: unknown spec \"{spec}\" (available: lhs, shard, cip)"),
    };

    private static FaultSide Side(string role) => role switch
    {
        "server" => FaultSide.Server,
        "client" => FaultSide.Client,
        _ => FaultSide.Agent,
    };
}
