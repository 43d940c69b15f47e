// LHS: a server (the Liminal Edge) and a client (the agent); both embedded references over websocket or HTTP Upgrade.
using Conformance.Reference.Faults;
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
        Serve = LhsServe.Spec,
        ServerSigns = true,
        HttpProfile = true,
        WaitingForClient = url => $"waiting for the client IUT at {url} (trust the suite's key {Convert.ToHexStringLower(Lhs.Play.SuiteServer.Key.PublicKey)})",
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
                var server = await EmbeddedLhsServer.StartAsync(seed, () => fault.Or(LhsServerBehaviour.Correct), env);
                return new FreshIut(new Targets(new SeededServerTarget(server.Target, env)), server);
            },
            IutRole.Client => async stream =>
            {
                var env = Embedded.Seeded(seed, stream);
                var client = await EmbeddedLhsClient.StartAsync(seed, () => fault.Or(LhsClientBehaviour.Correct), env);
                return new FreshIut(new Targets(Client: new SeededClientTarget(client, env)), client);
            },
            _ => null,
        },
    };

    private static async Task<FreshIut> Server(EmbeddedStart s)
    {
        var server = await EmbeddedLhsServer.StartAsync(s.Seed, () => s.Fault.Or(LhsServerBehaviour.Correct), adapter: s.Adapter);
        return new FreshIut(new Targets(server.Target), server);
    }

    private static async Task<FreshIut> Client(EmbeddedStart s)
    {
        var client = await EmbeddedLhsClient.StartAsync(s.Seed, () => s.Fault.Or(LhsClientBehaviour.Correct));
        return new FreshIut(new Targets(Client: client), client);
    }

    private static async Task<FreshIut> HttpClient(EmbeddedStart s)
    {
        var client = await EmbeddedLhsHttpClient.StartAsync(s.Seed, () => s.Fault.Or(LhsClientBehaviour.Correct));
        return new FreshIut(new Targets(Client: client), client);
    }
}
