// `conformance serve --spec X [--listen URL] [--fault NAME] [options]`: the spec's reference host (SpecModule.Serve)
// until Ctrl-C, SIGTERM or the end of the process.
using Conformance.Suite.Core;
using Conformance.Suite.Specs;

namespace Conformance.Cli.Commands;

internal static class ServeCommand
{
    private static readonly string[] SpecOptions = ["key-seed", "store"];

    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, CancellationToken cancel)
    {
        var a = new Args(args, new HashSet<string>());
        var name = a.Get("spec") ?? "lhs";
        var module = Specs.Find(name) ?? throw new UsageException($"serve: unknown spec \"{name}\" (available: {string.Join(", ", Specs.Names)})");
        var listen = a.Uri("listen", "ws") ?? new Uri($"ws://127.0.0.1:0/{name}");
        var fault = FaultsCommand.Resolve(a.Get("fault"));
        var given = SpecOptions.ToDictionary(o => o, a.Get);
        a.RejectUnknown();
        foreach (var (option, value) in given)
            if (value is not null && !module.Serve.Options.Contains(option))
                throw new UsageException($"--{option} is not an option of serve --spec {name} (it takes: {string.Join(", ", module.Serve.Options.Select(o => "--" + o))})");
        if (fault is not null && !module.Serve.Breaks(module, fault))
            throw new UsageException($"fault {fault.Name} does not break the {name} reference {module.Serve.Role.Name()} (it breaks the {fault.Spec} {fault.Side.ToString().ToLowerInvariant()})");

        ServedReference served;
        try { served = await module.Serve.StartAsync(new ServeStart(listen, fault, given["key-seed"], given["store"])); }
        catch (IOException e) { throw new UsageException($"cannot listen on {listen}: {e.Message}"); }
        await using (served.Host)
        {
            foreach (var line in served.Lines) stdout.WriteLine(line);
            if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");
            await UntilStoppedAsync(stdout, cancel);
        }
        return Cli.Ok;
    }

    private static async Task UntilStoppedAsync(TextWriter stdout, CancellationToken cancel)
    {
        stdout.Flush();
        var stop = new TaskCompletionSource();
        using var reg = cancel.Register(() => stop.TrySetResult());
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
        await stop.Task;
    }
}
