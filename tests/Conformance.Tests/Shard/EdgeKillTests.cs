// The durability done-when, measured: the reference edge process is killed (SIGKILL) in the middle of an upload;
// the registry must still hold every earlier commit and no partial entry, and the upload must then resume and commit.
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

            var serve = await Serve(store, url);
            try
            {
                var v1 = Payload(dir, "v1.bin", 200_000, "kill-test", "v1.0.0", null, out var f1);
                var first = await ShardAgent.UploadAsync(url, new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v1), f1, new ShardLedger(Path.Combine(dir, "l1.jsonl")), env, TimeSpan.FromSeconds(10));
                Expect.isTrue(first.Committed, "v1 commits: " + first);

                var v2 = Payload(dir, "v2.bin", 8_000_000, "kill-test", "v2.0.0", "v1.0.0", out var f2);
                var ledger = new ShardLedger(Path.Combine(dir, "l2.jsonl"));
                var killed = false;
                var upload = ShardAgent.UploadAsync(url, new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, v2), f2, ledger, env, TimeSpan.FromSeconds(10), attempts: 1,
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

                serve = await Serve(store, url);
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
    ]);

    private static async Task<System.Diagnostics.Process> Serve(string store, Uri url)
    {
        var p = TestCli.Start("serve", "--spec", "shard", "--store", store, "--listen", url.ToString());
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
