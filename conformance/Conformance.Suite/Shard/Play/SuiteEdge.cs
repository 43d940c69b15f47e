// The suite as a Confluence Edge for a CCML node under test: the edge model over an in-memory registry that lives for
// one case (so a resumed session finds what the first connection stored). Cases bend it in narrow ways — refuse a
// chunk once, drop the connection mid-upload, answer the hello differently — and read what the node did.
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Shard;
using Conformance.Suite.Core;

namespace Conformance.Suite.Shard.Play;

public sealed class SuiteEdge
{
    public static readonly ShardEdgeConfig Config = new(ShardEdgeConfig.ReferenceVersions,
        new Dictionary<string, byte[]>
        {
            [ShardSigning.KeyId(ShardClient.NodeKey.PublicKey)] = ShardClient.NodeKey.PublicKey,
            [ShardSigning.KeyId(ShardClient.Authority.PublicKey)] = ShardClient.Authority.PublicKey,
        },
        ShardSigning.KeyId(ShardClient.Authority.PublicKey), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10));

    private readonly ConcurrentDictionary<string, (string Shard, string Header, DateTimeOffset At, Dictionary<long, byte[]> Received, bool Committed)> _sessions = new();

    /// <summary>How the suite's edge misbehaves on one connection.</summary>
    public sealed record Bend(string? HelloReply = null, long? NackOnce = null, int? DropAfterChunks = null);

    /// <summary>What the node did on one connection, as the edge model saw it.</summary>
    public sealed class Report
    {
        public List<string> Types { get; } = [];
        public List<long> Chunks { get; } = [];
        public List<ShardError> Refusals { get; } = [];
        public IReadOnlyList<string> Versions { get; set; } = [];
        public bool HeaderAccepted { get; set; }
        public bool Committed { get; set; }
        public bool Resumed { get; set; }
        public string? Ended { get; set; }
    }

    /// <summary>A new upload's connection and the first thing the node sent on it.</summary>
    public sealed record Opened(IWireConnection Conn, WireEvent First);

    /// <summary>Leftover connections closed unanswered before a new upload, at most.</summary>
    private const int MaxLeftovers = 5;

    /// <summary>
    /// The node's next new upload. A connection that opens with resume is left over from an earlier case or trace (a
    /// node resuming after the suite ended its connection): it is closed unanswered, so the node gives up on it and
    /// the next one is judged on its own. After a few in a row the last is returned, for the caller to judge.
    /// </summary>
    public static async Task<Opened> AcceptUploadAsync(CaseContext ctx)
    {
        for (var n = 0; ; n++)
        {
            var conn = await ctx.AcceptAsync() ?? throw new IutUnreachableException($"no CCML node connected within {ctx.Settings.AcceptTimeout.TotalSeconds:0} s");
            var first = await conn.ReceiveAsync(ctx.Step, ctx.Cancel);
            if (n == MaxLeftovers || first is not WireEvent.Text t || ShardMessages.Parse(t.Value).Type != "resume") return new Opened(conn, first);
            await conn.CloseAsync(1000, "not this upload");
            await ctx.ReleaseAsync(conn);
        }
    }

    public Task<Report> ServeAsync(CaseContext ctx, Opened opened, Bend? bend = null) => ServeAsync(ctx, opened.Conn, bend, opened.First);

    /// <summary>Serves one connection of the node until it closes, drops, or goes quiet for a step timeout.</summary>
    /// <param name="first">What the node already sent on <paramref name="conn"/>, read before serving it.</param>
    public async Task<Report> ServeAsync(CaseContext ctx, IWireConnection conn, Bend? bend = null, WireEvent? first = null)
    {
        bend ??= new Bend();
        var report = new Report();
        var state = ShardEdgeState.Initial;
        var nacked = false;
        while (state.Phase != EdgePhase.Closed)
        {
            var ev = first ?? await conn.ReceiveAsync(ctx.Step, ctx.Cancel);
            first = null;
            EdgeInput input;
            switch (ev)
            {
                case WireEvent.Text t:
                    var (type, j, _) = ShardMessages.Parse(t.Value);
                    report.Types.Add(type ?? "(unreadable)");
                    if (type == "hello" && ShardMessages.ReadHello(j).Hello is { } h) report.Versions = h.Versions;
                    if (type == "resume") report.Resumed = true;
                    if (type == "hello" && bend.HelloReply is { } reply)
                    {
                        // The model still takes the hello, so whatever the node does next meets a real edge state.
                        var taken = ShardEdge.Step(state, new EdgeInput.Text(t.Value), Config, Clock.Instance).State;
                        await conn.SendTextAsync(reply);
                        var bent = ShardMessages.Parse(reply);
                        if (bent.Type == "error") { await conn.CloseAsync(1000, "bent"); state = taken with { Phase = EdgePhase.Closed }; }
                        else state = taken with { Token = bent.Json.TryGetProperty("session_token", out var tok) ? tok.GetString() : taken.Token };
                        continue;
                    }
                    input = new EdgeInput.Text(t.Value);
                    break;
                case WireEvent.Binary b:
                    var (chunk, _) = ShardMessages.ReadChunk(b.Value);
                    if (chunk is not null) report.Chunks.Add(chunk.Index);
                    if (bend.DropAfterChunks is { } n && state.Chunks.Count >= n)
                    {
                        report.Ended = "dropped by the suite";
                        conn.Abort();
                        return report;
                    }
                    if (chunk is not null && bend.NackOnce == chunk.Index && !nacked)
                    {
                        nacked = true;
                        await conn.SendTextAsync(ShardMessages.Write(new JsonObject { ["type"] = "chunk_nack", ["index"] = chunk.Index, ["code"] = "shard.chunk_invalid", ["detail"] = "refused once by the suite" }));
                        continue;
                    }
                    input = new EdgeInput.Binary(b.Value);
                    break;
                case WireEvent.Timeout: report.Ended = "quiet"; return report;
                default: report.Ended = "closed by the node"; return report;
            }
            var pending = new Queue<EdgeInput>([input]);
            while (pending.TryDequeue(out var next))
            {
                var step = ShardEdge.Step(state, next, Config, Clock.Instance);
                if (step.Rejected is { } e) report.Refusals.Add(e);
                if (step.State.Phase == EdgePhase.Receiving && state.Phase != EdgePhase.Receiving) report.HeaderAccepted = true;
                state = step.State;
                foreach (var o in step.Outputs)
                {
                    switch (o)
                    {
                        case EdgeOutput.Send s: await conn.SendTextAsync(s.Text); break;
                        case EdgeOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); break;
                        case EdgeOutput.LookupShard l: pending.Enqueue(new EdgeInput.ShardLooked(new ShardFacts(l.ShardId, null, []))); break;
                        case EdgeOutput.LookupSession l:
                            pending.Enqueue(new EdgeInput.SessionLooked(_sessions.TryGetValue(l.Token, out var ss)
                                ? new SessionFacts(l.Token, ss.Header, ss.At, ss.Committed, new Dictionary<long, byte[]>(ss.Received)) : null));
                            break;
                        case EdgeOutput.OpenSession os: _sessions[os.Token] = (os.ShardId, os.HeaderJson, os.At, [], false); break;
                        case EdgeOutput.StoreChunk sc: _sessions[sc.Token].Received[sc.Index] = sc.LeafHash; break;
                        case EdgeOutput.Commit cm:
                            _sessions[cm.Token] = _sessions[cm.Token] with { Committed = true };
                            report.Committed = true;
                            pending.Enqueue(new EdgeInput.Committed("SUITE-" + cm.ShardHash[..12]));
                            break;
                    }
                }
            }
        }
        // After its verdict the edge has closed; give the node a moment to close its side.
        var last = await conn.ReceiveAsync(ctx.Step, ctx.Cancel);
        report.Ended = last is WireEvent.Closed ? "closed" : last is WireEvent.Timeout ? "quiet" : "closed by the node";
        return report;
    }

    /// <summary>The suite's edge checks auth tokens against the real clock: the node stamps them with its own.</summary>
    private sealed class Clock : Model.Env.IModelEnvironment
    {
        public static readonly Clock Instance = new();
        public DateTimeOffset Now => DateTimeOffset.UtcNow;
        public void NextBytes(Span<byte> destination) => System.Security.Cryptography.RandomNumberGenerator.Fill(destination);
    }
}
