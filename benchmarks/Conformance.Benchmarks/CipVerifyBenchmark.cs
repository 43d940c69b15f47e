// How fast the CIP reference can take in signed envelopes, against the machine's raw Ed25519 verify rate:
//   ed25519.verify  the limit: Ed25519.Verify over a 600-byte message (what every envelope costs at least);
//   cip.verify      the model: CipEnvelopes.Parse + CipSigning.Verify (JCS, fingerprint) of INTENT and FACT_PROPOSE envelopes;
//   cip.agent       the reference agent in-process: CipAgent.Step on a stream of valid INTENTs from a handshaken peer
//                   (replay bookkeeping, composing and signing the STATE_UPDATE reply);
//   cip.agent.ws    the same agent behind CipAgentHost on a loopback WebSocket, one connection, pipelined sends.
// Inputs are built before a round's clock starts; every reply is checked so a broken setup fails instead of flattering.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Cip;

namespace Conformance.Benchmarks;

public static class CipVerifyBenchmark
{
    public const int RawMessageBytes = 600;
    private const int Connection = 1;

    /// <summary>The SeededEnvironment's fixed clock: envelopes stamped with it are always inside the agent's window.</summary>
    private static readonly DateTimeOffset Epoch = new SeededEnvironment(0).Now;

    private static readonly CipIdentity Sender = Identity("bench-peer");
    private static readonly CipIdentity AgentSelf = Identity("bench-agent");
    private static readonly Peer AgentPeer = new(AgentSelf.AgentId, AgentSelf.Fingerprint);
    /// <summary>What the peer says about itself, as the suite's peers do (CipPeer.Signal).</summary>
    private static readonly Signal PeerSignal = new(Presence.Focused, 10, [], null);

    /// <summary>The reference agent's configuration, as EmbeddedCipAgent's but with no anchors and no authority.</summary>
    private static readonly CipAgentConfig Config = new(AgentSelf, new HashSet<string>(), null, TimeSpan.FromSeconds(30));

    private static readonly string[] Topics = ["trust", "load", "routing", "knowledge", "schedule", "capacity"];

    private static CipIdentity Identity(string label) =>
        new(label, new Ed25519Signer(SHA256.HashData(Encoding.UTF8.GetBytes("conformance-benchmarks/" + label))));

    // ---- envelopes, shaped like the suite's (CipPeer.Intent, CipPeer.HelloPayload, CipWorld.Claim) -------------------

    private static string Envelope(CipType type, JsonObject payload, string msgId, DateTimeOffset timestamp) =>
        CipSigning.Sign(CipCompose.Unsigned(Sender, AgentPeer, type, payload, msgId, timestamp, TrustState.Probing.Wire(), "unknown", PeerSignal), Sender.Key);

    private static string Intent(IModelEnvironment ids, DateTimeOffset timestamp, long i) => Envelope(CipType.Intent,
        new JsonObject { ["goal"] = "ask", ["topic"] = Topics[i % Topics.Length], ["priority"] = "normal", ["context"] = "conformance probe" },
        ids.NewUuid(), timestamp);

    private static string Propose(IModelEnvironment ids, DateTimeOffset timestamp, long i)
    {
        var src = new[] { "observation:conformance", $"log:bench/{i}" };
        var payload = new JsonObject
        {
            ["fact"] = new JsonObject
            {
                ["statement"] = $"bench-peer measured throughput sample {i}", ["domain"] = "conformance", ["confidence"] = 0.9,
                ["sources"] = CipCompose.Array(src), ["context"] = "suite",
            },
            ["causal_links"] = CipCompose.Array([]),
            ["dmp_trace"] = new JsonObject
            {
                ["decision_id"] = ids.NewUuid(),
                ["steps"] = CipCompose.Array(["observe", "conclude"]),
                ["counterfactuals"] = CipCompose.Array([]),
                ["evidence"] = CipCompose.Array(src),
            },
        };
        return Envelope(CipType.FactPropose, payload, ids.NewUuid(), timestamp);
    }

    private static string Hello(IModelEnvironment ids, DateTimeOffset timestamp) => Envelope(CipType.Hello, new JsonObject
    {
        ["protocols"] = CipCompose.Array(["cip/1.0"]),
        ["capabilities"] = CipCompose.Array(["state_exchange", "knowledge_exchange", "dmp_trace"]),
        ["session_nonce"] = Convert.ToBase64String(ids.NextBytes(16)),
        ["challenge"] = Convert.ToBase64String(ids.NextBytes(32)),
        ["features"] = new JsonObject { ["supports_mesh"] = true, ["supports_multiplex"] = true },
    }, ids.NewUuid(), timestamp);

    /// <summary>Sizes printed with the results: envelope text and the JCS bytes its signature covers.</summary>
    public static string EnvelopeSizes()
    {
        var ids = new SeededEnvironment(1, stream: "sizes");
        string Describe(string name, string text)
        {
            var (e, _) = CipEnvelopes.Parse(text);
            return $"{name} {Encoding.UTF8.GetByteCount(text)} B (signed JCS {CipSigning.SigningInput(e!.Json).Length} B)";
        }
        return $"{Describe("INTENT", Intent(ids, Epoch, 0))}, {Describe("FACT_PROPOSE", Propose(ids, Epoch, 0))}, raw message {RawMessageBytes} B";
    }

    // ---- 1. the machine's limit ------------------------------------------------------------------------------------

    public static Benchmark Raw()
    {
        var message = new SeededEnvironment(2, stream: "raw").NextBytes(RawMessageBytes);
        var publicKey = Sender.Key.PublicKey;
        var signature = Sender.Key.Sign(message);
        return new Benchmark
        {
            Name = "ed25519.verify", Unit = "verifies/s",
            What = $"Ed25519.Verify(publicKey, {RawMessageBytes}-byte message, signature): the machine's limit",
            Round = d => Task.FromResult(Measure.Loop(d, _ => Ed25519.Verify(publicKey, message, signature) ? true : throw new InvalidOperationException("raw signature does not verify"))),
        };
    }

    // ---- 2. the model: parse + verify ------------------------------------------------------------------------------

    public static Benchmark Model()
    {
        var ids = new SeededEnvironment(3, stream: "model");
        // Alternating INTENT / FACT_PROPOSE, all distinct; a small pool cycled (verification keeps no state).
        var pool = Enumerable.Range(0, 128).Select(i => i % 2 == 0 ? Intent(ids, Epoch, i) : Propose(ids, Epoch, i)).ToArray();
        return new Benchmark
        {
            Name = "cip.verify", Unit = "envelopes/s",
            What = "CipEnvelopes.Parse + CipSigning.Verify of signed INTENT / FACT_PROPOSE envelopes (alternating)",
            Round = d => Task.FromResult(Measure.Loop(d, i =>
            {
                var (e, error) = CipEnvelopes.Parse(pool[i % pool.Length]);
                if (e is null) throw new InvalidOperationException("benchmark envelope does not parse: " + error);
                if (CipSigning.Verify(e) is { } bad) throw new InvalidOperationException("benchmark envelope does not verify: " + bad);
                return true;
            })),
        };
    }

    // ---- 3. the reference agent, in-process ------------------------------------------------------------------------

    public static Benchmark Agent()
    {
        // Each round starts from a fresh agent state (and a fresh clock at Epoch), so the same distinct INTENTs serve
        // every round; within a round every msg_id is new to the agent and its Seen set grows as in real use.
        var ids = new SeededEnvironment(4, stream: "agent");
        var hello = Hello(ids, Epoch);
        var pool = new List<string>();
        var peakRate = 5_000.0;
        return new Benchmark
        {
            Name = "cip.agent", Unit = "envelopes/s", SecondaryUnit = "replies/s",
            What = "CipAgent.Step: valid INTENTs from a handshaken (probing) peer, each answered by a signed STATE_UPDATE",
            Round = d =>
            {
                // Enough for the round at the best rate seen so far, with room to spare (a round that runs out ends early and says so).
                var target = (int)(peakRate * d.TotalSeconds * 1.5) + 256;
                while (pool.Count < target) pool.Add(Intent(ids, Epoch, pool.Count));
                var env = new SeededEnvironment(5, stream: "agent-env");
                var state = Handshake(hello, env);
                long replies = 0;
                var c = Measure.Loop(d, i =>
                {
                    if (i >= pool.Count) return false;
                    var step = CipAgent.Step(state, new CipInput.Message(Connection, pool[(int)i]), Config, env);
                    state = step.State;
                    foreach (var o in step.Outputs)
                    {
                        if (o is CipOutput.Send { Type: CipType.StateUpdate }) replies++;
                        else throw new InvalidOperationException($"the agent did not simply answer an INTENT: {Describe(o)}");
                    }
                    return true;
                });
                peakRate = Math.Max(peakRate, Measure.Rate(c.Ops, c.Seconds));
                return Task.FromResult(c with { Secondary = replies });
            },
        };
    }

    private static CipAgentState Handshake(string hello, IModelEnvironment env)
    {
        var step = CipAgent.Step(CipAgentState.Initial, new CipInput.Message(Connection, hello), Config, env);
        if (!step.Outputs.Any(o => o is CipOutput.Send { Type: CipType.Hello }) || step.State.TrustOf(Sender.AgentId) != TrustState.Probing)
            throw new InvalidOperationException("handshake failed: " + string.Join("; ", step.Outputs.Select(Describe)));
        return step.State;
    }

    private static string Describe(CipOutput o) => o switch
    {
        CipOutput.Observe ob => $"{ob.Name} {ob.Data.GetRawText()}",
        CipOutput.Send s => $"send {s.Type.Wire()}",
        _ => o.ToString(),
    };

    // ---- 4. the reference agent host over a loopback WebSocket -----------------------------------------------------

    public const int Window = 32;

    public static async Task<Benchmark> LoopbackAsync()
    {
        // The host uses the system clock (as deployed), so envelopes are stamped with UtcNow just before each round.
        var host = await CipAgentHost.StartAsync(new CipAgentHostOptions(new Uri("ws://127.0.0.1:0/cip"), Config));
        var conn = await WebSocketClient.ConnectAsync(host.Url, TimeSpan.FromSeconds(5));
        var ids = new SeededEnvironment(6, stream: "loopback");
        await conn.SendTextAsync(Hello(ids, DateTimeOffset.UtcNow));
        for (var k = 0; k < 2; k++) // HELLO, then the STATE_UPDATE "handshake"
            if (await conn.ReceiveAsync(TimeSpan.FromSeconds(5)) is not WireEvent.Text)
                throw new InvalidOperationException("loopback handshake: the agent did not answer the HELLO");

        long sent = 0, received = 0, bad = 0;
        string? badSample = null;
        var window = new SemaphoreSlim(Window, Window);
        var stop = new CancellationTokenSource();
        var receiver = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    switch (await conn.ReceiveAsync(TimeSpan.FromSeconds(30), stop.Token))
                    {
                        case WireEvent.Text t:
                            if (!t.Value.Contains("\"STATE_UPDATE\"") || !t.Value.Contains("\"accept\"")) { badSample ??= t.Value; Interlocked.Increment(ref bad); }
                            Interlocked.Increment(ref received);
                            window.Release();
                            break;
                        case WireEvent.Timeout: break;
                        default: return;
                    }
                }
            }
            catch (OperationCanceledException) { }
        });

        var peakRate = 5_000.0;
        long next = 0;
        return new Benchmark
        {
            Name = "cip.agent.ws", Unit = "envelopes/s", SecondaryUnit = "replies/s",
            What = $"CipAgentHost on loopback WebSocket (client and agent share this process and its cores), one connection, {Window} in flight",
            Round = async d =>
            {
                var now = DateTimeOffset.UtcNow;
                var pool = new string[(int)(peakRate * d.TotalSeconds * 1.5) + Window + 64];
                for (var i = 0; i < pool.Length; i++) pool[i] = Intent(ids, now, next++);

                var before = Volatile.Read(ref received);
                var sw = Stopwatch.StartNew();
                var n = 0;
                while (n < pool.Length)
                {
                    var left = d - sw.Elapsed;
                    if (left <= TimeSpan.Zero || !await window.WaitAsync(left)) break;
                    if (!await conn.SendTextAsync(pool[n])) throw new InvalidOperationException("loopback: send failed (connection closed?)");
                    n++;
                    Interlocked.Increment(ref sent);
                }
                var ranOut = n == pool.Length;
                while (ranOut && Volatile.Read(ref received) < Volatile.Read(ref sent) && sw.Elapsed < d) await Task.Delay(1);
                var count = Volatile.Read(ref received) - before;
                var seconds = sw.Elapsed.TotalSeconds;

                // Untimed: let the replies still in flight arrive, so the next round starts from an idle agent.
                var drain = Stopwatch.StartNew();
                while (Volatile.Read(ref received) < Volatile.Read(ref sent))
                {
                    if (drain.Elapsed > TimeSpan.FromSeconds(10))
                        throw new InvalidOperationException($"loopback: {Volatile.Read(ref sent) - Volatile.Read(ref received)} envelopes never answered (dropped by the agent?)");
                    await Task.Delay(1);
                }
                if (Interlocked.Read(ref bad) > 0) throw new InvalidOperationException("loopback: unexpected reply: " + badSample);
                peakRate = Math.Max(peakRate, Measure.Rate(count, seconds));
                return new RoundCount(count, seconds, count, ranOut);
            },
            Cleanup = async () =>
            {
                await stop.CancelAsync();
                await receiver;
                await conn.CloseAsync(1000, "benchmark done");
                await conn.DisposeAsync();
                await host.DisposeAsync();
                stop.Dispose();
                window.Dispose();
            },
        };
    }
}
