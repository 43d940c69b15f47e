// suite.run: the CLI's default run (every spec and role, 200 traces each, against the embedded references) as a user
// runs it — `dotnet conformance.dll run` in its own process — timed by its wall clock, with the number of cases and
// traces it ran. No ratio: it is the figure a user waits for (the issue's target is ≤ 10 s).
using System.Diagnostics;
using System.Text.Json;

namespace Conformance.Benchmarks;

internal static class SuiteRunBenchmark
{
    /// <param name="runs">How many times the run is repeated (the best and the median are printed).</param>
    /// <param name="extra">Arguments added to `run` (e.g. --jobs 1 to compare with a sequential run).</param>
    public static async Task RunAsync(int runs, IReadOnlyList<string> extra, Action<string> log)
    {
        var cli = typeof(Conformance.Cli.Cli).Assembly.Location;
        if (!File.Exists(cli)) throw new FileNotFoundException("conformance.dll is not next to the benchmark (the ProjectReference to Conformance.Cli builds it there)", cli);
        var args = string.Join(" ", extra);
        log($"suite.run: `dotnet conformance.dll run{(args.Length > 0 ? " " + args : "")}` in its own process, {runs} time(s), wall clock from start to exit");
        var walls = new List<double>();
        (int Cases, int Traces) counted = (0, 0);
        for (var i = 0; i < runs; i++)
        {
            var outDir = Directory.CreateTempSubdirectory("conformance-bench-run-").FullName;
            try
            {
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { cli, "run", "--out", outDir }.Concat(extra)) psi.ArgumentList.Add(a);
                psi.Environment["CI"] = "true";
                var clock = Stopwatch.StartNew();
                using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start `dotnet conformance.dll run`");
                var stdout = p.StandardOutput.ReadToEndAsync();
                var stderr = p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync();
                clock.Stop();
                await Task.WhenAll(stdout, stderr);
                if (p.ExitCode != 0)
                    throw new InvalidOperationException($"the default run exited {p.ExitCode}, not 0 (Ratified): {(await stderr).Trim()} {Tail(await stdout)}");
                counted = Count(Path.Combine(outDir, "report.json"));
                walls.Add(clock.Elapsed.TotalSeconds);
                log($"  run {i + 1}: {clock.Elapsed.TotalSeconds:0.00} s wall, {counted.Cases} cases, {counted.Traces} traces, Ratified");
            }
            finally
            {
                try { Directory.Delete(outDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        var sorted = walls.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        log("");
        log($"suite.run: {counted.Cases} cases, {counted.Traces} traces, {median:0.00} s wall (median of {walls.Count}; best {sorted[0]:0.00} s, worst {sorted[^1]:0.00} s), Ratified");
    }

    /// <summary>Cases in the report, and traces: the sum of every trace case's count.</summary>
    private static (int Cases, int Traces) Count(string reportJson)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(reportJson));
        var cases = doc.RootElement.GetProperty("cases");
        var traces = 0;
        foreach (var c in cases.EnumerateArray())
            if (c.TryGetProperty("traces", out var t) && t.ValueKind == JsonValueKind.Object && t.TryGetProperty("count", out var n)) traces += n.GetInt32();
        return (cases.GetArrayLength(), traces);
    }

    private static string Tail(string s) => s.Length <= 400 ? s : "…" + s[^400..];
}
