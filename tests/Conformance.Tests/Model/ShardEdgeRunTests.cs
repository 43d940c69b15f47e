// ShardEdge.Run, the one effect loop: an upload run through the model over the in-memory registry commits once with the
// registry id the model mints; a dropped upload's session keeps its chunks for a resume; the SQLite store behind the
// same port gives the same answers on the wire.
using System.Text.Json;
using Conformance.Model.Env;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Shard.Store;
using Conformance.Suite.Vectors.Shard;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class ShardEdgeRunTests
{
    private const string ShardId = "shard-run";

    /// <summary>One connection of the edge model over <paramref name="registry"/>, every input run to quiescence.</summary>
    private sealed class Connection(IRegistryPort registry, IModelEnvironment env)
    {
        public ShardEdgeState State { get; private set; } = ShardEdgeState.Initial;
        public List<EdgeRun> Runs { get; } = [];

        public EdgeRun Feed(EdgeInput input)
        {
            var run = ShardEdge.Run(State, input, ShardVectorKit.Config, env, registry);
            State = run.State;
            Runs.Add(run);
            return run;
        }

        public EdgeRun Text(string text) => Feed(new EdgeInput.Text(text));
        public IEnumerable<EdgeTrailItem> Trail => Runs.SelectMany(r => r.Trail);
        public IEnumerable<string> Sent => Runs.SelectMany(r => r.Sent);
    }

    private static readonly ShardVectorKit.Payload Data = new([.. Enumerable.Range(0, 2500).Select(i => (byte)(i * 7))], 1024);

    private static SeededEnvironment Env() => new(3, ShardVectorKit.Start, "shard-edge-run");

    private static string Type(string text) => JsonDocument.Parse(text).RootElement.GetProperty("type").GetString()!;

    private static string Field(string text, string name) => JsonDocument.Parse(text).RootElement.GetProperty(name).ToString();

    /// <summary>hello and header on <paramref name="c"/>; the session token the edge issued.</summary>
    private static string Open(Connection c, ShardUpload upload)
    {
        var ack = c.Text(ShardMessages.Write(ShardVectorKit.Hello(upload, new SeededEnvironment(4, stream: "node")))).Sent.Single();
        var token = Field(ack, "session_token");
        var header = c.Text(ShardMessages.Write(ShardVectorKit.Header(upload, token, ShardVectorKit.Start)));
        Expect.equal(header.Sent.Select(Type).ToArray(), ["header_ack"], "the header is accepted");
        return token;
    }

    private static EdgeRun Chunk(Connection c, string token, int i) =>
        c.Feed(new EdgeInput.Binary(ShardMessages.Chunk(token, i, Data.Tree.Proof(i), Data.Chunk(i))));

    /// <summary>A whole upload of v1.0.0 on one connection over <paramref name="registry"/>.</summary>
    private static Connection Upload(IRegistryPort registry)
    {
        var c = new Connection(registry, Env());
        var token = Open(c, Data.Upload(ShardId, "v1.0.0", null));
        for (var i = 0; i < Data.ChunkCount; i++) Chunk(c, token, i);
        return c;
    }

    public static Test Tests() => TestList("model.shard-edge-run",
    [
        TestCase("a full upload commits once, with the registry id the model mints, and acknowledges it", () =>
        {
            var registry = new MemoryRegistry();
            var c = Upload(registry);
            var commits = c.Trail.Where(t => t.Output is EdgeOutput.Commit).ToArray();
            Expect.equal(commits.Length, 1, "one commit effect");
            var id = RegistryIds.Mint(Convert.ToHexStringLower(Data.Root), 1);
            Expect.equal(commits[0].Answer, new EdgeInput.Committed(id), "answered with the first registry id");
            Expect.equal(c.Trail.Count(t => t.Output is EdgeOutput.StoreChunk), Data.ChunkCount, "every chunk stored once");
            var ack = c.Sent.Last();
            Expect.equal((Type(ack), Field(ack, "registry_id")), ("commit_ack", id), "commit_ack carries the registry id");
            var facts = registry.Shard(ShardId);
            Expect.equal(facts.Canonical, "v1.0.0", "the version is canonical");
            Expect.equal(facts.Versions.Select(v => (v.VersionId, v.Status)).ToArray(), [("v1.0.0", RegistryStatus.Active)], "one active entry");
            Expect.equal(c.State.Phase, EdgePhase.Done, "the connection is done");
            Expect.isEmpty(c.Runs.SelectMany(r => r.Rejections), "nothing refused");
        }),
        TestCase("a resumed session finds the chunks the dropped connection stored, and commits once", () =>
        {
            var registry = new MemoryRegistry();
            var first = new Connection(registry, Env());
            var token = Open(first, Data.Upload(ShardId, "v1.0.0", null));
            Chunk(first, token, 0);
            Chunk(first, token, 1);
            var dropped = first.Feed(new EdgeInput.Closed());
            Expect.isTrue(dropped.Wire.OfType<EdgeOutput.Observe>().Any(o => o.Name == ShardObservations.SessionDetached), "the drop is observed");
            Expect.equal(registry.Session(token)!.Received.Keys.Order().ToArray(), [0L, 1L], "the registry holds chunks 0 and 1");
            Expect.isNull(registry.Shard(ShardId).Canonical, "nothing committed");

            var second = new Connection(registry, Env());
            var resumed = second.Text(ShardMessages.Write(new System.Text.Json.Nodes.JsonObject { ["type"] = "resume", ["session_token"] = token }));
            var ack = resumed.Sent.Single();
            Expect.equal((Type(ack), Field(ack, "received")), ("resume_ack", "[0,1]"), "resume_ack lists the stored chunks");
            var last = Chunk(second, token, 2);
            Expect.equal(last.Sent.Select(Type).ToArray(), ["chunk_ack", "commit_ack"], "the last chunk completes the upload");
            Expect.equal(last.Trail.Count(t => t.Answer is EdgeInput.Committed), 1, "one commit");
            Expect.isTrue(registry.Session(token)!.Committed, "the session is used up");
            var again = new Connection(registry, Env()).Text(ShardMessages.Write(new System.Text.Json.Nodes.JsonObject { ["type"] = "resume", ["session_token"] = token }));
            Expect.equal(again.Rejected?.Code, ShardErrorCode.Replay, "a committed session cannot be resumed");
        }),
        TestCase("the SQLite store behind the same port answers as the in-memory registry", () =>
        {
            var dir = Path.Combine(Path.GetTempPath(), "shard-edge-run-" + Guid.NewGuid().ToString("n"));
            try
            {
                using var store = LatticeRegistry.Open(dir);
                var onDisk = Upload(new LatticeRegistryPort(store));
                var inMemory = Upload(new MemoryRegistry());
                Expect.equal(onDisk.Sent.ToArray(), inMemory.Sent.ToArray(), "the same messages, registry id included");
                Expect.equal(store.View(ShardId).Canonical, "v1.0.0", "committed on disk");
            }
            finally { Directory.Delete(dir, recursive: true); }
        }),
    ]);
}
