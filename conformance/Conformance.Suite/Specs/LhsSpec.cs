// LHS: a server (the Liminal Edge) and a client (the agent); both embedded references over websocket or HTTP Upgrade.
using Conformance.Model.Env;
using Conformance.Reference.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Embedded;
using Conformance.Suite.Lhs;
using Conformance.Suite.Traces;

namespace Conformance.Suite.Specs;

public static class LhsSpec
{
    public static readonly SpecModule Module = new("lhs", LhsCatalog.Instance, [IutRole.Server, IutRole.Client], LhsSuite.Cases)
    {
        StartEmbedded = (s, role) => role switch
        {
            IutRole.Server => Server(s),
            IutRole.Client when s.Adapter == "http" => HttpClient(s),
            IutRole.Client => Client(s),
            _ => null,
        },
        Fresh = (role, seed, fault) => role switch
        {
            IutRole.Server => async stream =>
            {
                var env = Embedded.Seeded(seed, stream);
                var server = await EmbeddedLhsServer.StartAsync(seed, () => fault?.As(LhsServerBehaviour.Correct) ?? LhsServerBehaviour.Correct, env);
                return new FreshIut(new Targets(new SeededServerTarget(server.Target, env)), server);
            },
            IutRole.Client => async stream =>
            {
                var env = Embedded.Seeded(seed, stream);
                var client = await EmbeddedLhsClient.StartAsync(seed, () => fault?.As(LhsClientBehaviour.Correct) ?? LhsClientBehaviour.Correct, env);
                return new FreshIut(new Targets(Client: new SeededClientTarget(client, env)), client);
            },
            _ => null,
        },
    };

    private static async Task<FreshIut> Server(EmbeddedStart s)
    {
        var server = await EmbeddedLhsServer.StartAsync(s.Seed, () => s.Fault?.As(LhsServerBehaviour.Correct) ?? LhsServerBehaviour.Correct, adapter: s.Adapter);
        return new FreshIut(new Targets(server.Target), server);
    }

    private static async Task<FreshIut> Client(EmbeddedStart s)
    {
        var client = await EmbeddedLhsClient.StartAsync(s.Seed, () => s.Fault?.As(LhsClientBehaviour.Correct) ?? LhsClientBehaviour.Correct);
        return new FreshIut(new Targets(Client: client), client);
    }

    private static async Task<FreshIut> HttpClient(EmbeddedStart s)
    {
        var client = await EmbeddedLhsHttpClient.StartAsync(s.Seed, () => s.Fault?.As(LhsClientBehaviour.Correct) ?? LhsClientBehaviour.Correct);
        return new FreshIut(new Targets(Client: client), client);
    }
}

/// <summary>What the spec modules share for seeded fresh references.</summary>
internal static class Embedded
{
    public static SeededEnvironment Seeded(ulong seed, string stream) => new(seed, stream: "iut/" + stream);
}
