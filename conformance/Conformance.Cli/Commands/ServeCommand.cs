using Conformance.Model.Codec;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Reference.Cip;
using Conformance.Reference.Lhs;

namespace Conformance.Cli.Commands;

internal static class ServeCommand
{
    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, CancellationToken cancel)
    {
        var a = new Args(args, new HashSet<string>());
        var spec = a.Get("spec") ?? "lhs";
        if (Suite.Specs.Specs.Find(spec) is null) throw new UsageException($"serve: unknown spec \"{spec}\" (available: {string.Join(", ", Suite.Specs.Specs.Names)})");
        var listen = a.Uri("listen", "ws") ?? new Uri($"ws://127.0.0.1:0/{spec}");
        var fault = FaultsCommand.Resolve(a.Get("fault"));
        var keySeed = a.Get("key-seed");
        var store = a.Get("store");
        a.RejectUnknown();
        if (store is not null && spec != "shard") throw new UsageException("--store is for --spec shard (the Lattice Registry's directory)");
        if (spec == "shard") return await ServeShardAsync(listen, fault, store, stdout, cancel);
        if (spec == "cip") return await ServeCipAsync(listen, fault, keySeed, stdout, cancel);
        if (fault is not null && fault.Side != Reference.Faults.FaultSide.Server) throw new UsageException($"fault {fault.Name} does not break the LHS edge");

        using var key = keySeed is null
            ? new Ed25519Signer(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            : TestKeys.FromLabel(keySeed);
        LhsEdge edge;
        try
        {
            edge = await LhsEdge.StartAsync(new LhsEdgeOptions(listen, key) { Behaviour = () => fault?.ServerBehaviour() ?? LhsServerBehaviour.Correct });
        }
        catch (IOException e) { throw new UsageException($"cannot listen on {listen}: {e.Message}"); }
        await using (edge)
        {
            stdout.WriteLine($"LHS reference edge listening on {edge.Url}");
            stdout.WriteLine($"HTTP Upgrade profile (§5): {edge.HttpUrl}");
            stdout.WriteLine($"observation channel: {edge.ObserveUrl}");
            stdout.WriteLine($"seal public key (Ed25519, base64url): {Base64Url.Encode(key.PublicKey)}");
            stdout.WriteLine($"seal public key (hex): {Convert.ToHexStringLower(key.PublicKey)}");
            if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");
            stdout.WriteLine($"test it: ./run-conformance.sh --spec lhs --target {edge.Url} --server-key {Base64Url.Encode(key.PublicKey)} --observe {edge.ObserveUrl}");
            await UntilStoppedAsync(stdout, cancel);
        }
        return Cli.Ok;
    }

    private static async Task<int> ServeCipAsync(Uri listen, Reference.Faults.Fault? fault, string? keySeed, TextWriter stdout, CancellationToken cancel)
    {
        if (fault is not null && fault.Side != Reference.Faults.FaultSide.Agent) throw new UsageException($"fault {fault.Name} does not break the CIP agent");
        var key = keySeed is null ? new Ed25519Signer(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) : TestKeys.FromLabel(keySeed);
        var self = new Model.Cip.CipIdentity("reference-agent", key);
        CipAgentHost host;
        try
        {
            host = await CipAgentHost.StartAsync(new CipAgentHostOptions(listen, Suite.Embedded.EmbeddedCipAgent.ReferenceConfig(self))
            {
                Behaviour = fault is null ? CipAgentBehaviour.Correct : (CipAgentBehaviour)fault.Create(),
            });
        }
        catch (IOException e) { throw new UsageException($"cannot listen on {listen}: {e.Message}"); }
        await using (host)
        {
            stdout.WriteLine($"CIP reference agent listening on {host.Url}");
            stdout.WriteLine($"observation channel: {host.ObserveUrl}");
            stdout.WriteLine($"agent_id: {self.AgentId}");
            stdout.WriteLine($"agent public key (Ed25519, base64url): {Base64Url.Encode(key.PublicKey)}");
            stdout.WriteLine($"agent fingerprint: {self.Fingerprint}");
            stdout.WriteLine($"trusts the suite's anchors: {string.Join(", ", Suite.Cip.Play.CipWorld.Anchors.Select(x => x.AgentId))}; obeys overrides from {Suite.Cip.Play.CipWorld.Authority.AgentId}");
            if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");
            stdout.WriteLine($"test it: ./run-conformance.sh --spec cip --target {host.Url} --agent-id {self.AgentId} --server-key {Base64Url.Encode(key.PublicKey)} --observe {host.ObserveUrl}");
            await UntilStoppedAsync(stdout, cancel);
        }
        return Cli.Ok;
    }

    private static async Task<int> ServeShardAsync(Uri listen, Reference.Faults.Fault? fault, string? store, TextWriter stdout, CancellationToken cancel)
    {
        if (fault is not null && (fault.Spec != "shard" || fault.Side != Reference.Faults.FaultSide.Server)) throw new UsageException($"fault {fault.Name} does not break the Shard edge");
        var dir = Path.GetFullPath(store ?? Path.Combine("reports", "registry"));
        Directory.CreateDirectory(dir);
        Reference.Shard.ShardEdgeHost host;
        try
        {
            host = await Reference.Shard.ShardEdgeHost.StartAsync(new Reference.Shard.ShardEdgeHostOptions(listen, dir, Suite.Embedded.EmbeddedShardEdge.ReferenceConfig())
            {
                Behaviour = () => fault?.As(Reference.Shard.ShardEdgeBehaviour.Correct) ?? Reference.Shard.ShardEdgeBehaviour.Correct,
            });
        }
        catch (IOException e) { throw new UsageException($"cannot listen on {listen}: {e.Message}"); }
        await using (host)
        {
            stdout.WriteLine($"Shard reference edge listening on {host.Url}");
            stdout.WriteLine($"observation channel: {host.ObserveUrl}");
            stdout.WriteLine($"Lattice Registry: {Path.Combine(dir, Reference.Shard.Store.LatticeRegistry.DatabaseFile)}");
            stdout.WriteLine("trusts the suite's published CCML node key and shard authority (see `keys`)");
            if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");
            stdout.WriteLine($"test it: ./run-conformance.sh --spec shard --target {host.Url}");
            await UntilStoppedAsync(stdout, cancel);
        }
        return Cli.Ok;
    }

    private static async Task UntilStoppedAsync(TextWriter stdout, CancellationToken cancel)
    {
        stdout.Flush();
        var stop = new TaskCompletionSource();
        using var reg = cancel.Register(() => stop.TrySetResult());
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
    }
}
