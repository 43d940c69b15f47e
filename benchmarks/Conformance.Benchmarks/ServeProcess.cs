// A reference host in its own process, `dotnet conformance.dll serve --spec S ...`, so that what is measured against it
// is the host alone and not the load generator's allocations; its CPU time is read back for the report.
using System.Diagnostics;

namespace Conformance.Benchmarks;

public sealed class ServeProcess : IAsyncDisposable
{
    private const string Listening = " listening on ";
    private readonly Process _process;
    private readonly Task _stdout;

    private ServeProcess(Process process, Uri url, Task stdout)
    {
        _process = process;
        Url = url;
        _stdout = stdout;
    }

    public Uri Url { get; }

    public static async Task<ServeProcess> StartAsync(string spec, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(Conformance.Cli.Cli).Assembly.Location, "serve", "--spec", spec }.Concat(args)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start `dotnet conformance.dll serve --spec {spec}`");
        var stderr = new List<string>();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) if (stderr.Count < 20) stderr.Add(e.Data); };
        p.BeginErrorReadLine();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await p.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException($"serve --spec {spec} ended before listening: {string.Join(" | ", stderr)}");
                var at = line.IndexOf(Listening, StringComparison.Ordinal);
                if (at < 0) continue;
                var url = new Uri(line[(at + Listening.Length)..].Trim());
                // Keep reading stdout so the host never blocks on a full pipe.
                var drain = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is not null) { } });
                return new ServeProcess(p, url, drain);
            }
        }
        catch
        {
            Stop(p);
            throw;
        }
    }

    /// <summary>Operations the host served in measured rounds, and the CPU time it spent on them.</summary>
    public (long Ops, TimeSpan Cpu) Served { get; private set; }

    public void Account(long ops, TimeSpan cpu) => Served = (Served.Ops + ops, Served.Cpu + cpu);

    /// <summary>The host's CPU time so far (user + system).</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        try { await _stdout.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _process.Dispose();
    }

    // Killed: the reference hosts hold nothing here worth a clean shutdown.
    private static void Stop(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}
