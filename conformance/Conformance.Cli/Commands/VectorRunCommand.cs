// `conformance run --vectors --target "stdio:COMMAND ARGS"`: every golden vector test of a topic the shim protocol
// covers, sent to the shim one at a time, judged, and written as the usual report folder (adapters/SHIM.md).
using Conformance.Adapters.Stdio;
using Conformance.Reports.Model;
using Conformance.Reports.Writers;
using Conformance.Suite.Core;
using Conformance.Suite.Vectors;
using Conformance.Suite.Vectors.Shim;

namespace Conformance.Cli.Commands;

internal static class VectorRunCommand
{
    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel)
    {
        var a = new Args(args, new HashSet<string> { "vectors" });
        a.Flag("vectors");
        var targetText = a.Get("target") ?? throw new UsageException("run --vectors needs --target \"stdio:COMMAND ARGS\" (the shim to test; adapters/SHIM.md)");
        var filter = a.Get("filter");
        var timeout = TimeSpan.FromMilliseconds(a.Int("timeout-ms", 2000, min: 10, max: 600_000));
        var outDir = a.Get("out") ?? Path.Combine("reports", "latest");
        var only = a.Get("vector-file");
        a.RejectUnknown();
        StdioCommand command;
        try { command = StdioCommand.Parse(targetText); }
        catch (FormatException e) { throw new UsageException($"--target: {e.Message}"); }

        IReadOnlyList<VectorTopicFile> files;
        if (only is not null)
        {
            // One file instead of the golden set: a vector `run --save-vector` wrote.
            try { files = [VectorTopicFile.Load(only)]; }
            catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
            {
                throw new UsageException($"--vector-file {only}: not a vector file ({e.Message})");
            }
        }
        else
        {
            var dir = VectorSet.DefaultDirectory();
            if (!File.Exists(Path.Combine(dir, "MANIFEST.json"))) throw new UsageException($"no golden vectors at {dir} (run from a checkout)");
            files = VectorTopicFile.LoadAll(dir);
        }
        var match = filter is null ? (_ => true) : Glob.Compile(filter);
        var selected = files.Select(f => (File: f, Tests: f.Tests.Where(t => match(t.Id)).ToArray())).Where(x => x.Tests.Length > 0).ToArray();
        if (selected.Length == 0) throw new UsageException($"--filter \"{filter}\" matches no vector test (IDs look like \"ltp/jcs#12\")");
        var runnable = selected.Where(x => VectorOps.Covers(x.File.File)).ToArray();
        var notRun = selected.Where(x => !VectorOps.Covers(x.File.File)).Select(x => $"{x.File.File} ({x.Tests.Length} tests)").ToArray();

        var started = DateTimeOffset.UtcNow;
        ShimSession shim;
        try { shim = await ShimSession.StartAsync(command, "conformance " + RunCommand.Version(), timeout); }
        catch (ShimUnavailableException e)
        {
            stderr.WriteLine("conformance: " + e.Message);
            return Cli.Unreachable;
        }
        var cases = new List<CaseResult>();
        await using (shim)
        {
            stdout.WriteLine($"running {runnable.Sum(x => x.Tests.Length)} vector test(s) in {runnable.Length} file(s) against {shim.Name} ({command})");
            foreach (var n in notRun) stdout.WriteLine($"  not run       {n}: no shim op for this topic yet");
            foreach (var (file, tests) in runnable)
            {
                var c = await VectorRunner.RunFileAsync(shim, file, tests, cancel);
                cases.Add(c);
                stdout.WriteLine($"  {c.Outcome.Name(),-13} {c.Id,-18} {c.DurationMs,9:0.0} ms  {c.Summary}");
            }
            await shim.ByeAsync();
        }

        var manifest = new RunManifest("conformance", RunCommand.Version(), RunCommand.Commit(), [.. selected.Select(x => x.File.Spec).Distinct()],
            [VectorRunner.Role], "stdio", command.ToString(), 0, (int)timeout.TotalMilliseconds, null, filter, shim.Name, started, DateTimeOffset.UtcNow, args)
        {
            VectorsManifestSha256 = RunCommand.VectorsManifest(),
        };
        var result = VectorReport.Build(manifest, cases, [.. selected.Select(x => x.File)], notRun);
        ReportFolder.Write(result, outDir);
        RunCommand.PrintSummary(stdout, result, outDir);
        return result.ExitCode;
    }
}
