// The reference hosts' observation channels: each relays its own host's telemetry hooks and nothing else, even with
// several hosts in one process (the ActivitySource is process-wide).
using System.Text.Json;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;
using Conformance.Suite.Core;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Reference;

public static class ObservationTests
{
    public static Test Tests() => TestList("reference.observation",
    [
        TestCase("an edge's channel relays its own bind hook, not another edge's", async () =>
        {
            await using var a = await LhsEdge.StartAsync(new LhsEdgeOptions(new Uri("ws://127.0.0.1:0/lhs"), TestKeys.FromLabel("test/edge-a")));
            await using var b = await LhsEdge.StartAsync(new LhsEdgeOptions(new Uri("ws://127.0.0.1:0/lhs"), TestKeys.FromLabel("test/edge-b")));
            await using var watchA = await WebSocketObservations.ConnectAsync(a.ObserveUrl, TimeSpan.FromSeconds(5));
            await using var watchB = await WebSocketObservations.ConnectAsync(b.ObserveUrl, TimeSpan.FromSeconds(5));
            const string thread = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
            await Handshake(a, thread);
            bool Mine(Observation o) => o.Name == "lhs.bind" && o.Data.GetProperty("thread").GetString() == thread;
            Expect.isNotNull(await watchA.WaitForAsync(Mine, TimeSpan.FromSeconds(5), CancellationToken.None), "edge A reports its bind");
            Expect.isNull(await watchB.WaitForAsync(Mine, TimeSpan.FromMilliseconds(500), CancellationToken.None), "edge B does not report edge A's bind");
        }),
    ]);

    private static async Task Handshake(LhsEdge edge, string thread)
    {
        await using var conn = await WebSocketClient.ConnectAsync(edge.Url, TimeSpan.FromSeconds(5));
        var cfg = new LhsClientConfig("0.1", ["json"], [], 65536, thread, edge.Options.Key.PublicKey,
            Context: JsonDocument.Parse("{\"intent\":{\"type\":\"teach\"}}").RootElement.Clone());
        var step = LhsClient.Start(cfg);
        var state = step.State;
        await conn.SendTextAsync(((LhsOutput.SendText)step.Outputs[0]).Value);
        while (state.Phase is not (LhsClientPhase.Flow or LhsClientPhase.Closed))
        {
            if (await conn.ReceiveAsync(TimeSpan.FromSeconds(5)) is not WireEvent.Text t) break;
            step = LhsClient.Step(state, new LhsInput.Text(t.Value), cfg);
            state = step.State;
            foreach (var o in step.Outputs.OfType<LhsOutput.SendText>()) await conn.SendTextAsync(o.Value);
        }
        Expect.equal(state.Phase, LhsClientPhase.Flow, "handshake completed");
    }
}
