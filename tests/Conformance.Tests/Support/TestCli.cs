// Runs the CLI in-process (fast, parallel-safe: every run has its own ports and output folder) or as a real
// process (for `serve` and `agent`, which the done-when asks to see in another process).
using System.Diagnostics;
using System.Text.Json;

namespace Conformance.Tests.Support;

public sealed record CliRun(int Exit, string Stdout, string Stderr, string OutDir)
{
    public JsonElement Report()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(OutDir, "report.json")));
        return doc.RootElement.Clone();
    }

    /// <summary>IDs of requirements whose status in report.json is "failed".</summary>
    public HashSet<string> FailedRequirements() =>
        [.. Report().GetProperty("requirements").EnumerateArray()
            .Where(r => r.GetProperty("status").GetString() == "failed").Select(r => r.GetProperty("id").GetString()!)];

    public override string ToString() => $"exit {Exit}\n--- stdout\n{Tail(Stdout)}\n--- stderr\n{Tail(Stderr)}";

    private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
}

public static class TestCli
{
    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "conformance-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>`conformance ARGS` in-process; `run` gets a fresh --out folder unless one is given.</summary>
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var outDir = "";
        if (args.Length > 0 && args[0] == "run" && !args.Contains("--out"))
        {
            outDir = TempDir("run");
            args = [.. args, "--out", outDir];
        }
        else if (args.Contains("--out")) outDir = args[Array.IndexOf(args, "--out") + 1];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await global::Conformance.Cli.Cli.MainAsync(args, stdout, stderr);
        return new CliRun(exit, stdout.ToString(), stderr.ToString(), outDir);
    }

    /// <summary>The CLI as a separate process (dotnet conformance.dll ARGS), stdout readable line by line.</summary>
    public static Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>The same with extra environment variables for the child.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = typeof(global::Conformance.Cli.Cli).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start the CLI");
    }

    /// <summary>Reads stdout lines until each prefix has been seen; returns the rest of each matching line.</summary>
    public static async Task<Dictionary<string, string>> ReadUntilAsync(Process p, TimeSpan timeout, params string[] prefixes)
    {
        var found = new Dictionary<string, string>();
        using var cts = new CancellationTokenSource(timeout);
        while (found.Count < prefixes.Length)
        {
            var line = await p.StandardOutput.ReadLineAsync(cts.Token) ?? throw new InvalidOperationException("process ended early: " + await p.StandardError.ReadToEndAsync());
            foreach (var prefix in prefixes)
                if (line.StartsWith(prefix, StringComparison.Ordinal)) found[prefix] = line[prefix.Length..].Trim();
        }
        return found;
    }

    public static void Stop(Process p)
    {
        // Safe to call twice (a test may stop a process early and again in its finally).
        try
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    /// <summary>A loopback port that was free a moment ago.</summary>
    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
