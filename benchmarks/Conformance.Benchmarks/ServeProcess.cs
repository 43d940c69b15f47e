// A reference host in its own process, `dotnet conformance.dll serve --spec S ...`, so that what is measured against it
// is the host alone and not the load generator's allocations; its CPU time and memory are read back for the report.
using System.Diagnostics;
using System.Globalization;

namespace Conformance.Benchmarks;

public sealed class ServeProcess : IAsyncDisposable
{
    private const string Listening = " listening on ";
    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Queue<string> _stderr;

    private ServeProcess(Process process, Uri url, Task stdout, Queue<string> stderr)
    {
        _process = process;
        Url = url;
        _stdout = stdout;
        _stderr = stderr;
    }

    public Uri Url { get; }
    public int Pid => _process.Id;

    public static async Task<ServeProcess> StartAsync(string spec, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(Conformance.Cli.Cli).Assembly.Location, "serve", "--spec", spec }.Concat(args)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start `dotnet conformance.dll serve --spec {spec}`");
        var stderr = new Queue<string>();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr)
            {
                stderr.Enqueue(e.Data);
                if (stderr.Count > 20) stderr.Dequeue();
            }
        };
        p.BeginErrorReadLine();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (true)
            {
                var line = await p.StandardOutput.ReadLineAsync(cts.Token)
                    ?? throw new InvalidOperationException($"serve --spec {spec} ended before listening (exit {(p.WaitForExit(2000) ? p.ExitCode : -1)})" + Tail(stderr));
                var at = line.IndexOf(Listening, StringComparison.Ordinal);
                if (at < 0) continue;
                var url = new Uri(line[(at + Listening.Length)..].Trim());
                // Keep reading stdout so the host never blocks on a full pipe.
                var drain = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is not null) { } });
                return new ServeProcess(p, url, drain, stderr);
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
    public TimeSpan Cpu() => CpuSplit() is var (user, sys) ? user + sys : default;

    /// <summary>The host's user and system CPU time so far.</summary>
    public (TimeSpan User, TimeSpan Sys) CpuSplit()
    {
        _process.Refresh();
        return (_process.UserProcessorTime, _process.PrivilegedProcessorTime);
    }

    /// <summary>VmHWM (peak resident set) and VmRSS of the host process, in kB (Linux /proc).</summary>
    public (long HwmKb, long RssKb) Status()
    {
        long hwm = 0, rss = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Field(line);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Field(line);
        }
        return (hwm, rss);

        static long Field(string line) => long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>The host's last stderr lines, for an error message.</summary>
    public string StderrTail() => Tail(_stderr);

    private static string Tail(Queue<string> lines)
    {
        lock (lines) return lines.Count == 0 ? "" : "; host stderr: " + string.Join(" | ", lines);
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await Task.WhenAny(_stdout, Task.Delay(2000));
        _process.Dispose();
    }

    // Killed: a benchmark's host holds nothing worth a clean shutdown (the Shard registry is SIGKILL-safe by design, and
    // is deleted anyway).
    private static void Stop(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        p.WaitForExit(5000);
    }
}
