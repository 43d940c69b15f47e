// Property traces against a Confluence Edge: the suite plays the CCML node. Steps are the node's messages (hello,
// signed header, Merkle-proved chunks) in valid and mutated variants, plus reconnects, over one fresh shard per trace
// run, so uploads build on each other (a second version on the first, a replayed version, a stale parent). Beside the
// upload, on connections of their own, a trace rolls versions back and reads the registry back (registry_query), and
// may restart the edge. The edge model, fed the same messages over a shadow registry of that shard (the model's
// RegistryShard), says what the edge must answer to each, and what its registry must hold.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard;
using Conformance.Suite.Shard.Play;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces.Shard;

public sealed class ShardEdgeTraces : ITraceProtocol
{
    public static readonly ShardEdgeTraces Instance = new();

    public string Spec => ShardCatalog.Spec;
    public IutRole Role => IutRole.Server;
    public string CaseId => "SHARD-E-traces";
    public string Section => "§2–§4";
    public Catalog Catalog => ShardCatalog.Instance;

    private const string Commit = "SHARD-2.3-commit", Codes = "SHARD-3-messages", Durable = "SHARD-4.3-durable";

    public IReadOnlyList<string> Requirements { get; } =
        [Commit, .. ShardCatalog.Instance.Requirements.Where(r => r.Roles.Covers(IutRole.Server) && r.Id != Commit).Select(r => r.Id)];

    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["hello"] = (["empty"], ["v-unsupported", "drop-protocol_versions", "notjson"]),
        // On an invalidated (rolled back) parent: with the authority's override, without one, with one signed by the node.
        ["header"] = (["override"], ["bad-sig", "wrong-key", "bad-auth", "tampered-root", "stale", "bad-parent", "conflict", "drop-merkle_root", "other-token",
            "bad-version-id", "bad-provenance", "hash-version", "conflict-on-head", "invalidated", "override-node"]),
        ["chunk"] = ([], ["tampered", "bad-proof", "short", "neg-index", "huge-index"]),
        ["all"] = ([], []),
        ["resume"] = ([], ["unknown"]),
        ["reconnect"] = ([], []),
        // On a connection of its own: the canonical version (older: an active one below it), or a stranger's request,
        // a version the shard never had, one already rolled back.
        ["rollback"] = (["older"], ["unsigned", "unknown", "again"]),
        ["query"] = ([], []),
        ["restart"] = ([], []),
    }, maxN: Chunks - 1);

    /// <summary>Every upload is 3000 bytes in chunks of 1024: three chunks.</summary>
    private const int Size = 3000, ChunkSize = 1024, Chunks = 3;

    private static int _runs;

    /// <summary>
    /// Where a valid upload would be (0 hello, 1 header, 2 chunks), whether a version may be in the registry by now,
    /// whether one may have been rolled back, and whether this upload is of the empty shard (it commits at its header).
    /// </summary>
    private readonly record struct Upload(int Phase, bool Committed, bool RolledBack = false, bool Empty = false);

    /// <summary>
    /// Two to fourteen steps: mostly the next step of an upload (valid, or a header built on the wrong version once one may
    /// be committed), sometimes a broken message after which the connection usually ends; now and then a reconnect;
    /// once a version may be committed, often something done to the registry (a rollback, a read, a restart).
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Choose(2, 14), new Upload(0, false), (u, count) =>
        // Some traces start from a committed version, so what is done to the registry has steps left to happen.
        from committed in TraceGen.Chance(count == 0 ? 30 : 0)
        from reconnect in TraceGen.Chance(count > 0 ? 8 : 0)
        // Seldom mid-upload; less often once a version may be rolled back: then the next upload, on it, is the story.
        from registry in TraceGen.Chance(!u.Committed ? 3 : u.Phase == 2 ? 8 : u.RolledBack ? 15 : 45)
        from regular in TraceGen.Chance(72)
        from move in committed ? Committed()
            : reconnect ? Gen.Constant(new Move<Upload>([new("reconnect")], u with { Phase = 0 }))
            : registry ? Registry(u) : regular ? Next(u) : Broken(u)
        select move);

    /// <summary>A whole valid upload (of the empty shard, or of three chunks), then a new connection.</summary>
    private static Gen<Move<Upload>> Committed() =>
        from empty in TraceGen.Chance(65)
        select new Move<Upload>(empty ? [new("hello", "empty"), new("header"), new("reconnect")] : [new("hello"), new("header"), new("all"), new("reconnect")],
            new Upload(0, true));

    /// <summary>A rollback (mostly of the canonical version), often read back; a read alone; a restart, then a read.</summary>
    private static Gen<Move<Upload>> Registry(Upload u) =>
        from pick in Gen.Choose(0, 99)
        from broken in Gen.Elements(Variants.Invalid("rollback"))
        from read in TraceGen.Chance(60)
        select pick switch
        {
            < 45 => new Move<Upload>([new("rollback"), .. Steps(read, "query")], u with { RolledBack = u.RolledBack || u.Committed }),
            < 53 => new Move<Upload>([new("rollback", "older"), .. Steps(read, "query")], u with { RolledBack = u.RolledBack || u.Committed }),
            < 70 => new Move<Upload>([new("rollback", broken), .. Steps(read, "query")], u),
            < 90 => new Move<Upload>([new("query")], u),
            // The upload's connection goes down with the edge. (Seldom: a restart has the IUT to itself, and over stdio
            // it starts a process.)
            _ => new Move<Upload>([new("restart"), new("query")], u with { Phase = 0 }),
        };

    private static Gen<Move<Upload>> Next(Upload u) => u.Phase switch
    {
        // The empty shard is the shortest upload: the registry stories get to their point sooner.
        0 => from empty in TraceGen.Chance(25)
             select new Move<Upload>([new("hello", empty ? "empty" : "")], u with { Phase = 1, Empty = empty }),
        // Once a version may be in the registry, the next header often builds on the wrong one; once one may be rolled
        // back, often on that one (with or without the authority's override).
        // The header is where most of the edge's checks are: it is often broken, right after a good hello.
        1 => from onInvalidated in TraceGen.Chance(u.RolledBack ? 70 : 0)
             from wrongBase in TraceGen.Chance(u.Committed ? 40 : 0)
             from broken in TraceGen.Chance(35)
             from variant in onInvalidated ? Gen.Elements("override", "invalidated", "invalidated", "override-node", "override-node")
                 : wrongBase ? Gen.Elements("conflict", "conflict-on-head", "bad-parent")
                 : broken ? Gen.Elements(Unconditional("header")) : Gen.Constant("")
             // The empty shard commits at its header: often a new connection follows at once, else more on this one.
             from reconnect in TraceGen.Chance(60)
             select u.Empty && reconnect && variant is "" or "override"
                 ? new Move<Upload>([new("header", variant), new("reconnect")], u with { Phase = 0, Committed = true, Empty = false })
                 : new Move<Upload>([new("header", variant)], u with { Phase = 2 }),
        _ => from pick in Gen.Choose(0, 99)
             from n in Gen.Choose(0, Chunks - 1)
             from read in TraceGen.Chance(40)
             from drop in TraceGen.Chance(35)
             // A chunk mid-upload is sometimes tampered with or carries another's proof: refused by index, the upload goes on.
             from bad in TraceGen.Chance(25)
             from how in Gen.Elements("tampered", "bad-proof")
             select pick switch
             {
                 < 12 => new Move<Upload>([new("resume")], u),
                 // A drop mid-upload: nothing may be committed (§4.3), and the same version can be sent again.
                 < 22 => new Move<Upload>([new("reconnect"), .. Steps(read, "query")], u with { Phase = 0 }),
                 // The edge restarts mid-upload: the session must survive it (§4.3).
                 < 34 => new Move<Upload>([new("restart"), new("resume")], u),
                 < 60 => new Move<Upload>([new("all"), new("reconnect")], new Upload(0, true, u.RolledBack)),
                 // Some chunks in, the connection drops: resumed, or the registry read (nothing may be in it).
                 _ when drop => new Move<Upload>([new("chunk", "", n), .. read ? [new TraceStep("reconnect"), new("query")] : new[] { new TraceStep("resume") }],
                     read ? u with { Phase = 0 } : u),
                 _ => new Move<Upload>([new("chunk", bad ? how : "", n)], u),
             },
    };

    private static Gen<Move<Upload>> Broken(Upload u) =>
        // Mid-upload, mostly a broken chunk: that is when the edge checks one against the header's tree.
        from kind in u.Phase == 2 ? Gen.Elements("hello", "header", "chunk", "chunk", "chunk", "resume") : Gen.Elements("hello", "header", "header", "chunk", "resume")
        from variant in Gen.Elements(Unconditional(kind))
        from n in kind == "chunk" ? Gen.Choose(0, Chunks - 1) : Gen.Constant(0)
        // Some broken headers only show at the end (a hash-based version id of another tree): carry on to it.
        from toEnd in TraceGen.Chance(kind == "header" ? 50 : 0)
        from stop in TraceGen.Chance(40)
        select new Move<Upload>([new(kind, variant, n), .. Steps(toEnd, "all"), .. Steps(!stop, "reconnect")], u with { Phase = 0 }, stop);

    /// <summary>The broken variants of a kind that break a rule whatever the registry holds (the others are drawn where they do).</summary>
    private static string[] Unconditional(string kind) => [.. Variants.Invalid(kind).Except(["conflict-on-head", "invalidated", "override-node"])];

    private static TraceStep[] Steps(bool when, string kind) => when ? [new(kind)] : [];

    public IEnumerable<TraceStep> Simpler(TraceStep s)
    {
        if (s.Variant.Length > 0) yield return s with { Variant = "" };
        // The smallest upload: an empty shard (announced in the hello's manifest) commits at its header.
        if (s is { Kind: "hello", Variant: "" }) yield return s with { Variant = "empty" };
        if (s.N != 0) yield return s with { N = 0 };
    }

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    /// <summary>
    /// Why a trace's frames cannot be saved as a transcript, which holds one connection at a time: the upload's
    /// connection used again after a rollback or query went out on a connection of its own; else null. (A restart
    /// reads as a drop there: the registry and sessions outlive it in the transcript's model as they must on the edge.)
    /// </summary>
    public static string? NotTranscribable(IReadOnlyList<TraceStep> steps)
    {
        bool open = false, aside = false;
        foreach (var s in steps)
            switch (s.Kind)
            {
                case "reconnect" or "restart" or "resume": open = s.Kind == "resume"; aside = false; break;
                case "query" or "rollback": aside = open; break;
                default:
                    if (aside) return "the upload's connection goes on after a query or rollback on a connection of its own; a transcript holds one connection at a time";
                    open = true;
                    break;
            }
        return null;
    }

    public async Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps)
    {
        // A fresh shard per run of a trace: shrinking reruns a trace many times against the same registry. A seeded
        // edge started for this one trace has an empty registry, and the same name makes its replay the same bytes.
        var shard = ctx.Server is ISeededIut ? "shard-trace" : $"shard-{ctx.Settings.RunId}-trace-{Interlocked.Increment(ref _runs)}";
        // A restart drops every connection to the edge, other traces' too: a trace that restarts it runs alone.
        var restartable = ctx.Server as IRestartable;
        using var turn = restartable is null ? null : await RestartGate.For(restartable).EnterAsync(steps.Any(s => s.Kind == "restart"), ctx.Cancel);
        var run = new Run(ctx, checks, shard);
        foreach (var step in steps)
        {
            if (checks.AnyFailed) return;
            switch (step.Kind)
            {
                case "reconnect": await run.ReconnectAsync(); continue;
                case "restart": await run.RestartAsync(restartable); continue;
                case "query" or "rollback": await run.AsideAsync(step); continue;
                // A resume is a new connection that picks the last session up again (§4.3).
                case "resume": await run.ReconnectAsync(); break;
                case "all":
                    for (var i = 0; i < Chunks && !checks.AnyFailed; i++) await run.StepAsync(new TraceStep("chunk", "", i));
                    continue;
            }
            await run.StepAsync(step);
        }
    }

    /// <summary>One trace's connection, shadow edge state and shadow registry of its shard.</summary>
    private sealed class Run(CaseContext ctx, Checks checks, string shard)
    {
        private ShardClient? _c;
        private ShardEdgeState _shadow = ShardEdgeState.Initial;
        private bool _closed;
        private string _token = "";
        private Payload? _payload;
        /// <summary>The shadow registry: the model's, with the sessions the edge opened for this trace (as the edge must remember them for resume).</summary>
        private readonly MemoryRegistry _registry = new();
        /// <summary>What auth tokens are stamped with and the shadow edge reads: the edge's own clock when it is seeded.</summary>
        private readonly IModelEnvironment _clock = SuiteClock.For(ctx.Server);
        private string? _lastSession;
        private int _announced = Size;
        /// <summary>Whether the edge was restarted: what it must still know after that is durability (§4.3).</summary>
        private bool _restarted;
        /// <summary>Sessions whose connection the trace dropped mid-upload (with the chunks they held), until the edge is seen to have noticed.</summary>
        private readonly List<(string Token, int Received)> _detaching = [];

        private ShardFacts Registry => _registry.Shard(shard);
        private string? Canonical => Registry.Canonical;

        public async Task ReconnectAsync()
        {
            if (_c is not null && !_closed && _shadow is { Phase: EdgePhase.Receiving, Token: { } detached }) _detaching.Add((detached, _shadow.Chunks.Count));
            if (_c is not null) await ctx.ReleaseAsync(_c.Conn);
            _c = await ShardClient.ConnectAsync(ctx);
            _shadow = ShardEdgeState.Initial;
            _closed = false;
            _token = "";
        }

        /// <summary>
        /// Restarts the edge abruptly, the upload's connection dropping with it. An IUT the suite cannot restart is not
        /// restarted: the step is noted as skipped and what follows runs without a restart (nothing durable is judged).
        /// </summary>
        public async Task RestartAsync(IRestartable? target)
        {
            if (target is null)
            {
                ctx.Trace.Note("restart skipped: the suite cannot restart this IUT; the steps after it run on without a restart");
                return;
            }
            if (_c is not null)
            {
                _c.Conn.Abort();
                await ctx.ReleaseAsync(_c.Conn);
                _c = null;
            }
            await target.RestartAsync();
            _restarted = true;
            // The edge that saw the drops is gone (its observations with it): what it left on disk is what is read next.
            _detaching.Clear();
        }

        /// <summary>A rollback request or a registry query on a connection of its own, as the hand-written cases send them.</summary>
        public async Task AsideAsync(TraceStep step)
        {
            if (step.Kind == "query") await SettledAsync();
            var text = step.Kind == "query"
                ? ShardMessages.Write(new JsonObject { ["type"] = "registry_query", ["shard_id"] = shard })
                : ShardMessages.Write(ShardClient.RollbackRequest(shard, RollbackTarget(step.Variant), "user-initiated revert",
                    step.Variant == "unsigned" ? ShardClient.Stranger : ShardClient.NodeKey));
            var c = await ShardClient.ConnectAsync(ctx);
            await c.SendAsync(text);
            var (_, sends, rejected, _) = Drive(ShardEdgeState.Initial, new EdgeInput.Text(text));
            foreach (var expected in sends)
                if (!await JudgeAsync(c, step, expected, rejected)) break;
            await ctx.ReleaseAsync(c.Conn);
        }

        /// <summary>
        /// A drop reaches the edge after the trace has moved on: before the registry is read, wait (a step timeout at
        /// most) for the edge to report each session dropped mid-upload as detached, as the hand-written cases do; an
        /// edge that commits the part it has instead never reports it. Without an observation channel, read at once.
        /// </summary>
        private async Task SettledAsync()
        {
            if (ctx.Server?.Observations is { } seen)
                // The chunk count tells this drop of a session from an earlier one (a resumed session dropped again).
                foreach (var (token, received) in _detaching)
                    await seen.WaitForAsync(o => o.Name == Model.Shard.ShardObservations.SessionDetached && o.Data.ValueKind == JsonValueKind.Object
                        && o.Data.TryGetProperty("session_token", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == token
                        && o.Data.TryGetProperty("received", out var n) && n.ValueKind == JsonValueKind.Number && n.GetRawText() == received.ToString(CultureInfo.InvariantCulture),
                        ctx.Step, ctx.Cancel);
            _detaching.Clear();
        }

        private string RollbackTarget(string variant) => variant switch
        {
            "unknown" => "v99.0.0",
            "again" => Registry.Versions.LastOrDefault(v => v.Status == RegistryStatus.Inactive)?.VersionId ?? Canonical ?? "v1.0.0",
            "older" => Registry.Versions.LastOrDefault(v => v.Status == RegistryStatus.Active && v.VersionId != Canonical)?.VersionId ?? Canonical ?? "v1.0.0",
            _ => Canonical ?? "v1.0.0",
        };

        public async Task StepAsync(TraceStep step)
        {
            if (_c is null) await ReconnectAsync();
            if (_closed) return;
            EdgeInput input;
            switch (step.Kind)
            {
                case "hello":
                    var hello = step.Variant == "notjson" ? "{\"type\":\"hello\"," : ShardMessages.Write(Hello(step.Variant));
                    await _c!.SendAsync(hello);
                    input = new EdgeInput.Text(hello);
                    break;
                case "resume":
                    var token = step.Variant == "unknown" || _lastSession is null ? "EDGE-SESSION-never-issued" : _lastSession;
                    var resume = ShardMessages.Write(new JsonObject { ["type"] = "resume", ["session_token"] = token });
                    await _c!.SendAsync(resume);
                    input = new EdgeInput.Text(resume);
                    _token = token;
                    break;
                case "header":
                    var header = ShardMessages.Write(Header(step.Variant));
                    await _c!.SendAsync(header);
                    input = new EdgeInput.Text(header);
                    break;
                default:
                    var chunk = Chunk(step);
                    await _c!.Conn.SendBinaryAsync(chunk);
                    input = new EdgeInput.Binary(chunk);
                    break;
            }
            var (state, sends, rejected, closes) = Drive(_shadow, input);
            _shadow = state;
            foreach (var expected in sends)
                if (!await JudgeAsync(_c!, step, expected, rejected)) break;
            if (closes) _closed = true;
        }

        private JsonObject Hello(string variant)
        {
            // The header that follows must declare the size the manifest announced.
            _announced = variant == "empty" ? 0 : Size;
            var h = ShardClient.Hello(_announced, variant == "v-unsupported" ? ["9.9"] : null);
            if (variant == "drop-protocol_versions") h.Remove("protocol_versions");
            return h;
        }

        private JsonObject Header(string variant)
        {
            var version = variant switch
            {
                "conflict" or "conflict-on-head" when Canonical is not null => Canonical,
                "bad-version-id" => $"version-{Registry.Versions.Count + 1}",
                // A hash-based id of some other tree head: the header is fine, the final hash cannot match.
                "hash-version" => VersionIds.ForRoot(ctx.Env.NextBytes(32)),
                _ => $"v{Registry.Versions.Count + 1}.0.0",
            };
            var invalidated = Registry.Versions.LastOrDefault(v => v.Status == RegistryStatus.Inactive)?.VersionId;
            var parent = variant switch
            {
                "bad-parent" => "v0.0.1",
                // The canonical version again, on its own parent: conflict and rebase both apply; on itself: only the conflict.
                "conflict" => Canonical is null ? null : Registry.Versions.FirstOrDefault(v => v.VersionId == Canonical)?.Previous,
                "invalidated" or "override" or "override-node" when invalidated is not null => invalidated,
                _ => Canonical,
            };
            _payload = Payload.Random(n => ctx.Env.NextBytes(n), shard, version, parent, ChunkSize, _announced);
            // §2.4 "a strict override process": the authority's signed grant (or, broken, the node's own).
            var grant = variant is "override" or "override-node"
                ? ShardClient.Override(shard, version, parent, "restore the reviewed branch", variant == "override" ? ShardClient.Authority : ShardClient.NodeKey)
                : null;
            // Another session's token: an earlier one of this trace when there is one (a replay), else a made-up one.
            var token = variant == "other-token" ? _lastSession ?? "EDGE-SESSION-not-this-one" : _token;
            var key = variant == "wrong-key" ? ShardClient.Stranger : ShardClient.NodeKey;
            var issued = _clock.Now - (variant == "stale" ? TimeSpan.FromHours(2) : TimeSpan.Zero);
            var h = ShardNode.Header(key, _payload.Upload with { Override = grant }, token, issued);
            switch (variant)
            {
                case "bad-sig":
                    var sig = h["signatures"]![0]!["signature"]!.GetValue<string>();
                    h["signatures"]![0]!["signature"] = Tamper.FlipChar(sig, 0);
                    return h;
                case "drop-merkle_root": h.Remove("merkle_root"); return Resigned(h);
                case "tampered-root": h["merkle_root"] = Convert.ToHexStringLower(new byte[32]); return Resigned(h);
                case "bad-auth": h["auth_token"]!["signature"] = Tamper.FlipChar(h["auth_token"]!["signature"]!.GetValue<string>(), 0); return Resigned(h);
                case "bad-provenance":
                    h["provenance_chain"]![0]!["signature"] = Tamper.FlipChar(h["provenance_chain"]![0]!["signature"]!.GetValue<string>(), 0);
                    return Resigned(h);
                default: return h;
            }
        }


        /// <summary>The header signed again after an edit, so only the edited part is wrong.</summary>
        private static JsonObject Resigned(JsonObject h)
        {
            h.Remove("signatures");
            h["signatures"] = new JsonArray(new JsonObject
            {
                ["key_id"] = ShardSigning.KeyId(ShardClient.NodeKey.PublicKey),
                ["signature"] = ShardSigning.Sign(ShardClient.NodeKey, ShardSigning.Input(h)),
            });
            return h;
        }

        private byte[] Chunk(TraceStep step)
        {
            // A chunk before any header (or after an empty shard's): of a payload the edge has never heard of.
            var p = _payload is { ChunkCount: > 0 } ? _payload : _payload = Payload.Random(n => ctx.Env.NextBytes(n), shard, "v1.0.0", null, ChunkSize, Size);
            var i = Math.Clamp(step.N, 0, p.ChunkCount - 1);
            var data = p.Chunk(i).ToArray();
            var proof = p.Tree.Proof(i);
            long index = i;
            switch (step.Variant)
            {
                case "tampered": data[0] ^= 1; break;
                case "bad-proof": proof = p.Tree.Proof((i + 1) % p.ChunkCount); break;
                case "short": data = data[..^1]; break;
                case "neg-index": index = -1; break;
                case "huge-index": index = 1L << 40; break;
            }
            return ShardMessages.Chunk(_token, index, proof, data);
        }

        /// <summary>The edge model on this input from <paramref name="state"/>, its registry effects carried out on the shadow registry.</summary>
        private (ShardEdgeState State, List<string> Sends, ShardError? Rejected, bool Closes) Drive(ShardEdgeState state, EdgeInput input)
        {
            var run = ShardEdge.Run(state, input, SuiteEdge.Config, _clock, _registry);
            if (run.Trail.Select(t => t.Output).OfType<EdgeOutput.OpenSession>().LastOrDefault() is { } opened) _lastSession = opened.Token;
            return (run.State, [.. run.Sent], run.Rejected, run.Closes);
        }

        /// <summary>The IUT's next reply on <paramref name="c"/> against the model's; false once a check failed.</summary>
        private async Task<bool> JudgeAsync(ShardClient c, TraceStep step, string expectedText, ShardError? rejected)
        {
            var (type, json, _) = ShardMessages.Parse(expectedText);
            var r = await c.NextAsync();
            // A step the model refuses is judged under the rule it enforces — except that after a restart, a session the
            // edge must pick up again (resume_ack, even when a refusal follows) and its registry are durability.
            var byKind = type == "commit_ack" ? Commit : step.Kind switch
            {
                "hello" => ShardRules.Negotiation, "chunk" => ShardRules.ChunkProof, "resume" => ShardRules.Resume,
                "rollback" => ShardRules.Rollback, "query" => _restarted ? Durable : Commit, _ => Commit,
            };
            var requirement = step.Kind == "resume" && _restarted && !ShardMessages.IsRefusal(type) ? Durable : rejected?.Rule ?? byKind;
            var code = ShardMessages.IsRefusal(type) && json.TryGetProperty("code", out var cd) ? cd.GetString() : null;
            var want = code is null ? $"{type}" : $"{type} {code}";
            if (!checks.Expect(requirement, r.Type == type, $"after {step}: {want}", r.Describe(), r.Silent)) return false;
            if (code is not null) checks.Expect(Codes, r.Code == code, $"code {code}", $"code {r.Code}");
            if (type == "registry_state") return RegistryRead.Judge(checks, json, r.Json, _restarted);
            // What the model fixes besides the type (chosen version, counts, indexes, the committed version) must match;
            // what the edge picks itself (tokens, registry ids, wording) need not.
            foreach (var (name, value) in json.EnumerateObject().Select(m => (m.Name, m.Value)))
            {
                if (name is "type" or "code" or "detail" or "session_token" or "registry_id") continue;
                var got = r.Json.TryGetProperty(name, out var v) ? v.GetRawText() : "(absent)";
                var fieldRule = name == "chosen_protocol" ? "SHARD-2.1-negotiation" : requirement;
                if (!checks.Expect(fieldRule, got == value.GetRawText(), $"{type}.{name} = {value.GetRawText()}", $"{type}.{name} = {got}")) return false;
            }
            if (type == "hello_ack" && r.Str("session_token") is { } token)
            {
                // The IUT's own session token is what the rest of the session must carry.
                _token = token;
                _shadow = _shadow with { Token = token };
            }
            return type != "commit_ack" || checks.Expect(Commit, r.Str("registry_id") is { Length: > 0 }, "commit_ack with a registry_id", r.Describe());
        }
    }
}
