// The Lattice Registry store (SQLite, WAL): commits, conflicts that write nothing, rollback to the nearest active
// ancestor, restart survival, resumable chunk staging, and crash safety against a child process killed with SIGKILL.
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Conformance.Reference.Shard.Store;
using Expecto;
using Microsoft.Data.Sqlite;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Shard;

public static class RegistryStoreTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.FromHours(2));

    public static Test Tests() => TestList("shard.store", new Test[]
    {
        TestCase("commit: entry, canonical head, audit record, session used", () =>
        {
            using var reg = LatticeRegistry.Open(TempDir());
            var hash = Stage(reg, "tok-1", "shard-a", Bytes(1000, 1));
            var entry = reg.Commit(new CommitRequest("tok-1", "shard-a", "v1", null, hash, "{\"chain\":[]}", 1000, T0));
            Expect.equal(entry, new RegistryEntry($"ONEIRIC-{hash[..12]}-1", "shard-a", "v1", null, hash, "{\"chain\":[]}", T0, "active", 1000L), "the entry");
            var view = reg.View("shard-a");
            Expect.equal(view.Canonical, "v1", "canonical head");
            Expect.equal(Lines(view.Entries), Lines([entry]), "entries of the shard");
            Expect.equal(reg.Entry("shard-a", "v1"), entry, "Entry()");
            Expect.isNull(reg.Entry("shard-a", "v2"), "no such version");
            Expect.isNull(reg.View("shard-b").Canonical, "an unknown shard has no canonical head");
            Expect.equal(reg.View("shard-b").Entries.Count, 0, "an unknown shard has no entries");
            var audit = reg.Audit();
            Expect.equal(audit.Count, 1, "one audit record");
            Expect.equal((audit[0].Action, audit[0].ShardId, audit[0].VersionId, audit[0].At), ("commit", "shard-a", "v1", T0), "the commit record");
            using var detail = JsonDocument.Parse(audit[0].Detail);
            Expect.equal(detail.RootElement.GetProperty("registry_id").GetString(), entry.RegistryId, "detail names the registry id");
            Expect.isTrue(reg.TokenUsed("tok-1"), "the session token is used");
            Expect.equal(reg.Session("tok-1")!.State, "committed", "session state");

            var hash2 = Stage(reg, "tok-2", "shard-a", Bytes(10, 2));
            var second = reg.Commit(new CommitRequest("tok-2", "shard-a", "v2", "v1", hash2, "{}", 10, T0.AddMinutes(1)));
            Expect.equal(second.RegistryId, $"ONEIRIC-{hash2[..12]}-2", "the registry id sequence is per database");
            Expect.equal(second.PreviousVersionId, "v1", "previous version link = expected parent");
            Expect.equal(reg.View("shard-a").Canonical, "v2", "new canonical head");
            Expect.equal(reg.Audit("shard-a").Select(a => a.Seq).ToArray().Length, 2, "two audit records");
            Expect.isTrue(reg.Audit().Zip(reg.Audit().Skip(1)).All(p => p.First.Seq < p.Second.Seq), "audit Seq increases");
            Expect.equal(reg.Audit("shard-b").Count, 0, "audit filtered by shard");
        }),

        TestCase("conflicts write nothing: wrong parent, duplicate version, used or unknown session", () =>
        {
            var dir = TempDir();
            using var reg = LatticeRegistry.Open(dir);
            var h1 = Stage(reg, "tok-1", "shard-a", Bytes(100, 1));
            reg.Commit(new CommitRequest("tok-1", "shard-a", "v1", null, h1, "{}", 100, T0));
            var before = Snapshot(reg, "shard-a");
            var h2 = Stage(reg, "tok-2", "shard-a", Bytes(200, 2));

            Conflict(() => reg.Commit(new CommitRequest("tok-2", "shard-a", "v2", null, h2, "{}", 200, T0)), "expected no canonical, there is v1");
            Conflict(() => reg.Commit(new CommitRequest("tok-2", "shard-a", "v2", "v0", h2, "{}", 200, T0)), "expected parent v0, canonical is v1");
            Conflict(() => reg.Commit(new CommitRequest("tok-2", "shard-a", "v1", "v1", h2, "{}", 200, T0)), "duplicate version v1");
            Conflict(() => reg.Commit(new CommitRequest("tok-1", "shard-a", "v2", "v1", h2, "{}", 200, T0)), "session tok-1 already committed");
            Conflict(() => reg.Commit(new CommitRequest("tok-9", "shard-a", "v2", "v1", h2, "{}", 200, T0)), "unknown session");
            Conflict(() => reg.Commit(new CommitRequest("tok-2", "shard-b", "v2", null, h2, "{}", 200, T0)), "session of another shard");

            Expect.equal(Snapshot(reg, "shard-a"), before, "entries, canonical head and audit unchanged");
            Expect.equal(reg.Session("tok-2")!.State, "open", "the session is still open");
            Expect.isFalse(reg.TokenUsed("tok-2"), "the token is not used");
            Expect.isTrue(File.Exists(reg.StagingPath("tok-2")), "the staged payload is still staged");
            Expect.isFalse(File.Exists(Path.Combine(dir, "blobs", h2)), "no blob for a refused commit");

            var entry = reg.Commit(new CommitRequest("tok-2", "shard-a", "v2", "v1", h2, "{}", 200, T0));
            Expect.equal(entry.RegistryId, $"ONEIRIC-{h2[..12]}-2", "refused commits consumed no sequence number");
        }),

        TestCase("rollback marks inactive and reinstates the nearest active ancestor", () =>
        {
            using var reg = LatticeRegistry.Open(TempDir());
            Chain(reg, "shard-a", "v1", "v2", "v3");
            var (rolled, reinstated) = reg.Rollback("shard-a", "v3", "mismatch", T0.AddHours(1));
            Expect.equal((rolled.VersionId, rolled.Status, reinstated), ("v3", "inactive", (string?)"v2"), "v3 rolled back, v2 reinstated");
            Expect.equal(reg.View("shard-a").Canonical, "v2", "canonical v2");
            (rolled, reinstated) = reg.Rollback("shard-a", "v2", "user revert", T0.AddHours(2));
            Expect.equal((rolled.VersionId, reinstated), ("v2", (string?)"v1"), "v2 rolled back, v1 reinstated");
            var view = reg.View("shard-a");
            Expect.equal(view.Canonical, "v1", "canonical v1");
            Expect.equal(string.Join(",", view.Entries.Select(e => $"{e.VersionId}:{e.Status}")), "v1:active,v2:inactive,v3:inactive", "entries kept, oldest first");
            var audit = reg.Audit("shard-a");
            Expect.equal(string.Join(",", audit.Select(a => $"{a.Action}:{a.VersionId}")), "commit:v1,commit:v2,commit:v3,rollback:v3,rollback:v2", "audit trail");
            using var detail = JsonDocument.Parse(audit[^1].Detail);
            Expect.equal(detail.RootElement.GetProperty("reason").GetString(), "user revert", "the reason is audited");
            Expect.equal(detail.RootElement.GetProperty("reinstated").GetString(), "v1", "the reinstated version is audited");
            Expect.equal(audit[^1].At, T0.AddHours(2), "audit time");

            var before = Snapshot(reg, "shard-a");
            Conflict(() => reg.Rollback("shard-a", "v3", "again", T0), "rollback of an inactive entry");
            Conflict(() => reg.Rollback("shard-a", "v9", "none", T0), "rollback of an unknown version");
            Expect.equal(Snapshot(reg, "shard-a"), before, "refused rollbacks write nothing");

            var h4 = Stage(reg, "tok-v4", "shard-a", Bytes(5, 4));
            Conflict(() => reg.Commit(new CommitRequest("tok-v4", "shard-a", "v4", "v3", h4, "{}", 5, T0)), "a commit on an inactive parent");
            Expect.equal(reg.Commit(new CommitRequest("tok-v4", "shard-a", "v4", "v1", h4, "{}", 5, T0)).PreviousVersionId, "v1", "a commit on the reinstated head");
        }),

        TestCase("rollback of a non-canonical entry keeps the head; no active ancestor leaves no head", () =>
        {
            using var reg = LatticeRegistry.Open(TempDir());
            Chain(reg, "shard-a", "v1", "v2");
            var (_, reinstated) = reg.Rollback("shard-a", "v1", "bad base", T0);
            Expect.isNull(reinstated, "nothing reinstated");
            Expect.equal(reg.View("shard-a").Canonical, "v2", "v2 stays canonical");
            (_, reinstated) = reg.Rollback("shard-a", "v2", "bad", T0);
            Expect.isNull(reinstated, "no active ancestor");
            Expect.isNull(reg.View("shard-a").Canonical, "no canonical head");
            var h = Stage(reg, "tok-new", "shard-a", Bytes(3, 9));
            Expect.equal(reg.Commit(new CommitRequest("tok-new", "shard-a", "v3", null, h, "{}", 3, T0)).Status, "active", "a new root commits on no head");
        }),

        TestCase("override is audited; malformed JSON is refused", () =>
        {
            using var reg = LatticeRegistry.Open(TempDir());
            Chain(reg, "shard-a", "v1", "v2");
            reg.Rollback("shard-a", "v2", "bad", T0);
            reg.RecordOverride("shard-a", "v2", "{\"signed_by\":\"abc\"}", T0.AddDays(1));
            var last = reg.Audit()[^1];
            Expect.equal((last.Action, last.VersionId, last.Detail, last.At), ("override", "v2", "{\"signed_by\":\"abc\"}", T0.AddDays(1)), "override record");
            Throws<ArgumentException>(() => reg.RecordOverride("shard-a", "v2", "{not json", T0), "override detail must be JSON");
            Throws<ArgumentException>(() => reg.OpenSession("../evil", "shard-a", "{}", T0), "a token cannot escape the staging folder");
            Throws<ArgumentException>(() => reg.OpenBlob("../registry.db"), "a hash cannot escape the blob folder");
        }),

        TestCase("everything survives dispose and reopen", () =>
        {
            var dir = TempDir();
            string before;
            SessionRecord? openBefore;
            using (var reg = LatticeRegistry.Open(dir))
            {
                Chain(reg, "shard-a", "v1", "v2", "v3");
                Chain(reg, "shard-b", "w1");
                reg.Rollback("shard-a", "v3", "undo", T0.AddHours(1));
                reg.RecordOverride("shard-a", "v3", "{\"ok\":true}", T0.AddHours(2));
                reg.OpenSession("tok-open", "shard-b", "{\"h\":1}", T0);
                reg.StoreChunk("tok-open", 3, 12, Bytes(4, 3), Leaf(3));
                before = Snapshot(reg, "shard-a") + Snapshot(reg, "shard-b");
                openBefore = reg.Session("tok-open");
            }
            using (var reg = LatticeRegistry.Open(dir))
            {
                Expect.equal(Snapshot(reg, "shard-a") + Snapshot(reg, "shard-b"), before, "entries, heads and audit after reopen");
                Expect.equal(SessionText(reg.Session("tok-open")), SessionText(openBefore), "open session after reopen");
                Expect.isTrue(reg.TokenUsed("tok-shard-a-v2"), "used tokens stay used");
                var h = Stage(reg, "tok-v4", "shard-a", Bytes(8, 8));
                Expect.equal(reg.Commit(new CommitRequest("tok-v4", "shard-a", "v4", "v2", h, "{}", 8, T0)).RegistryId, $"ONEIRIC-{h[..12]}-5", "the sequence continues");
            }
            using var check = new SqliteConnection($"Data Source={Path.Combine(dir, "registry.db")};Pooling=False");
            check.Open();
            Expect.equal(Scalar(check, "PRAGMA journal_mode;"), "wal", "WAL mode is persistent");
            Expect.equal(Scalar(check, "SELECT version FROM schema_version;"), "1", "schema version recorded");
        }),

        TestCase("chunks are stored at their offsets out of order; Session reports indices and leaf hashes", () =>
        {
            var dir = TempDir();
            using var reg = LatticeRegistry.Open(dir);
            var payload = Bytes(10, 7);
            reg.OpenSession("tok-c", "shard-c", "{\"chunk_size\":4}", T0);
            reg.OpenSession("tok-c", "shard-c", "{\"chunk_size\":4}", T0.AddSeconds(5)); // same header: a no-op
            Conflict(() => reg.OpenSession("tok-c", "shard-c", "{\"chunk_size\":8}", T0), "the same token with another header");
            Expect.isNull(reg.Session("tok-none"), "unknown session");
            Conflict(() => reg.StoreChunk("tok-none", 0, 0, payload, Leaf(0)), "a chunk for an unknown session");
            reg.StoreChunk("tok-c", 2, 8, payload.AsSpan(8), Leaf(2));
            reg.StoreChunk("tok-c", 0, 0, payload.AsSpan(0, 4), Leaf(0));
            var s = reg.Session("tok-c")!;
            Expect.equal((s.ShardId, s.HeaderJson, s.CreatedAt, s.State), ("shard-c", "{\"chunk_size\":4}", T0, "open"), "the session");
            Expect.equal(Received(s), "0:" + Hex(Leaf(0)) + ",2:" + Hex(Leaf(2)), "chunks 0 and 2 received");
            reg.StoreChunk("tok-c", 1, 4, payload.AsSpan(4, 4), Leaf(99));
            reg.StoreChunk("tok-c", 1, 4, payload.AsSpan(4, 4), Leaf(1)); // a re-sent chunk replaces its record
            Expect.equal(Received(reg.Session("tok-c")!), "0:" + Hex(Leaf(0)) + ",1:" + Hex(Leaf(1)) + ",2:" + Hex(Leaf(2)), "all three chunks");
            Expect.equal(Hex(File.ReadAllBytes(reg.StagingPath("tok-c"))), Hex(payload), "the staging file holds the payload");
            Expect.equal(reg.StagingPath("tok-c"), Path.Combine(Path.GetFullPath(dir), "staging", "tok-c.part"), "staging path");

            var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
            reg.Commit(new CommitRequest("tok-c", "shard-c", "v1", null, hash, "{}", payload.Length, T0));
            Expect.isFalse(File.Exists(reg.StagingPath("tok-c")), "the staging file is gone");
            Expect.isTrue(File.Exists(Path.Combine(dir, "blobs", hash)), "the payload is in blobs/");
            using (var blob = reg.OpenBlob(hash))
            {
                var copy = new MemoryStream();
                blob.CopyTo(copy);
                Expect.equal(Hex(copy.ToArray()), Hex(payload), "OpenBlob returns exactly the bytes");
            }
            Conflict(() => reg.StoreChunk("tok-c", 0, 0, payload.AsSpan(0, 4), Leaf(0)), "no chunk after commit");
            Expect.isFalse(File.Exists(reg.StagingPath("tok-c")), "a refused chunk creates no staging file");
        }),

        TestCase("receipts are durable in batches: a reopened registry lists only flushed chunks; an unrecorded chunk is re-sent", () =>
        {
            var dir = TempDir();
            var payload = Bytes(20, 21);
            // A registry never disposed stands for a process killed: its pending receipts never reach the database.
            var crashed = LatticeRegistry.Open(dir, new ReceiptBatch(Chunks: 2, Bytes: 1 << 20));
            crashed.OpenSession("tok-b", "shard-b", "{\"chunk_size\":4}", T0);
            for (var i = 0; i < 3; i++) crashed.StoreChunk("tok-b", i, 4 * i, payload.AsSpan(4 * i, 4), Leaf(i));
            Expect.equal(Received(crashed.Session("tok-b")!), $"0:{Hex(Leaf(0))},1:{Hex(Leaf(1))},2:{Hex(Leaf(2))}", "the live session counts the pending receipt of chunk 2");

            using var reg = LatticeRegistry.Open(dir);
            Expect.equal(Received(reg.Session("tok-b")!), $"0:{Hex(Leaf(0))},1:{Hex(Leaf(1))}", "after the 'crash' only the flushed batch (chunks 0, 1) is listed");
            var port = new Conformance.Reference.Shard.Store.LatticeRegistryPort(reg);
            Expect.sequenceEqual(port.Session("tok-b")!.Received.Keys.Order(), new[] { 0L, 1L }, "the port (what resume_ack lists) says the same");
            // Chunk 2's bytes may or may not have reached the staging file: garble them, as a torn write would, then re-send.
            using (var f = new FileStream(reg.StagingPath("tok-b"), FileMode.Open, FileAccess.Write)) { f.Position = 8; f.Write([9, 9, 9, 9]); }
            for (var i = 2; i < 5; i++) reg.StoreChunk("tok-b", i, 4 * i, payload.AsSpan(4 * i, 4), Leaf(i));
            var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
            reg.Commit(new CommitRequest("tok-b", "shard-b", "v1", null, hash, "{}", payload.Length, T0));
            using var blob = reg.OpenBlob(hash);
            var copy = new MemoryStream();
            blob.CopyTo(copy);
            Expect.equal(Hex(copy.ToArray()), Hex(payload), "the re-sent chunk replaced whatever was staged: the blob is the payload");
            Expect.equal(reg.View("shard-b").Entries.Count, 1, "one entry");
            GC.KeepAlive(crashed);
        }),

        TestCase("receipts below a batch become durable at FlushSession, at commit and at dispose", () =>
        {
            var dir = TempDir();
            var payload = Bytes(12, 22);
            var big = new ReceiptBatch(Chunks: 1000, Bytes: 1 << 30);
            using (var reg = LatticeRegistry.Open(dir, big))
            {
                reg.OpenSession("tok-f", "shard-f", "{}", T0);
                reg.OpenSession("tok-d", "shard-f", "{}", T0);
                reg.StoreChunk("tok-f", 0, 0, payload.AsSpan(0, 4), Leaf(0));
                reg.FlushSession("tok-f");
                using (var other = LatticeRegistry.Open(dir)) Expect.equal(Received(other.Session("tok-f")!), $"0:{Hex(Leaf(0))}", "durable after FlushSession");
                reg.StoreChunk("tok-f", 1, 4, payload.AsSpan(4, 4), Leaf(1)); // the staging file opens again
                reg.StoreChunk("tok-d", 0, 0, payload.AsSpan(0, 4), Leaf(0));
                reg.FlushSession("tok-none"); // not staging here: nothing to do
            }
            using (var reg = LatticeRegistry.Open(dir, big))
            {
                Expect.equal(Received(reg.Session("tok-f")!), $"0:{Hex(Leaf(0))},1:{Hex(Leaf(1))}", "durable after dispose");
                Expect.equal(Received(reg.Session("tok-d")!), $"0:{Hex(Leaf(0))}", "every staged session flushed at dispose");
                reg.StoreChunk("tok-f", 2, 8, payload.AsSpan(8, 4), Leaf(2));
                var hash = Convert.ToHexStringLower(SHA256.HashData(payload));
                reg.Commit(new CommitRequest("tok-f", "shard-f", "v1", null, hash, "{}", payload.Length, T0));
                Expect.equal(Received(reg.Session("tok-f")!), $"0:{Hex(Leaf(0))},1:{Hex(Leaf(1))},2:{Hex(Leaf(2))}", "the commit recorded the pending receipt");
                Expect.equal(reg.Session("tok-f")!.State, "committed", "committed");
            }
        }),

        TestCase("a commit retried after a crash between the blob move and the transaction finds the blob in place", () =>
        {
            var dir = TempDir();
            using var reg = LatticeRegistry.Open(dir);
            var payload = Bytes(64, 5);
            var hash = Stage(reg, "tok-r", "shard-r", payload);
            File.Move(reg.StagingPath("tok-r"), Path.Combine(dir, "blobs", hash)); // what a crash right after the move leaves
            reg.Commit(new CommitRequest("tok-r", "shard-r", "v1", null, hash, "{}", 64, T0));
            using var blob = reg.OpenBlob(hash);
            Expect.equal(blob.Length, 64L, "the blob is the payload");
            var h2 = Stage(reg, "tok-s", "shard-r", Bytes(10, 6));
            Throws<InvalidOperationException>(() => reg.Commit(new CommitRequest("tok-s", "shard-r", "v2", "v1", h2, "{}", 11, T0)), "a staged payload of the wrong size");
            Expect.equal(reg.View("shard-r").Entries.Count, 1, "nothing committed");
        }),

        TestCase("commits from several threads", () =>
        {
            using var reg = LatticeRegistry.Open(TempDir());
            Parallel.For(0, 4, t =>
            {
                string? parent = null;
                for (var i = 0; i < 20; i++)
                {
                    var token = $"tok-{t}-{i}";
                    var hash = Stage(reg, token, $"shard-{t}", Bytes(100 + i, t * 100 + i));
                    reg.Commit(new CommitRequest(token, $"shard-{t}", $"v{i}", parent, hash, "{}", 100 + i, T0));
                    parent = $"v{i}";
                }
            });
            var all = Enumerable.Range(0, 4).SelectMany(t => reg.View($"shard-{t}").Entries).ToList();
            Expect.equal(all.Count, 80, "80 entries");
            Expect.equal(all.Select(e => e.RegistryId).Distinct().Count(), 80, "distinct registry ids");
            Expect.equal(reg.Audit().Count, 80, "80 audit records");
        }),

        TestCase("crash safety: a child killed (SIGKILL) mid-commit leaves a consistent registry", async () =>
        {
            var child = await CrashChild.Value;
            var dir = TempDir();
            var seed = Environment.TickCount;
            var rng = new Random(seed);
            var reported = 0;
            for (var round = 0; round < 3; round++)
            {
                var killAfter = rng.Next(3, 40);
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                psi.ArgumentList.Add(child);
                psi.ArgumentList.Add(dir);
                psi.ArgumentList.Add((seed + round).ToString(System.Globalization.CultureInfo.InvariantCulture));
                using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the crash child");
                var stderr = p.StandardError.ReadToEndAsync();
                var mine = 0;
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                    while (mine < killAfter)
                    {
                        var line = await p.StandardOutput.ReadLineAsync(cts.Token)
                            ?? throw new InvalidOperationException($"the child ended early (seed {seed}): {await stderr}");
                        if (line.StartsWith("committed ", StringComparison.Ordinal)) mine = int.Parse(line["committed ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    }
                    // Kill at a random moment: right away, or after it ran a few more commits in the meantime.
                    await Task.Delay(rng.Next(0, 25));
                }
                finally
                {
                    if (!p.HasExited) p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync();
                }
                // Lines it wrote before the kill count too: each was printed after its commit returned.
                for (var line = await p.StandardOutput.ReadLineAsync(); line is not null; line = await p.StandardOutput.ReadLineAsync())
                    if (line.StartsWith("committed ", StringComparison.Ordinal)) mine = int.Parse(line["committed ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                reported += mine;
                CheckConsistent(dir, reported, $"round {round}, seed {seed}");
            }
            using var reg = LatticeRegistry.Open(dir);
            Expect.isGreaterThanOrEqual(new[] { "shard-a", "shard-b", "shard-c" }.Sum(s => reg.View(s).Entries.Count), reported, "the store reopens with every reported commit");
        }),
    });

    // ---------------------------------------------------------------- crash-safety helpers

    /// <summary>Checks the registry on disk straight after a kill, with plain SQL (before the store opens it again).</summary>
    private static void CheckConsistent(string dir, int reportedCommits, string context)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(dir, "registry.db")};Pooling=False");
        db.Open();
        Expect.equal(Scalar(db, "PRAGMA integrity_check;"), "ok", $"integrity_check ({context})");
        Expect.equal(Scalar(db, "PRAGMA foreign_key_check;"), "", $"foreign keys ({context})");
        var entries = long.Parse(Scalar(db, "SELECT COUNT(*) FROM entries;"), System.Globalization.CultureInfo.InvariantCulture);
        Expect.isGreaterThanOrEqual(entries, (long)reportedCommits, $"every reported commit is there ({context})");
        Expect.equal(Scalar(db, """
            SELECT COUNT(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM audit a
              WHERE a.action = 'commit' AND a.shard_id = e.shard_id AND a.version_id = e.version_id);
            """), "0", $"every entry has its commit audit record ({context})");
        Expect.equal(Scalar(db, "SELECT COUNT(*) FROM entries WHERE status = 'inactive';"),
            Scalar(db, "SELECT COUNT(*) FROM audit WHERE action = 'rollback';"), $"every inactive entry has its rollback record ({context})");
        Expect.equal(Scalar(db, "SELECT COUNT(*) FROM sessions WHERE state = 'committed';"), entries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"one committed session per entry ({context})");
        Expect.equal(Scalar(db, """
            SELECT COUNT(*) FROM canonical_heads c LEFT JOIN entries e ON e.shard_id = c.shard_id AND e.version_id = c.version_id
              WHERE e.seq IS NULL OR e.status <> 'active';
            """), "0", $"canonical heads point at existing active entries ({context})");
        // The child commits on the head and rolls back only the head: the head is the newest active entry of its shard.
        Expect.equal(Scalar(db, """
            SELECT COUNT(*) FROM (SELECT DISTINCT shard_id FROM entries) s
              WHERE (SELECT version_id FROM canonical_heads c WHERE c.shard_id = s.shard_id)
                IS NOT (SELECT version_id FROM entries e WHERE e.shard_id = s.shard_id AND e.status = 'active' ORDER BY seq DESC LIMIT 1);
            """), "0", $"each head is its shard's newest active entry ({context})");
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT shard_hash, size FROM entries;";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var blob = Path.Combine(dir, "blobs", r.GetString(0));
            Expect.isTrue(File.Exists(blob), $"entry {r.GetString(0)} has its blob ({context})");
            using var f = File.OpenRead(blob);
            Expect.equal(f.Length, r.GetInt64(1), $"blob size ({context})");
            Expect.equal(Convert.ToHexStringLower(SHA256.HashData(f)), r.GetString(0), $"blob content ({context})");
        }
    }

    private static readonly Lazy<Task<string>> CrashChild = new(BuildCrashChild);

    /// <summary>Builds tests/RegistryCrashChild once per test run, in this assembly's configuration; returns its dll.</summary>
    private static async Task<string> BuildCrashChild()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Conformance.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        var configuration = typeof(RegistryStoreTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var project = Path.Combine(root, "tests", "RegistryCrashChild", "RegistryCrashChild.csproj");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // --disable-build-servers: no MSBuild node or compiler server outlives the build holding our pipes open.
        foreach (var a in new[] { "build", project, "-c", configuration, "--nologo", "-v", "q", "--disable-build-servers" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start dotnet build");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw new TimeoutException("building RegistryCrashChild took over 3 minutes"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"building RegistryCrashChild failed:\n{await stdout}\n{await stderr}");
        var dll = Path.Combine(root, "tests", "RegistryCrashChild", "bin", configuration, "net10.0", "RegistryCrashChild.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("RegistryCrashChild.dll not where expected", dll);
    }

    // ---------------------------------------------------------------- helpers

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "conformance-tests", $"registry-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static byte[] Bytes(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static byte[] Leaf(int i) => SHA256.HashData([0, (byte)i]);

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexStringLower(b);

    /// <summary>Opens a session for <paramref name="token"/>, stages the payload as one chunk; returns its hash.</summary>
    private static string Stage(LatticeRegistry reg, string token, string shardId, byte[] payload)
    {
        reg.OpenSession(token, shardId, "{}", T0);
        reg.StoreChunk(token, 0, 0, payload, Leaf(0));
        return Convert.ToHexStringLower(SHA256.HashData(payload));
    }

    /// <summary>Commits versions one on top of the other; tokens are "tok-SHARD-VERSION".</summary>
    private static void Chain(LatticeRegistry reg, string shardId, params string[] versions)
    {
        string? parent = reg.View(shardId).Canonical;
        foreach (var v in versions)
        {
            var payload = Bytes(32, BitConverter.ToInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(shardId + "/" + v))));
            var hash = Stage(reg, $"tok-{shardId}-{v}", shardId, payload);
            reg.Commit(new CommitRequest($"tok-{shardId}-{v}", shardId, v, parent, hash, "{\"v\":\"" + v + "\"}", payload.Length, T0));
            parent = v;
        }
    }

    private static string Lines<T>(IEnumerable<T> items) => string.Join("\n", items);

    /// <summary>Everything observable about one shard, as text (so a difference shows in the failure message).</summary>
    private static string Snapshot(LatticeRegistry reg, string shardId)
    {
        var view = reg.View(shardId);
        return $"canonical {view.Canonical}\n{Lines(view.Entries)}\n{Lines(reg.Audit(shardId))}\n";
    }

    private static string Received(SessionRecord s) => string.Join(",", s.Received.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{Hex(kv.Value)}"));

    private static string SessionText(SessionRecord? s) => s is null ? "null" : $"{s with { Received = new Dictionary<int, byte[]>() }} {Received(s)}";

    private static string Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) ?? "";
    }

    private static void Conflict(Action action, string message) => Throws<RegistryConflictException>(action, message);

    private static void Throws<T>(Action action, string message) where T : Exception
    {
        Exception? caught = null;
        try { action(); }
        catch (Exception e) { caught = e; }
        Expect.isTrue(caught is T, $"{message}: expected {typeof(T).Name}, got {(caught is null ? "no exception" : caught.GetType().Name + ": " + caught.Message)}");
    }
}
