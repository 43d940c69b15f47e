// The suite against IUTs that misbehave at the transport level: silent, garbage, enormous, slamming the door.
// It must finish, report fail or timeout for the cases, never crash, never hang.
using System.Diagnostics;
using Conformance.Adapters.WebSockets;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Adapters;

public static class HostileIutTests
{
    private const string AnyKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    public static Test Tests() => TestList("adapters.hostile-iut",
    [
        TestCase("a silent server: every case fails or times out, within bounded time", () => Against(Silent, "LHS-S-happy-*,LHS-S-order-*,LHS-S-seal-*,LHS-S-nonce-fresh")),
        TestCase("a server that answers everything with garbage", () => Against(Garbage, null)),
        TestCase("a server that answers with a 20 MiB message", () => Against(Huge, "LHS-S-happy-*,LHS-S-bind-*,LHS-S-flow-*")),
        TestCase("a server that closes every connection at once", () => Against(Slam, null)),
    ]);

    private static async Task Silent(IWireConnection c)
    {
        while (await c.ReceiveAsync(TimeSpan.FromSeconds(30)) is not WireEvent.Closed) { }
    }

    private static async Task Garbage(IWireConnection c)
    {
        while (await c.ReceiveAsync(TimeSpan.FromSeconds(30)) is not WireEvent.Closed)
        {
            await c.SendTextAsync("\u0001{{not json");
            await c.SendBinaryAsync(new byte[] { 0xff, 0xff, 0xff, 0xff, 0x00 });
        }
    }

    private static async Task Huge(IWireConnection c)
    {
        if (await c.ReceiveAsync(TimeSpan.FromSeconds(30)) is WireEvent.Closed) return;
        await c.SendBinaryAsync(new byte[20 * 1024 * 1024]);
        await Silent(c);
    }

    private static Task Slam(IWireConnection c) => c.CloseAsync(1011, "go away");

    private static async Task Against(Func<IWireConnection, Task> behave, string? filter)
    {
        await using var iut = await WebSocketListener.StartAsync(new Uri("ws://127.0.0.1:0/lhs"));
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var conn = await iut.AcceptAsync(TimeSpan.FromSeconds(60), cancel: stop.Token);
                if (conn is null) continue;
                _ = Task.Run(async () => { await using (conn) await behave(conn); });
            }
        });
        var clock = Stopwatch.StartNew();
        string[] args = ["run", "--spec", "lhs", "--target", iut.Url.ToString(), "--server-key", AnyKey, "--timeout-ms", "200"];
        var r = await TestCli.RunAsync(filter is null ? args : [.. args, "--filter", filter]);
        await stop.CancelAsync();
        Expect.equal(r.Exit, 1, r.ToString());
        Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(120), "the run is bounded");
        var cases = r.Report().GetProperty("cases").EnumerateArray().ToArray();
        Expect.isTrue(cases.Length > 0, "cases ran");
        var unexpected = cases.Where(c => c.GetProperty("outcome").GetString() is not ("fail" or "timeout" or "unimplemented" or "informational"))
            .Select(c => $"{c.GetProperty("id").GetString()} {c.GetProperty("outcome").GetString()}: {c.GetProperty("summary").GetString()}").ToArray();
        Expect.isTrue(unexpected.Length == 0, "cases with outcomes other than fail/timeout/unimplemented/informational:\n" + string.Join("\n", unexpected));
    }
}
