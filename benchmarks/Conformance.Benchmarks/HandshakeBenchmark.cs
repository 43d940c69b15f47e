// LHS handshakes against their own floor, measured in the same run (issue 14):
//   lhs.bound  what one handshake cannot avoid in the model, on one thread: JCS([hello, mirror, bind, nonce]), one
//              Ed25519 sign (the edge's seal, as SealSignature.Sign makes it) and one verify (the client's check).
//   lhs.edge   handshakes/s the reference edge completes in ITS OWN process (`dotnet conformance.dll serve --spec lhs`),
//              loaded by light clients in this process over loopback WebSockets: a fresh connection per handshake,
//              hello → mirror → bind → seal → close, no flow frames. Client and edge share the machine's cores.
using System.Text.Json;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;
using Conformance.Suite.Embedded;

namespace Conformance.Benchmarks;

public static class HandshakeBenchmark
{
    /// <summary>Handshakes in flight at once against the edge process: enough to keep its cores busy on loopback.</summary>
    public const int Connections = 16;

    private const string KeyLabel = "conformance-bench/lhs-edge/v1";

    // The frames of the reference's seeded handshake #0 (vectors/lhs/seal.json, tcId 1): a real signing input.
    private const string Hello = """{"step":"hello","lri_version":"0.1","encodings":["json","cbor"],"features":["ltp","lss"],"max_frame_bytes":65536,"session":{"kind":"ephemeral","locale":"en-US"}}""";
    private const string Mirror = """{"step":"mirror","lri_version":"0.1","encoding":"json","features":["ltp","lss"],"max_frame_bytes":65536,"nonce":"n-h_v2uvOutfKg1b-jSH6pqw"}""";
    private const string Bind = """{"step":"bind","thread":"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"}""";
    private const string Nonce = "n-h_v2uvOutfKg1b-jSH6pqw";

    public static Benchmark Bound()
    {
        var key = TestKeys.FromLabel(KeyLabel);
        var hello = JsonDocument.Parse(Hello).RootElement;
        var mirror = JsonDocument.Parse(Mirror).RootElement;
        var bind = JsonDocument.Parse(Bind).RootElement;
        var check = SealSignature.Sign(key, SealSignature.Payload(hello, mirror, bind, Nonce));
        if (SealSignature.Verify(check, SealSignature.Payload(hello, mirror, bind, Nonce), key.PublicKey) is { } e)
            throw new InvalidOperationException("the bound's own seal does not verify: " + e);
        return new Benchmark
        {
            Name = "lhs.bound", Unit = "handshakes/s",
            What = "JCS([hello, mirror, bind, nonce]) + one Ed25519 sign + one verify, one thread",
            Round = d => Task.FromResult(Measure.Loop(d, _ =>
            {
                var payload = SealSignature.Payload(hello, mirror, bind, Nonce);
                return SealSignature.Verify(SealSignature.Sign(key, payload), payload, key.PublicKey) is null;
            })),
            Cleanup = () => { key.Dispose(); return ValueTask.CompletedTask; },
        };
    }

    /// <summary>The edge's model alone, no sockets: LhsServer.Step on a hello and a bind from the initial state.</summary>
    public static Benchmark Model()
    {
        var key = TestKeys.FromLabel(KeyLabel);
        var cfg = LhsServerConfig.Reference(key);
        var env = SystemEnvironment.Instance;
        return new Benchmark
        {
            Name = "lhs.model", Unit = "handshakes/s",
            What = "LhsServer.Step(hello) then Step(bind) in this process: parse, validate, negotiate, JCS, sign the seal",
            Round = d => Task.FromResult(Measure.Loop(d, _ =>
            {
                var mirror = LhsServer.Step(LhsServerState.Initial, new LhsInput.Text(Hello), cfg, env);
                var seal = LhsServer.Step(mirror.State, new LhsInput.Text(Bind), cfg, env);
                return seal.State.Phase == LhsServerPhase.Flow;
            })),
            Cleanup = () => { key.Dispose(); return ValueTask.CompletedTask; },
        };
    }

    public static async Task<(Benchmark Benchmark, ServeProcess Edge)> EdgeAsync()
    {
        var edge = await ServeProcess.StartAsync("lhs", "--key-seed", KeyLabel, "--listen", "ws://127.0.0.1:0/lhs");
        using var key = TestKeys.FromLabel(KeyLabel);
        var trusted = key.PublicKey.ToArray();
        // One full reference handshake first: the load below does not check every seal, so show the edge's are good.
        await using (var conn = await WebSocketClient.ConnectAsync(edge.Url, TimeSpan.FromSeconds(30)))
        {
            var outcome = await LhsAgent.RunAsync(conn, EmbeddedLhsClient.AgentConfig(SystemEnvironment.Instance, trusted), new LhsAgentOptions(TimeSpan.FromSeconds(30), FlowFrames: 0));
            if (!outcome.Established) throw new InvalidOperationException("a handshake with the reference edge failed: " + outcome);
        }
        var bench = new Benchmark
        {
            Name = "lhs.edge", Unit = "handshakes/s",
            What = $"the reference edge in its own process; {Connections} light clients at once in this one, a fresh loopback connection per handshake",
            Round = async duration =>
            {
                long done = 0;
                var cpu0 = edge.Cpu();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var loops = Enumerable.Range(0, Connections).Select(_ => Task.Run(async () =>
                {
                    while (clock.Elapsed < duration)
                    {
                        await LightHandshakeAsync(edge.Url);
                        Interlocked.Increment(ref done);
                    }
                })).ToArray();
                await Task.WhenAll(loops);
                var seconds = clock.Elapsed.TotalSeconds;
                edge.Account(done, edge.Cpu() - cpu0);
                return new RoundCount(done, seconds);
            },
            Cleanup = () => edge.DisposeAsync(),
        };
        return (bench, edge);
    }

    private static readonly byte[] HelloBytes = System.Text.Encoding.UTF8.GetBytes(Hello);
    private static readonly byte[] BindBytes = System.Text.Encoding.UTF8.GetBytes(Bind);

    /// <summary>
    /// The cheapest client that makes the edge do a whole handshake: a fixed hello, the mirror read, a fixed bind, the
    /// seal read (its signature is not checked here: the reference run before the rounds checked one), a normal close.
    /// Light so that the cores go to the edge, which is what is measured.
    /// </summary>
    private static async Task LightHandshakeAsync(Uri url)
    {
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(url, cts.Token);
        var buffer = new byte[4096];
        await ws.SendAsync(HelloBytes, System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
        await ExpectAsync(ws, buffer, "\"mirror\"", cts.Token);
        await ws.SendAsync(BindBytes, System.Net.WebSockets.WebSocketMessageType.Text, true, cts.Token);
        await ExpectAsync(ws, buffer, "\"seal\"", cts.Token);
        await ws.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", cts.Token);
    }

    private static async Task ExpectAsync(System.Net.WebSockets.ClientWebSocket ws, byte[] buffer, string step, CancellationToken cancel)
    {
        var n = 0;
        System.Net.WebSockets.ValueWebSocketReceiveResult r;
        do
        {
            r = await ws.ReceiveAsync(buffer.AsMemory(n), cancel);
            n += r.Count;
        } while (!r.EndOfMessage && n < buffer.Length);
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, n);
        if (!text.Contains(step, StringComparison.Ordinal)) throw new InvalidOperationException($"expected the {step} step from the reference edge, got: {text}");
    }
}
