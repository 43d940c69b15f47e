// The suite as a Confluence Edge for a CCML node under test: the edge model over an in-memory registry that lives for
// one case (so a resumed session finds what the first connection stored). Cases bend it in narrow ways — refuse a
// chunk once, drop the connection mid-upload, answer the hello differently — and read what the node did.
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

    /// <summary>The case's registry: a resumed session finds what the first connection stored.</summary>
    private readonly MemoryRegistry _registry = new();

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
                        await conn.SendTextAsync(ShardMessages.ChunkNack(chunk.Index, "refused once by the suite"));
                        continue;
                    }
                    input = new EdgeInput.Binary(b.Value);
                    break;
                case WireEvent.Timeout: report.Ended = "quiet"; return report;
                default: report.Ended = "closed by the node"; return report;
            }
            var run = ShardEdge.Run(state, input, Config, Clock.Instance, _registry);
            report.Refusals.AddRange(run.Rejections);
            if (run.Entered(state.Phase, EdgePhase.Receiving)) report.HeaderAccepted = true;
            if (run.Trail.Any(t => t.Answer is EdgeInput.Committed)) report.Committed = true;
            state = run.State;
            foreach (var o in run.Wire)
            {
                if (o is EdgeOutput.Send s) await conn.SendTextAsync(s.Text);
                else if (o is EdgeOutput.Close c) await conn.CloseAsync(c.Code, c.Reason);
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
