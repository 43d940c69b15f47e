// `run --target "stdio:COMMAND ARGS"` and `run --adapter stdio`: an IUT behind a protocol 2 shim (adapters/SHIM.md
// "Conversations"). With --adapter stdio the suite launches this CLI's own reference shim for each spec and role.
using Conformance.Adapters.Stdio;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;
using Conformance.Suite.Core;

namespace Conformance.Cli.Commands;

internal static class RunStdio
{
    /// <summary>This CLI's reference shim for one spec and role: `dotnet conformance.dll shim --spec S --role R ...`.</summary>
    public static StdioCommand Reference(string spec, IutRole role, Fault? fault, ulong seed, string? store)
    {
        var dll = typeof(RunStdio).Assembly.Location;
        // The SDK names the dotnet that runs us; an apphost process is not dotnet itself.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        List<string> args = [dll, "shim", "--spec", spec, "--role", role.Name(), "--seed", seed.ToString()];
        // A fault breaks one side; the other role's shim runs correct (as the embedded run does).
        if (fault is not null && fault.Side.ToString() == role.ToString()) args.AddRange(["--fault", fault.Name]);
        if (store is not null) args.AddRange(["--store", store]);
        return new StdioCommand(dotnet, args);
    }

    /// <summary>Starts the shim and makes the target its hello describes. A shim that does not start or answer its
    /// hello is unreachable (exit 3); keys it lacks and flags do not give are a usage error (exit 2).</summary>
    public static async Task<StdioTarget> StartAsync(StdioCommand command, string spec, IutRole role, string? keyText, string? agentId, TimeSpan step)
    {
        ConversationShim shim;
        try { shim = await ConversationShim.StartAsync(command, "conformance " + RunCommand.Version(), spec, role.Name(), step); }
        catch (ShimUnavailableException e) { throw new IutUnreachableException(e.Message); }
        catch (ShimRefusedException e) { throw new UsageException(e.Message); }
        try
        {
            return role switch
            {
                IutRole.Client => new StdioClientTarget(shim),
                IutRole.Agent => new StdioAgentTarget(shim, agentId ?? shim.Key("agent_id") ?? throw new UsageException("the shim's hello gives no keys.agent_id and --agent-id is not given"),
                    Key(keyText ?? shim.Key("agent"), "keys.agent")),
                _ when shim.Has("restart") => new RestartableStdioServerTarget(shim, SealKey(spec, shim, keyText)),
                _ => new StdioServerTarget(shim, SealKey(spec, shim, keyText)),
            };
        }
        catch
        {
            await shim.DisposeAsync();
            throw;
        }
    }

    /// <summary>The key the server's seal is verified with, for a spec whose server signs; none otherwise.</summary>
    private static byte[] SealKey(string spec, ConversationShim shim, string? keyText) =>
        Conformance.Suite.Specs.Specs.Of(spec).ServerSigns ? Key(keyText ?? shim.Key("seal"), "keys.seal") : [];

    private static byte[] Key(string? text, string member)
    {
        if (text is null) throw new UsageException($"the shim's hello gives no {member} and --server-key is not given");
        return Ed25519.TryParsePublicKey(text, out var k) ? k : throw new UsageException($"{member} must be 32 bytes as 64 hex digits or 43 base64url characters");
    }
}
