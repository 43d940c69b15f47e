// The durability done-when, measured: the reference edge process is killed (SIGKILL) in the middle of an upload;
// the registry must still hold every earlier commit and no partial entry, and the upload must then resume and commit.
// Received-chunk records are durable in batches (ReceiptBatch): the served edge's batch is set small by environment
// variable, so a kill lands after a batch boundary (the first test) or, deterministically, between two (the second).
using System.Security.Cryptography;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;
using Conformance.Reference.Shard.Store;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Shard;

public static class EdgeKillTests
{
    public static Test Tests() => TestList("shard.edge-kill",
    [
        TestCase("SIGKILL mid-upload: earlier commits survive, no partial entry, the upload resumes and commits", async () =>
        {
            var dir = TestCli.TempDir("edge-kill");
            var store = Path.Combine(dir, "registry");
            var port = TestCli.FreePort();
            var url = new Uri($"ws://127.0.0.1:{port}/shard");
            using var key = TestKeys.FromLabel(TestKeys.SuiteShardNodeLabel);
            var env = SystemEnvironment.Instance;

            var serve = await Serve(store, url, batch: 8);
            try
            {
                var v1 = Payload(dir, "v1.bin", 200_000, "kill-test", "v1.0.0", null, out var f1);
                var first = await ShardAgent.UploadAsync(url, new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v1), f1, new ShardLedger(Path.Combine(dir, "l1.jsonl")), env, TimeSpan.FromSeconds(10));
                Expect.isTrue(first.Committed, "v1 commits: " + first);

                var v2 = Payload(dir, "v2.bin", 8_000_000, "kill-test", "v2.0.0", "v1.0.0", out var f2);
                var ledger = new ShardLedger(Path.Combine(dir, "l2.jsonl"));
                var killed = false;
                // The node sends ahead without waiting for acks, and a fast edge could store and commit all of v2 before
                // the kill lands: hold back every chunk after the first 20, so the kill comes mid-upload, always.
                var upload = ShardAgent.UploadAsync(async () => new FirstChunksOnly(await WebSocketClient.ConnectAsync(url, TimeSpan.FromSeconds(10)), 20),
                    new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v2), f2, ledger, env, TimeSpan.FromSeconds(10), attempts: 1,
                    progress: (done, _) => { if (done >= 20 && !killed) { killed = true; serve.Kill(entireProcessTree: true); } });
                var interrupted = await upload;
                Expect.isTrue(killed && !interrupted.Committed, $"the edge was killed before the commit ({interrupted})");
                serve.WaitForExit(5000);

                using (var registry = LatticeRegistry.Open(store))
                {
                    var view = registry.View("kill-test");
                    Expect.equal(view.Canonical, "v1.0.0", "v1 is still canonical after the kill");
                    Expect.sequenceEqual(view.Entries.Select(e => e.VersionId), new[] { "v1.0.0" }, "no partial entry for v2");
                    var session = registry.Session(ledger.OpenSession("kill-test", "v2.0.0")!);
                    Expect.isTrue(session is { State: "open" } && session.Received.Count >= 1, "the interrupted session and its chunks are on disk");
                }

                serve = await Serve(store, url, batch: 8);
                var resumed = await ShardAgent.UploadAsync(url, new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v2), f2, ledger, env, TimeSpan.FromSeconds(10), attempts: 2,
                    resumeFirst: true);
                Expect.isTrue(resumed.Committed, "the upload resumes and commits: " + resumed);
                var resumedEntry = ledger.Entries().LastOrDefault(e => e.GetProperty("event").GetString() == "resumed");
                Expect.isTrue(resumedEntry.ValueKind != System.Text.Json.JsonValueKind.Undefined && resumedEntry.GetProperty("received").GetInt32() >= 1,
                    "the node resumed with chunks already received (it did not start over)");
            }
            finally { TestCli.Stop(serve); }

            using var after = LatticeRegistry.Open(store);
            var final = after.View("kill-test");
            Expect.equal(final.Canonical, "v2.0.0", "v2 is canonical after the resumed commit");
            Expect.equal(final.Entries.Count, 2, "two entries");
        }),

        TestCase("SIGKILL between receipt batches: only the durable batch is reported, the rest is re-sent, the payload commits once", async () =>
        {
            const int batch = 16, acked = 20; // chunks 0-15 are one durable batch, 16-19 acknowledged but not yet durable
            var dir = TestCli.TempDir("edge-kill-batch");
            var store = Path.Combine(dir, "registry");
            var url = new Uri($"ws://127.0.0.1:{TestCli.FreePort()}/shard");
            using var key = TestKeys.FromLabel(TestKeys.SuiteShardNodeLabel);
            var env = SystemEnvironment.Instance;
            var v1 = Payload(dir, "v1.bin", 100_000, "batch-kill", "v1.0.0", null, out var f1);
            var v2 = Payload(dir, "v2.bin", 40 * 64 * 1024 - 1000, "batch-kill", "v2.0.0", "v1.0.0", out var f2);
            var cfg2 = new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v2);
            var ledger = new ShardLedger(Path.Combine(dir, "l2.jsonl"));

            var serve = await Serve(store, url, batch);
            try
            {
                var first = await ShardAgent.UploadAsync(url, new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v1), f1, new ShardLedger(Path.Combine(dir, "l1.jsonl")), env, TimeSpan.FromSeconds(10));
                Expect.isTrue(first.Committed, "v1 commits: " + first);

                // The node sends ahead without waiting for acks: hold back every chunk after the first 20, so the edge
                // has stored exactly 20 when the node has seen 20 acks, and kill it then.
                var killed = false;
                var interrupted = await ShardAgent.UploadAsync(async () => new FirstChunksOnly(await WebSocketClient.ConnectAsync(url, TimeSpan.FromSeconds(10)), acked),
                    cfg2, f2, ledger, env, TimeSpan.FromSeconds(10), attempts: 1,
                    progress: (done, _) => { if (done >= acked && !killed) { killed = true; serve.Kill(entireProcessTree: true); } });
                Expect.isTrue(killed && interrupted is { Committed: false, Dropped: true }, $"the edge was killed after {acked} acks, before the commit ({interrupted})");
                serve.WaitForExit(5000);

                using (var registry = LatticeRegistry.Open(store))
                {
                    var view = registry.View("batch-kill");
                    Expect.sequenceEqual(view.Entries.Select(e => e.VersionId), new[] { "v1.0.0" }, "no partial entry for v2");
                    Expect.equal(view.Canonical, "v1.0.0", "v1 is still canonical");
                    var session = registry.Session(ledger.OpenSession("batch-kill", "v2.0.0")!)!;
                    Expect.sequenceEqual(session.Received.Keys.Order(), Enumerable.Range(0, batch), "only the durable batch survives the kill: chunks 0-15, not the acknowledged 16-19");
                    Expect.isTrue(session.Received.All(kv => kv.Value.AsSpan().SequenceEqual(f2.Leaves[kv.Key])), "each durable receipt has its chunk's leaf hash");
                }

                serve = await Serve(store, url, batch);
                var resumed = await ShardAgent.UploadAsync(url, cfg2, f2, ledger, env, TimeSpan.FromSeconds(10), attempts: 2, resumeFirst: true);
                Expect.isTrue(resumed.Committed, "the upload resumes and commits: " + resumed);
                var resumedEntry = ledger.Entries().Last(e => e.GetProperty("event").GetString() == "resumed");
                Expect.equal(resumedEntry.GetProperty("received").GetInt32(), batch, "resume_ack listed the 16 durable chunks: the node re-sent 16-19 and sent the rest");
            }
            finally { TestCli.Stop(serve); }

            using var after = LatticeRegistry.Open(store);
            var final = after.View("batch-kill");
            Expect.sequenceEqual(final.Entries.Select(e => e.VersionId), new[] { "v1.0.0", "v2.0.0" }, "v2 committed exactly once");
            Expect.equal(final.Canonical, "v2.0.0", "v2 is canonical");
            Expect.equal(after.Audit("batch-kill").Count(a => a is { Action: "commit", VersionId: "v2.0.0" }), 1, "one commit record for v2");
            var entry = final.Entries[1];
            Expect.equal(entry.Size, f2.Size, "the entry's size");
            using var blob = after.OpenBlob(entry.ShardHash);
            using var original = File.OpenRead(f2.Path);
            Expect.equal(Convert.ToHexStringLower(SHA256.HashData(blob)), Convert.ToHexStringLower(SHA256.HashData(original)), "the committed blob is exactly the payload");
        }),
    ]);

    /// <summary>A node connection that sends only the first <c>limit</c> chunks (binary messages) and silently drops the rest.</summary>
    private sealed class FirstChunksOnly(IWireConnection inner, int limit) : IWireConnection
    {
        private int _sent;
        public WireTrace Trace => inner.Trace;
        public Task<bool> SendTextAsync(string text) => inner.SendTextAsync(text);
        public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes) => Interlocked.Increment(ref _sent) <= limit ? inner.SendBinaryAsync(bytes) : Task.FromResult(true);
        public Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default) => inner.ReceiveAsync(timeout, cancel);
        public Task CloseAsync(int code, string reason) => inner.CloseAsync(code, reason);
        public void Abort() => inner.Abort();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private static async Task<System.Diagnostics.Process> Serve(string store, Uri url, int batch)
    {
        var p = TestCli.Start(new Dictionary<string, string> { [ReceiptBatch.ChunksVariable] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            "serve", "--spec", "shard", "--store", store, "--listen", url.ToString());
        await TestCli.ReadUntilAsync(p, TimeSpan.FromSeconds(30), "Shard reference edge listening on");
        return p;
    }

    private static ShardUpload Payload(string dir, string name, int size, string shard, string version, string? parent, out ShardFile file)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, new SeededEnvironment(7, stream: name).NextBytes(size));
        file = ShardFile.Scan(path, 64 * 1024);
        return new ShardUpload(shard, version, parent, file.ChunkSize, file.Size, file.Leaves);
    }
}
