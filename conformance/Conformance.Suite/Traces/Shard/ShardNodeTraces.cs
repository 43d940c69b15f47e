// Property traces against a CCML node: the suite plays the Confluence Edge. The node IUT opens each trace with its
// hello; the steps are the edge's answers (hello-ack choosing an offered or unoffered version, header-ack, resume-ack,
// errors, stray text) in valid and mutated variants, plus conditions armed on the chunk stream (refuse chunk i once,
// drop the connection after k chunks). The edge model judges everything the node sends (hello, header, chunk proofs,
// resume) and gives the valid answers; the node model, on a shadow of the node built from what it sent, says what the
// node must send next — a header, a chunk again, only the missing chunks — or that it must close and send nothing.
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;
using Conformance.Suite.Shard;
using Conformance.Suite.Shard.Play;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces.Shard;

public sealed class ShardNodeTraces : ITraceProtocol
{
    public static readonly ShardNodeTraces Instance = new();

    public string Spec => ShardCatalog.Spec;
    public IutRole Role => IutRole.Client;
    public string CaseId => "SHARD-N-traces";
    public string Section => "§2–§4";
    public Catalog Catalog => ShardCatalog.Instance;

    private const string Negotiation = ShardRules.Negotiation, HeaderSent = "SHARD-2.2-header-sent", ChunksSent = "SHARD-4.2-chunks-sent";
    private const string Resend = "SHARD-4.2-resend", NodeResume = "SHARD-4.3-node-resume";

    public IReadOnlyList<string> Requirements { get; } = [Negotiation, HeaderSent, ChunksSent, Resend, NodeResume];

    /// <summary>Chunk numbers in steps are taken modulo the node's chunk count.</summary>
    private const int MaxN = 7;

    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["hello-ack"] = (["other"], ["unoffered", "no-token", "notjson"]),
        ["header-ack"] = ([], []),
        // Armed: the next arrival of chunk N is answered with chunk_nack. "range" is sent at once, outside the chunks.
        ["nack"] = ([], ["range"]),
        // Armed: the connection is dropped when a chunk arrives and the edge holds N (modulo the chunk count) of them.
        ["drop"] = ([], []),
        ["resume-ack"] = ([], ["unknown", "no-received"]),
        ["error"] = (["version", "rebase"], []),
        ["text"] = ([], ["garbage", "unknown", "commit", "hello-ack"]),
    }, maxN: MaxN);

    /// <summary>The most chunks a shadow node is built for (the reference uploads 5): a bigger upload ends the trace unjudged.</summary>
    private const long MaxChunks = 4096;

    /// <summary>Where the upload is: the hello's answer next, the header's, the chunk stream, or the answer to a resume.</summary>
    private enum Upload { Hello, Header, Chunks, Resumed }

    /// <summary>
    /// The edge's answers in upload order. The hello's or the header's answer may be broken (an unoffered version, an
    /// error, stray text), which ends the upload and the trace; refusals are armed on the chunk stream; after a drop
    /// mid-upload, the answer to the node's resume.
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Constant(8), Upload.Hello, (u, _) => u switch
    {
        Upload.Hello =>
            from broken in TraceGen.Chance(20)
            from ack in TraceGen.Chance(60)
            from other in TraceGen.Chance(25)
            from step in !broken ? Gen.Constant(new TraceStep("hello-ack", other ? "other" : ""))
                : ack ? Gen.Elements(Variants.Invalid("hello-ack")).Select(v => new TraceStep("hello-ack", v)) : Stray
            select new Move<Upload>([step], Upload.Header, broken),
        Upload.Header =>
            from broken in TraceGen.Chance(15)
            from stray in Stray
            from before in Maybe(30, Nack)
            from after in Maybe(40, Nack)
            select broken ? new Move<Upload>([stray], u, true) : new Move<Upload>([.. before, new("header-ack"), .. after], Upload.Chunks),
        Upload.Chunks =>
            from drop in TraceGen.Chance(45)
            from n in Gen.Choose(0, MaxN)
            select new Move<Upload>(drop ? [new("drop", "", n)] : [], Upload.Resumed, !drop),
        _ =>
            from answer in TraceGen.Chance(80)
            from nack in Maybe(25, Nack)
            from plain in TraceGen.Chance(75)
            from ack in TraceGen.Chance(60)
            from step in plain ? Gen.Constant(new TraceStep("resume-ack"))
                : ack ? Gen.Elements(Variants.Invalid("resume-ack")).Select(v => new TraceStep("resume-ack", v)) : Stray
            select new Move<Upload>(answer ? [.. nack, step] : [], u, true),
    });

    /// <summary>A refusal of chunk N (modulo the chunk count) the next time it arrives.</summary>
    private static Gen<TraceStep> Nack => Gen.Choose(0, MaxN).Select(n => new TraceStep("nack", "", n));

    private static Gen<TraceStep[]> Maybe(int percent, Gen<TraceStep> step) =>
        from yes in TraceGen.Chance(percent)
        from s in step
        select yes ? new[] { s } : [];

    /// <summary>An answer the node does not expect where it is: an error, stray text, a chunk_nack out of range.</summary>
    private static Gen<TraceStep> Stray => Gen.OneOf(
        Gen.Elements("", "version", "rebase").Select(v => new TraceStep("error", v)),
        Gen.Elements(Variants.Invalid("text")).Select(v => new TraceStep("text", v)),
        Gen.Choose(0, MaxN).Select(n => new TraceStep("nack", "range", n)));

    public IEnumerable<TraceStep> Simpler(TraceStep s) => TraceVariants.Simpler(s);

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    public Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps) => new Play(ctx, checks).RunAsync(steps);

    /// <summary>One trace: the suite's edge on the node's connections, the node's shadow, and what the node still owes.</summary>
    private sealed class Play(CaseContext ctx, Checks checks)
    {
        private static readonly IModelEnvironment EdgeEnv = SystemEnvironment.Instance;
        private static readonly ShardUpload Unknown = new("?", "v0.0.0", null, 1, 1, [new byte[32]]);
        private readonly SeededEnvironment _shadowEnv = new(1, stream: "shard-node-shadow");

        private IWireConnection _conn = null!;
        private ShardEdgeState _edge = ShardEdgeState.Initial;
        /// <summary>The edge model's answers not yet sent: a valid answer step sends them.</summary>
        private readonly List<string> _pending = [];
        /// <summary>The suite edge's registry for this trace: a resumed session finds what it stored.</summary>
        private readonly MemoryRegistry _registry = new();
        /// <summary>The node came back with resume: what it sends now must be only what the edge lacks.</summary>
        private bool _resumed;

        private ShardNodeConfig _cfg = new(ShardClient.NodeKey, [], Unknown);
        private ShardNodeState _node = new(NodePhase.AwaitHelloAck);

        /// <summary>What the node must send before it waits again, each with the requirement a failure to send it breaks.</summary>
        private readonly List<(string Type, string Requirement)> _owedText = [];
        private readonly List<(long Index, string Requirement)> _owedChunks = [];
        /// <summary>Set when the node must close and send nothing more; the requirement sending something breaks.</summary>
        private string? _mustClose;

        /// <summary>Armed refusals: each N refuses the next arrival of chunk N modulo the chunk count, once.</summary>
        private readonly List<int> _nackN = [];
        private int? _dropAfter;

        public async Task RunAsync(IReadOnlyList<TraceStep> steps)
        {
            if (!await OpenAsync()) return;
            var i = 0;
            while (true)
            {
                // Conditions on the chunk stream take effect at once; an answer waits until the node owes nothing.
                for (; i < steps.Count && IsArmed(steps[i]); i++)
                {
                    if (steps[i].Kind == "nack") _nackN.Add(steps[i].N);
                    else _dropAfter = steps[i].N;
                }
                if (!await CollectAsync()) return;
                if (i == steps.Count) break;
                await AnswerAsync(steps[i++]);
            }
            // Steps used up with the upload still open: an error ends it, and the node must close.
            if (_node.Phase is not (NodePhase.Closed or NodePhase.Done) && _mustClose is null)
            {
                await SendAsync(ShardMessages.Error(new ShardError(ShardErrorCode.UnexpectedMessage, "the trace ends here", ShardRules.Order)), Context());
                await CollectAsync();
            }
        }

        private static bool IsArmed(TraceStep s) => s.Kind == "drop" || (s.Kind == "nack" && s.Variant == "");

        /// <summary>Takes the node's next new upload (closing leftover resumes) and judges its hello.</summary>
        private async Task<bool> OpenAsync()
        {
            var (conn, ev) = await SuiteEdge.AcceptUploadAsync(ctx);
            _conn = conn;
            var hello = ev is WireEvent.Text h ? h.Value : null;
            var parsed = hello is null ? default : ShardMessages.Parse(hello);
            (HelloMessage? Hello, ShardError? Error) read = parsed is ("hello", _, null) ? ShardMessages.ReadHello(parsed.Json) : (null, parsed.Error);
            if (!checks.Expect(Negotiation, read.Hello is { } ok && ok.Versions.Any(SuiteEdge.Config.Versions.Contains),
                    "a hello offering a protocol version the edge speaks", read.Hello is { } v ? $"offered [{string.Join(", ", v.Versions)}]" : $"{Describe(ev)}{(read.Error is { } e ? ": " + e : "")}",
                    ev is WireEvent.Timeout))
                return false;
            _cfg = _cfg with { Versions = read.Hello!.Versions };
            Edge(new EdgeInput.Text(hello!));
            return true;
        }

        /// <summary>Sends one answer step and works out from the node model what the node owes for it.</summary>
        private async Task AnswerAsync(TraceStep step)
        {
            var context = Context();
            // The edge model's answer to the node's last message; a step that says something else replaces it.
            var answer = _pending.ToArray();
            _pending.Clear();
            if (step.Variant == "" && answer.Length > 0 && ShardMessages.Parse(answer[0]).Type == step.Kind.Replace('-', '_'))
            {
                // With whatever the model said alongside (a commit when nothing was missing).
                foreach (var t in answer) await SendAsync(t, context);
                return;
            }
            await SendAsync(Render(step), context);
        }

        /// <summary>The requirement a wrong reaction to the next answer breaks, by where the node stands.</summary>
        private string Context() => _node.Phase switch
        {
            NodePhase.AwaitHelloAck => Negotiation,
            NodePhase.AwaitHeaderAck => HeaderSent,
            _ => _resumed ? NodeResume : ChunksSent,
        };

        private string Render(TraceStep step)
        {
            var token = _edge.Token ?? "EDGE-SESSION-suite";
            switch (step.Kind)
            {
                case "hello-ack":
                    if (step.Variant == "notjson") return "{\"type\":\"hello_ack\",";
                    var offered = _cfg.Versions;
                    var chosen = step.Variant switch
                    {
                        "unoffered" => "9.9",
                        // Another version the node offered (the lowest): the node must go on with it.
                        "other" => offered.Where(SuiteEdge.Config.Versions.Contains).OrderBy(ShardEdge.VersionKey).FirstOrDefault() ?? _edge.Version ?? "2.0",
                        _ => _edge.Version ?? offered.FirstOrDefault() ?? "2.0",
                    };
                    var ack = new JsonObject { ["type"] = "hello_ack", ["chosen_protocol"] = chosen, ["session_token"] = token };
                    if (step.Variant == "no-token") ack.Remove("session_token");
                    return ShardMessages.Write(ack);
                case "header-ack":
                    return ShardMessages.Write(new JsonObject { ["type"] = "header_ack", ["session_token"] = token, ["chunk_count"] = _edge.Header?.ChunkCount ?? 1 });
                case "resume-ack":
                    if (step.Variant == "unknown") return ShardMessages.Error(new ShardError(ShardErrorCode.SessionUnknown, "no such session", ShardRules.Resume));
                    var resume = new JsonObject
                    {
                        ["type"] = "resume_ack", ["session_token"] = token, ["chunk_count"] = _edge.Header?.ChunkCount ?? 1,
                        ["received"] = new JsonArray([.. _edge.Chunks.Keys.Order().Select(k => (JsonNode)JsonValue.Create(k))]),
                    };
                    if (step.Variant == "no-received") resume.Remove("received");
                    return ShardMessages.Write(resume);
                case "nack":
                    // Outside 0..chunk_count-1: no chunk to send again.
                    return Nack((_edge.Header?.ChunkCount ?? _cfg.Upload.ChunkCount) + step.N, "the suite refuses a chunk that does not exist");
                case "error":
                    return ShardMessages.Error(step.Variant switch
                    {
                        "version" => new ShardError(ShardErrorCode.VersionUnsupported, "the suite speaks 9.9 only", ShardRules.Negotiation),
                        "rebase" => new ShardError(ShardErrorCode.RebaseRequired, "the canonical version moved", ShardRules.Rebase),
                        _ => new ShardError(ShardErrorCode.SignatureInvalid, "the suite refuses the header", ShardRules.Signatures),
                    });
                default:
                    return step.Variant switch
                    {
                        "unknown" => "{\"type\":\"x-unknown\"}",
                        "commit" => ShardMessages.Write(new JsonObject { ["type"] = "commit_ack", ["registry_id"] = "SUITE-early", ["success"] = true }),
                        "hello-ack" => ShardMessages.Write(new JsonObject { ["type"] = "hello_ack", ["chosen_protocol"] = _edge.Version ?? "2.0", ["session_token"] = token }),
                        _ => "not json at all",
                    };
            }
        }

        private static string Nack(long index, string detail) => ShardMessages.ChunkNack(index, detail);

        /// <summary>Sends one message to the node and adds what the node model says the node now owes.</summary>
        private async Task SendAsync(string text, string context)
        {
            await _conn.SendTextAsync(text);
            var step = ShardNode.Step(_node, text, _cfg, _shadowEnv);
            _node = step.State;
            foreach (var o in step.Outputs)
            {
                switch (o)
                {
                    case NodeOutput.Send s: _owedText.Add((ShardMessages.Parse(s.Text).Type ?? "?", ShardMessages.Parse(s.Text).Type == "shard_header" ? HeaderSent : context)); break;
                    case NodeOutput.SendChunk c: _owedChunks.Add((c.Index, context)); break;
                    case NodeOutput.Close: _mustClose = context; break;
                }
            }
        }

        /// <summary>
        /// Reads the node until it owes nothing: each message judged by the edge model, chunks answered as the edge
        /// answers them (or as an armed step says). False when the trace is over: a check failed or the node closed.
        /// </summary>
        private async Task<bool> CollectAsync()
        {
            while (_owedText.Count > 0 || _owedChunks.Count > 0 || _mustClose is not null)
            {
                var ev = await _conn.ReceiveAsync(ctx.Step, ctx.Cancel);
                var owed = Owed();
                switch (ev)
                {
                    case WireEvent.Text t when _mustClose is null:
                        var type = ShardMessages.Parse(t.Value).Type ?? "(unreadable)";
                        var at = _owedText.FindIndex(x => x.Type == type);
                        if (!checks.Expect(at >= 0 ? _owedText[at].Requirement : owed.Requirement, at >= 0, $"the node sends {owed.What}", $"\"{type}\"")) return false;
                        var requirement = _owedText[at].Requirement;
                        _owedText.RemoveAt(at);
                        if (!OnText(type, t.Value, requirement)) return false;
                        break;
                    case WireEvent.Binary b when _mustClose is null:
                        if (!await OnChunkAsync(b.Value, owed)) return false;
                        break;
                    case WireEvent.Text or WireEvent.Binary:
                        checks.Expect(_mustClose!, false, "the node closes and sends nothing more", "it sent " + Describe(ev));
                        return false;
                    case WireEvent.Closed:
                        return checks.Expect(_mustClose ?? owed.Requirement, _mustClose is not null, $"the node sends {owed.What}", "it closed the connection") && false;
                    case WireEvent.Timeout when _mustClose is not null:
                        // Quiet is not sending: the node may keep its side open; the trace ends here.
                        return false;
                    default:
                        checks.Expect(owed.Requirement, false, $"the node sends {owed.What}", Describe(ev), ev is WireEvent.Timeout);
                        return false;
                }
            }
            return true;
        }

        private (string Requirement, string What) Owed() =>
            _owedText.Count > 0 ? (_owedText[0].Requirement, string.Join(" and ", _owedText.Select(x => x.Type)))
            : _owedChunks.Count > 0 ? (_owedChunks[0].Requirement, $"chunk(s) {string.Join(",", _owedChunks.Select(x => x.Index).Order())}")
            : (_mustClose ?? Context(), "nothing more");

        private bool OnText(string type, string text, string requirement)
        {
            var step = Edge(new EdgeInput.Text(text));
            if (!checks.Expect(requirement, step.Rejected is null, $"a {type} the edge model accepts", step.Rejected?.ToString() ?? "accepted")) return false;
            if (type != "shard_header" || _edge.Header is not { } h) return true;
            if (h.ChunkCount > MaxChunks) return false;
            // The shadow node uploads what its header declares.
            var leaf = new byte[32];
            _cfg = _cfg with { Upload = new ShardUpload(h.ShardId, h.VersionId, h.Parent, h.ChunkSize, h.Size, [.. Enumerable.Repeat(leaf, (int)h.ChunkCount)]) };
            return true;
        }

        private async Task<bool> OnChunkAsync(byte[] frame, (string Requirement, string What) owed)
        {
            var (chunk, _) = ShardMessages.ReadChunk(frame);
            var index = chunk?.Index ?? -1;
            var at = _owedChunks.FindIndex(x => x.Index == index);
            if (!checks.Expect(at >= 0 ? _owedChunks[at].Requirement : owed.Requirement, at >= 0, $"the node sends {owed.What}",
                    chunk is null ? "an unreadable chunk frame" : $"chunk {index}"))
                return false;
            var requirement = _owedChunks[at].Requirement;
            _owedChunks.RemoveAt(at);
            if (_dropAfter is { } k && _edge.Header is { ChunkCount: > 0 } dh && _edge.Chunks.Count >= k % dh.ChunkCount)
            {
                _dropAfter = null;
                return await ReconnectAsync();
            }
            // Judged by the edge model even when the suite refuses it anyway.
            var judged = ShardEdge.Step(_edge, new EdgeInput.Binary(frame), SuiteEdge.Config, EdgeEnv);
            if (!checks.Expect(requirement == Resend ? Resend : ChunksSent, judged.Rejected is null, $"chunk {index} as the edge model accepts it (its proof into merkle_root)",
                    judged.Rejected?.ToString() ?? "accepted"))
                return false;
            var n = _nackN.FindIndex(x => _edge.Header is { ChunkCount: > 0 } nh && x % nh.ChunkCount == index);
            if (n >= 0)
            {
                _nackN.RemoveAt(n);
                await SendAsync(Nack(index, "refused once by the suite"), Resend);
                return true;
            }
            var step = Edge(new EdgeInput.Binary(frame));
            foreach (var t in _pending.ToArray()) await SendAsync(t, requirement);
            _pending.Clear();
            return step.Rejected is null;
        }

        /// <summary>Drops the connection; the node must come back with resume and its session token.</summary>
        private async Task<bool> ReconnectAsync()
        {
            _conn.Abort();
            await ctx.ReleaseAsync(_conn);
            var session = _edge.Token!;
            _owedText.Clear();
            _owedChunks.Clear();
            var conn = await ctx.AcceptAsync();
            if (!checks.Expect(NodeResume, conn is not null, "the node reconnects after the drop", "no connection within the accept timeout", true)) return false;
            _conn = conn!;
            var ev = await _conn.ReceiveAsync(ctx.Step, ctx.Cancel);
            var parsed = ev is WireEvent.Text t ? ShardMessages.Parse(t.Value) : default;
            var token = parsed.Type == "resume" ? ShardMessages.ReadString(parsed.Json, "resume", "session_token").Value : null;
            if (!checks.Expect(NodeResume, token == session, "the new connection opens with resume and the session token",
                    parsed.Type == "resume" ? $"resume with {token ?? "no session_token"}" : Describe(ev), ev is WireEvent.Timeout))
                return false;
            _edge = ShardEdgeState.Initial;
            _pending.Clear();
            var step = Edge(new EdgeInput.Text(((WireEvent.Text)ev).Value));
            if (!checks.Expect(NodeResume, step.Rejected is null, "a resume the edge model accepts", step.Rejected?.ToString() ?? "accepted")) return false;
            _resumed = true;
            _node = ShardNode.Start(_cfg, _shadowEnv, token).State;
            return true;
        }

        /// <summary>Feeds the edge model over this trace's registry; its messages wait in <see cref="_pending"/>.</summary>
        private EdgeRun Edge(EdgeInput input)
        {
            var run = ShardEdge.Run(_edge, input, SuiteEdge.Config, EdgeEnv, _registry);
            _edge = run.State;
            _pending.AddRange(run.Sent);
            return run;
        }

        private static string Describe(WireEvent ev) => ev switch
        {
            WireEvent.Text t => $"text \"{(t.Value.Length <= 80 ? t.Value : t.Value[..80] + "…")}\"",
            WireEvent.Binary b => $"a binary frame of {b.Value.Length} bytes",
            WireEvent.Closed c => $"a close ({c.Code?.ToString() ?? "no code"})",
            WireEvent.Timeout => "nothing within the step timeout",
            _ => ev.ToString(),
        };
    }
}
