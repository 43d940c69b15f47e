// How fast the Shard reference edge takes in a shard, and whether its memory stays flat, against the machine's SHA-256
// rate measured in the same run (the edge hashes every payload byte at least once):
//   sha256        the limit: SHA256.HashData over a 1 MiB buffer;
//   shard.store   (diagnostic) the edge's disk work per chunk alone, in this process: LatticeRegistry.StoreChunk of 64 KiB
//                 chunks (a write into the session's open staging file; every 256 chunks = 16 MiB a receipt batch: fsync,
//                 then one SQLite transaction with synchronous=FULL);
//   shard.ingest  one whole upload (hello → header → every chunk → commit_ack) from the reference node (ShardAgent, in this
//                 process) to the reference edge in its own process (`dotnet conformance.dll serve --spec shard`), loopback;
//   shard.rss     that edge process's peak RSS (VmHWM) after one upload of a small and of a large shard, each in a fresh
//                 process: the claim to check is that it does not grow with the shard.
// Payloads are pseudo-random (never zeros), written once per run to a temporary folder that is removed at the end.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;
using Conformance.Reference.Shard.Store;

namespace Conformance.Benchmarks;

/// <summary>What the shard benchmarks move. One upload is one round, so shard.ingest has fewer rounds than the others.</summary>
/// <param name="Ingest">Size of the shard.ingest payload.</param>
/// <param name="Uploads">Timed uploads (after one untimed warm-up upload of the same payload).</param>
/// <param name="RssSmall">shard.rss: the small shard, uploaded to a fresh edge process.</param>
/// <param name="RssLarge">shard.rss: the large shard, uploaded to another fresh edge process.</param>
public sealed record ShardSizes(long Ingest, int Uploads, long RssSmall, long RssLarge)
{
    public static readonly ShardSizes Default = new(256 * ShardIngestBenchmark.MiB, 3, 64 * ShardIngestBenchmark.MiB, 512 * ShardIngestBenchmark.MiB);
    public static readonly ShardSizes QuickRun = new(32 * ShardIngestBenchmark.MiB, 2, 16 * ShardIngestBenchmark.MiB, 128 * ShardIngestBenchmark.MiB);
}

public static class ShardIngestBenchmark
{
    public const long MiB = 1024 * 1024;
    public const int ChunkSize = 64 * 1024;
    public const int HashBufferBytes = 1024 * 1024;
    /// <summary>A large shard's RSS over a small one's above this is reported as growth, not noise.</summary>
    public const double FlatLimit = 1.2;
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>The key the reference edge (`serve --spec shard`) trusts: the suite's published CCML node key.</summary>
    private static readonly Ed25519Signer NodeKey = TestKeys.FromLabel(TestKeys.SuiteShardNodeLabel);

#if DEBUG
    private const string Build = "Debug";
#else
    private const string Build = "Release";
#endif

    public static async Task<int> RunAsync(Settings settings, bool store, bool ingest, bool rss, int? uploads, Action<string> log)
    {
        var sizes = settings.Quick ? ShardSizes.QuickRun : ShardSizes.Default;
        if (uploads is { } u) sizes = sizes with { Uploads = u };
        var cli = typeof(Conformance.Cli.Cli).Assembly.Location;
        if (!File.Exists(cli)) throw new FileNotFoundException("conformance.dll is not next to the benchmark (the ProjectReference to Conformance.Cli builds it there)", cli);
        if ((ingest || rss) && !OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("shard.ingest and shard.rss read /proc/<pid>/status (Linux only)");

        var work = Directory.CreateTempSubdirectory("conformance-bench-shard-").FullName;
        var needed = Math.Max(ingest ? 3 * sizes.Ingest : 0, rss ? 2 * sizes.RssLarge + 2 * sizes.RssSmall : 0) + 256 * MiB;
        var free = new DriveInfo(work).AvailableFreeSpace;
        log($"Shard hand-off: {ChunkSize / 1024} KiB chunks, payloads pseudo-random; " +
            (ingest ? $"shard.ingest: {sizes.Uploads} timed upload(s) of {Size(sizes.Ingest)} (one upload per round, so fewer rounds than the other benchmarks) after one untimed; " : "") +
            (rss ? $"shard.rss: {Size(sizes.RssSmall)} and {Size(sizes.RssLarge)}, each in a fresh edge process" : ""));
        log($"edge: dotnet {cli} serve --spec shard (its own process, {Build} build); node: ShardAgent.UploadAsync in this process; MiB/s = 2^20 bytes/s");
        log($"work folder {work}: {Size(free)} free, needs about {Size(needed)}");
        if (free < needed)
        {
            Directory.Delete(work, recursive: true);
            throw new IOException($"not enough free disk under {Path.GetTempPath()}: {Size(free)} free, the shard benchmarks need about {Size(needed)}");
        }

        try
        {
            // 1. The baseline (and the in-process disk probe), through the same harness as the CIP benchmarks.
            var sha = Sha256();
            var benchmarks = new List<Benchmark> { sha };
            if (store) benchmarks.Add(Store(Path.Combine(work, "store-probe")));
            IReadOnlyList<Result> results;
            try { results = await Measure.RunAsync(benchmarks, settings, log); }
            finally
            {
                foreach (var b in benchmarks)
                    if (b.Cleanup is { } cleanup) await cleanup();
            }
            var shaResult = results[0];
            var storeResult = store ? results[1] : null;

            // 2. shard.ingest
            IngestResult? ingested = null;
            if (ingest)
            {
                log("");
                ingested = await IngestAsync(work, sizes, settings, sha, log);
            }

            // 3. shard.rss
            (RssRun Small, RssRun Large)? rssRuns = null;
            if (rss)
            {
                log("");
                rssRuns = await RssAsync(work, sizes, log);
            }

            Report(shaResult, storeResult, ingested, rssRuns, sizes, log);
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
                log($"(removed {work})");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { log($"WARNING: could not remove {work}: {e.Message}"); }
        }
    }

    // ---- 1. the machine's limit, and the edge's disk work alone ----------------------------------------------------

    /// <summary>One op hashes 1 MiB, so ops/s is MiB/s.</summary>
    public static Benchmark Sha256()
    {
        var buffer = new byte[HashBufferBytes];
        new Random(11).NextBytes(buffer);
        var digest = new byte[32];
        return new Benchmark
        {
            Name = "sha256", Unit = "MiB/s",
            What = $"SHA256.HashData over a {HashBufferBytes / MiB} MiB buffer: the machine's limit",
            Round = d => Task.FromResult(Measure.Loop(d, _ => SHA256.HashData(buffer, digest) == 32)),
        };
    }

    /// <summary>
    /// What the edge does to the disk for each chunk (LatticeRegistry.StoreChunk: write at its offset in the open staging
    /// file; every ReceiptBatch.Default a batch: fsync, then its receipts in one transaction with synchronous=FULL), in
    /// this process with nothing else: an upper bound for ingest.
    /// Each round stores into a new session from chunk 0 on; its staging file is deleted afterwards.
    /// </summary>
    public static Benchmark Store(string dir)
    {
        var registry = LatticeRegistry.Open(dir);
        var chunk = new byte[ChunkSize];
        new Random(12).NextBytes(chunk);
        var leaf = MerkleTree.LeafHash(chunk);
        var session = 0;
        return new Benchmark
        {
            Name = "shard.store", Unit = "chunks/s",
            What = $"LatticeRegistry.StoreChunk of {ChunkSize / 1024} KiB chunks in this process (file write; a receipt batch of fsync + one transaction every {ReceiptBatch.Default.Chunks} chunks)",
            Round = d =>
            {
                var token = $"bench-store-{session++}";
                registry.OpenSession(token, "bench-store", "{}", DateTimeOffset.UtcNow);
                var c = Measure.Loop(d, i =>
                {
                    registry.StoreChunk(token, (int)i, i * ChunkSize, chunk, leaf);
                    return true;
                });
                registry.FlushSession(token); // the round's last batch, outside its clock (a round ends at a deadline)
                File.Delete(registry.StagingPath(token));
                return Task.FromResult(c);
            },
            Cleanup = () =>
            {
                registry.Dispose();
                return ValueTask.CompletedTask;
            },
        };
    }

    // ---- 2. shard.ingest --------------------------------------------------------------------------------------------

    private sealed record Upload(long Bytes, double Seconds, double ShaBeside, TimeSpan EdgeUser, TimeSpan EdgeSys, TimeSpan NodeCpu, long EdgeHwmKb)
    {
        public double Rate => Bytes / (double)MiB / Seconds;
    }

    private sealed record IngestResult(IReadOnlyList<Upload> Uploads, Series Rates, long EdgeStartKb);

    private static async Task<IngestResult> IngestAsync(string work, ShardSizes sizes, Settings settings, Benchmark sha, Action<string> log)
    {
        var file = await PayloadAsync(Path.Combine(work, "ingest.bin"), sizes.Ingest, seed: 1, log);
        var ledger = Path.Combine(work, "ingest-ledger.jsonl");
        await using var edge = await StartEdgeAsync(Path.Combine(work, "ingest-store"));
        var startKb = edge.Status().HwmKb;
        log($"shard.ingest: edge pid {edge.Pid} at {edge.Url}, RSS {Kb(startKb)} after start");

        // Untimed warm-up: the first upload to a fresh edge also pays for JIT compilation on both sides.
        var warm = await UploadAsync(edge, file, "bench-ingest", 1, ledger);
        log($"  warm-up upload (untimed): {Size(file.Size)} in {warm.TotalSeconds:0.00} s = {file.Size / (double)MiB / warm.TotalSeconds:0.0} MiB/s");

        var uploads = new List<Upload>();
        var self = Process.GetCurrentProcess();
        for (var r = 0; r < sizes.Uploads; r++)
        {
            // A SHA-256 round right before each upload: the machine's state at that moment, beside the upload's figure.
            Collect();
            var s = await sha.Round(settings.Round);
            var shaRate = Measure.Rate(s.Ops, s.Seconds);
            Collect();
            var (edgeUser0, edgeSys0) = edge.CpuSplit();
            self.Refresh();
            var node0 = self.TotalProcessorTime;
            var elapsed = await UploadAsync(edge, file, "bench-ingest", r + 2, ledger);
            var (edgeUser1, edgeSys1) = edge.CpuSplit();
            self.Refresh();
            var up = new Upload(file.Size, elapsed.TotalSeconds, shaRate, edgeUser1 - edgeUser0, edgeSys1 - edgeSys0, self.TotalProcessorTime - node0, edge.Status().HwmKb);
            uploads.Add(up);
            var edgeCpu = (up.EdgeUser + up.EdgeSys).TotalSeconds;
            log($"  upload {r + 1}/{sizes.Uploads}: {Size(up.Bytes)} in {up.Seconds:0.00} s = {up.Rate:0.0} MiB/s (SHA-256 beside it {shaRate:N0} MiB/s, ratio {up.Rate / shaRate:0.000}); " +
                $"edge CPU {edgeCpu:0.00} s (user {up.EdgeUser.TotalSeconds:0.00}, sys {up.EdgeSys.TotalSeconds:0.00}) = {Percent(edgeCpu / up.Seconds)} of the wall time, " +
                $"node CPU {up.NodeCpu.TotalSeconds:0.00} s; edge VmHWM {Kb(up.EdgeHwmKb)}");
        }
        File.Delete(file.Path);
        return new IngestResult(uploads, new Series([.. uploads.Select(x => x.Rate)]), startKb);
    }

    /// <summary>
    /// Uploads <paramref name="file"/> as version v<paramref name="major"/>.0.0 of <paramref name="shardId"/> (on the previous
    /// one as parent), one attempt: a dropped connection fails the benchmark instead of resuming behind its back.
    /// </summary>
    private static async Task<TimeSpan> UploadAsync(ServeProcess edge, ShardFile file, string shardId, int major, string ledgerPath)
    {
        var upload = new ShardUpload(shardId, $"v{major}.0.0", major == 1 ? null : $"v{major - 1}.0.0", file.ChunkSize, file.Size, file.Leaves);
        var cfg = new ShardNodeConfig(NodeKey, ShardNodeConfig.ReferenceVersions, upload);
        var sw = Stopwatch.StartNew();
        var outcome = await ShardAgent.UploadAsync(edge.Url, cfg, file, new ShardLedger(ledgerPath), SystemEnvironment.Instance, StepTimeout, attempts: 1);
        sw.Stop();
        if (!outcome.Committed)
            throw new InvalidOperationException($"upload of {shardId} {upload.VersionId} ({Size(file.Size)}) did not commit: {outcome}" + edge.StderrTail());
        return sw.Elapsed;
    }

    // ---- 3. shard.rss -----------------------------------------------------------------------------------------------

    /// <summary>One fresh edge process, one upload; RSS sampled against the bytes the edge has staged so far.</summary>
    private sealed record RssRun(long Size, long StartKb, long HwmKb, long RssKb, double Seconds, IReadOnlyList<(long Staged, long RssKb, long HwmKb)> Samples)
    {
        /// <summary>Least-squares slope of RSS against staged bytes past the first eighth (start-up transients): KiB per chunk.</summary>
        public double? KibPerChunk
        {
            get
            {
                var pts = Samples.Where(s => s.Staged >= Size / 8).Select(s => ((double)s.Staged, (double)s.RssKb)).ToArray();
                if (pts.Length < 4) return null;
                var mx = pts.Average(p => p.Item1);
                var my = pts.Average(p => p.Item2);
                var sxx = pts.Sum(p => (p.Item1 - mx) * (p.Item1 - mx));
                return sxx == 0 ? null : pts.Sum(p => (p.Item1 - mx) * (p.Item2 - my)) / sxx * ChunkSize;
            }
        }
    }

    private static async Task<(RssRun Small, RssRun Large)> RssAsync(string work, ShardSizes sizes, Action<string> log)
    {
        log($"shard.rss: edge peak RSS (VmHWM of /proc/<pid>/status) after one upload, each size in a fresh edge process; VmRSS sampled every {SampleEvery.TotalMilliseconds:0} ms against the bytes the edge has staged");
        var small = await RssRunAsync(work, sizes.RssSmall, seed: 2, log);
        var large = await RssRunAsync(work, sizes.RssLarge, seed: 3, log);
        return (small, large);
    }

    private static async Task<RssRun> RssRunAsync(string work, long size, int seed, Action<string> log)
    {
        var name = $"rss-{size / MiB}";
        var file = await PayloadAsync(Path.Combine(work, name + ".bin"), size, seed, log);
        var storeDir = Path.Combine(work, name + "-store");
        RssRun run;
        await using (var edge = await StartEdgeAsync(storeDir))
        {
            var start = edge.Status();
            var samples = new List<(long, long, long)>();
            using var stop = new CancellationTokenSource();
            var staging = Path.Combine(storeDir, "staging");
            var sampler = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(SampleEvery);
                try
                {
                    while (await timer.WaitForNextTickAsync(stop.Token))
                    {
                        var staged = Directory.Exists(staging) ? Directory.EnumerateFiles(staging).Sum(SafeLength) : 0;
                        var st = edge.Status();
                        if (staged > 0) lock (samples) samples.Add((staged, st.RssKb, st.HwmKb));
                    }
                }
                catch (OperationCanceledException) { }
            });
            var elapsed = await UploadAsync(edge, file, "bench-rss", 1, Path.Combine(work, name + "-ledger.jsonl"));
            await stop.CancelAsync();
            await sampler;
            var end = edge.Status();
            lock (samples) run = new RssRun(size, start.HwmKb, end.HwmKb, end.RssKb, elapsed.TotalSeconds, [.. samples]);
        }
        Directory.Delete(storeDir, recursive: true);
        File.Delete(file.Path);

        log($"  {Size(size),8}: RSS {Kb(run.StartKb)} after start; after the upload ({run.Seconds:0.00} s, {size / (double)MiB / run.Seconds:0.0} MiB/s) " +
            $"peak {Kb(run.HwmKb)} (VmHWM), now {Kb(run.RssKb)}");
        // Eight checkpoints through the upload: the sample nearest each eighth of the payload.
        var points = Enumerable.Range(1, 8).Select(k => size * k / 8)
            .Select(t => run.Samples.Count == 0 ? default : run.Samples.MinBy(s => Math.Abs(s.Staged - t)))
            .Where(s => s.Staged > 0).Distinct().ToArray();
        if (points.Length > 0)
            log("            staged → VmRSS (VmHWM): " + string.Join(", ", points.Select(p => $"{p.Staged / MiB} MiB → {p.RssKb / 1024} ({p.HwmKb / 1024})")) + " MiB");
        if (run.KibPerChunk is { } slope)
            log($"            RSS grows by {slope:0.0} KiB per {ChunkSize / 1024} KiB chunk staged (least squares over {run.Samples.Count(s => s.Staged >= size / 8)} samples)");
        return run;
    }

    // ---- the summary ------------------------------------------------------------------------------------------------

    private static void Report(Result sha, Result? store, IngestResult? ingest, (RssRun Small, RssRun Large)? rss, ShardSizes sizes, Action<string> log)
    {
        var baseline = sha.Ops.Median;
        string Ratio(double rate) => baseline > 0 ? (rate / baseline).ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
        const double chunksPerMiB = (double)MiB / ChunkSize;
        Series InMiB(Series chunks) => new([.. chunks.Rates.Select(r => r / chunksPerMiB)]);

        log("");
        log($"{"benchmark",-16} {"unit",-12} {"median",10} {"min",10} {"max",10} {"spread",7} {"× sha256",8}");
        void Row(string name, string unit, Series s, bool ratio = true) =>
            log($"{name,-16} {unit,-12} {s.Median,10:N1} {s.Min,10:N1} {s.Max,10:N1} {"±" + Percent(s.Spread),7} {(ratio ? Ratio(s.Median) : ""),8}");
        Row("sha256", "MiB/s", sha.Ops);
        if (store is not null)
        {
            Row("shard.store", "MiB/s", InMiB(store.Ops));
            Row("", "chunks/s", store.Ops, ratio: false);
        }
        if (ingest is not null) Row("shard.ingest", "MiB/s", ingest.Rates);
        log("");

        log($"sha256: {baseline:0} MiB/s (the baseline: {sha.Benchmark.What}) [median of {sha.Ops.Rates.Count}, spread ±{Percent(sha.Ops.Spread)}]");
        if (store is not null)
        {
            var mib = store.Ops.Median / chunksPerMiB;
            log($"shard.store: {mib:0} MiB/s = {Ratio(mib)} × SHA-256 ({store.Ops.Median:0} chunks/s of {ChunkSize / 1024} KiB: the edge's disk work per chunk alone, " +
                $"in this process) [median of {store.Ops.Rates.Count}, spread ±{Percent(store.Ops.Spread)}]");
        }
        if (ingest is not null)
        {
            var r = ingest.Rates;
            var edgeShare = ingest.Uploads.Average(u => (u.EdgeUser + u.EdgeSys).TotalSeconds / u.Seconds);
            log($"shard.ingest: {r.Median:0.0} MiB/s = {Ratio(r.Median)} × SHA-256 ({baseline:0} MiB/s) " +
                $"[median of {r.Rates.Count} uploads of {Size(sizes.Ingest)}, spread ±{Percent(r.Spread)}; per upload {string.Join(", ", r.Rates.Select(x => x.ToString("0.0", CultureInfo.InvariantCulture)))}; " +
                $"edge CPU time {Percent(edgeShare)} of the wall time]");
            var perChunk = 1e6 / (r.Median * chunksPerMiB);
            log($"  per {ChunkSize / 1024} KiB chunk: {perChunk:0} µs end to end" +
                (store is null ? "" : $", of which the registry's disk work alone (shard.store) takes {1e6 / store.Ops.Median:0} µs"));
        }
        if (rss is var (small, large))
        {
            var ratio = (double)large.HwmKb / small.HwmKb;
            var verdict = ratio <= FlatLimit
                ? $"flat (within {FlatLimit:0.0}×)"
                : $"GROWS with the shard: +{(large.HwmKb - small.HwmKb) / 1024.0:0} MiB for {large.Size / small.Size}× the payload";
            log($"shard.rss: edge peak RSS {Kb(small.HwmKb)} after {Size(small.Size)}, {Kb(large.HwmKb)} after {Size(large.Size)}: ratio {ratio:0.00}, {verdict} " +
                $"(after start: {Kb(small.StartKb)} / {Kb(large.StartKb)}" +
                (large.KibPerChunk is { } k ? $"; during the {Size(large.Size)} upload RSS rose {k:0.0} KiB per {ChunkSize / 1024} KiB chunk" : "") + ")");
            log($"  for reference: what a connection may hold is bounded: a host's WireTrace keeps 64 entries of at most {TraceEntry.MaxKeptBytes} bytes, " +
                $"and at most {WebSocketConnection.QueueBudgetBytes / MiB} MiB of received messages wait in its queue");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /// <summary>Writes <paramref name="size"/> pseudo-random bytes and scans them into chunks (leaf hashes, Merkle levels).</summary>
    private static async Task<ShardFile> PayloadAsync(string path, long size, int seed, Action<string> log)
    {
        var sw = Stopwatch.StartNew();
        var rng = new Random(seed);
        var block = new byte[MiB];
        await using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.SequentialScan))
        {
            for (long done = 0; done < size; done += block.Length)
            {
                rng.NextBytes(block);
                await f.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - done)));
            }
        }
        var file = ShardFile.Scan(path, ChunkSize);
        log($"  payload {Path.GetFileName(path)}: {Size(size)} ({file.ChunkCount} chunks), written and scanned in {sw.Elapsed.TotalSeconds:0.0} s (untimed)");
        return file;
    }

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; } // moved to blobs/ at the commit
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static string Percent(double fraction) => (fraction * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    public static string Size(long bytes) => bytes >= 1024 * MiB
        ? (bytes / (1024.0 * MiB)).ToString("0.0", CultureInfo.InvariantCulture) + " GiB"
        : (bytes / (double)MiB).ToString("0", CultureInfo.InvariantCulture) + " MiB";

    private static string Kb(long kb) => (kb / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    /// <summary>The reference edge as its own process: `dotnet conformance.dll serve --spec shard --store DIR`.</summary>
    private static Task<ServeProcess> StartEdgeAsync(string store) => ServeProcess.StartAsync("shard", "--store", store, "--listen", "ws://127.0.0.1:0/shard");
}
