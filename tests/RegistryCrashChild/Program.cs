// Crash-safety child: `RegistryCrashChild <registry dir> <seed>` commits shard versions in a loop, forever, on top of
// whatever the registry already holds, and prints "committed N" (N = commits by this process) after each commit returns;
// every 4th round it also rolls back a canonical version ("rolled back N"). The parent test kills it at a random
// moment and then checks the registry on disk.
using System.Security.Cryptography;
using Conformance.Reference.Shard.Store;

if (args.Length != 2 || !int.TryParse(args[1], out var seed))
{
    Console.Error.WriteLine("usage: RegistryCrashChild <registry dir> <seed>");
    return 2;
}
var rng = new Random(seed);
string[] shards = ["shard-a", "shard-b", "shard-c"];
using var registry = LatticeRegistry.Open(args[0]);
var committed = 0;
var rolledBack = 0;
for (var round = 0; ; round++)
{
    var shard = shards[round % shards.Length];
    var token = $"crash-{seed}-{Guid.NewGuid():N}";
    var payload = new byte[rng.Next(1, 16 * 1024)];
    rng.NextBytes(payload);
    var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
    var now = DateTimeOffset.UtcNow;
    registry.OpenSession(token, shard, "{\"shard_id\":\"" + shard + "\"}", now);
    // Two chunks, the second first: the staging file is written at offsets, out of order.
    var half = payload.Length / 2;
    registry.StoreChunk(token, 1, half, payload.AsSpan(half), SHA256.HashData(payload.AsSpan(half)));
    registry.StoreChunk(token, 0, 0, payload.AsSpan(0, half), SHA256.HashData(payload.AsSpan(0, half)));
    var parent = registry.View(shard).Canonical;
    registry.Commit(new CommitRequest(token, shard, $"v-{Guid.NewGuid():N}", parent, hash, "{\"round\":" + round + "}", payload.Length, now));
    Console.Out.WriteLine($"committed {++committed}");
    Console.Out.Flush();
    if (round % 4 == 3)
    {
        var victim = shards[rng.Next(shards.Length)];
        if (registry.View(victim).Canonical is { } head)
        {
            registry.Rollback(victim, head, "crash test", DateTimeOffset.UtcNow);
            Console.Out.WriteLine($"rolled back {++rolledBack}");
            Console.Out.Flush();
        }
    }
}
