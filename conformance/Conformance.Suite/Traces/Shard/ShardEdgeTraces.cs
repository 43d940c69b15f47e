// Property traces against a Confluence Edge: the suite plays the CCML node. Steps are the node's messages (hello,
// signed header, Merkle-proved chunks) in valid and mutated variants, plus reconnects, over one fresh shard per trace
// run, so uploads build on each other (a second version on the first, a replayed version, a stale parent). The edge
// model, fed the same messages over a shadow registry of that shard, says what the edge must answer to each.
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

    private const string Commit = "SHARD-2.3-commit", Codes = "SHARD-3-messages";

    public IReadOnlyList<string> Requirements { get; } =
        [Commit, .. ShardCatalog.Instance.Requirements.Where(r => r.Roles.Covers(IutRole.Server) && r.Id != Commit).Select(r => r.Id)];

    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["hello"] = (["empty"], ["v-unsupported", "drop-protocol_versions", "notjson"]),
        ["header"] = ([], ["bad-sig", "wrong-key", "bad-auth", "tampered-root", "stale", "bad-parent", "conflict", "drop-merkle_root", "other-token",
            "bad-version-id", "bad-provenance", "hash-version"]),
        ["chunk"] = ([], ["tampered", "bad-proof", "short", "neg-index", "huge-index"]),
        ["all"] = ([], []),
        ["resume"] = ([], ["unknown"]),
        ["reconnect"] = ([], []),
    }, maxN: Chunks - 1);

    /// <summary>Every upload is 3000 bytes in chunks of 1024: three chunks.</summary>
    private const int Size = 3000, ChunkSize = 1024, Chunks = 3;

    private static int _runs;

    /// <summary>Where a valid upload would be (0 hello, 1 header, 2 chunks), and whether a version may be in the registry by now.</summary>
    private readonly record struct Upload(int Phase, bool Committed);

    /// <summary>
    /// Two to ten steps: mostly the next step of an upload (valid, or a header built on the wrong version once one may
    /// be committed), sometimes a broken message after which the connection usually ends; now and then a reconnect.
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Choose(2, 10), new Upload(0, false), (u, count) =>
        from reconnect in TraceGen.Chance(count > 0 ? 8 : 0)
        from regular in TraceGen.Chance(72)
        from move in reconnect ? Gen.Constant(new Move<Upload>([new("reconnect")], u with { Phase = 0 })) : regular ? Next(u) : Broken(u)
        select move);

    private static Gen<Move<Upload>> Next(Upload u) => u.Phase switch
    {
        0 => from empty in TraceGen.Chance(10)
             select new Move<Upload>([new("hello", empty ? "empty" : "")], u with { Phase = 1 }),
        // Once a version may be in the registry, the next header often builds on the wrong one.
        // The header is where most of the edge's checks are: it is often broken, right after a good hello.
        1 => from wrongBase in TraceGen.Chance(u.Committed ? 40 : 0)
             from broken in TraceGen.Chance(35)
             from variant in wrongBase ? Gen.Elements("conflict", "bad-parent") : broken ? Gen.Elements(Variants.Invalid("header")) : Gen.Constant("")
             select new Move<Upload>([new("header", variant)], u with { Phase = 2 }),
        _ => from pick in Gen.Choose(0, 99)
             from n in Gen.Choose(0, Chunks - 1)
             select pick switch
             {
                 < 15 => new Move<Upload>([new("resume")], u),
                 // A drop mid-upload: nothing may be committed (§4.3), and the same version can be sent again.
                 < 30 => new Move<Upload>([new("reconnect")], u with { Phase = 0 }),
                 < 70 => new Move<Upload>([new("all"), new("reconnect")], new Upload(0, true)),
                 _ => new Move<Upload>([new("chunk", "", n)], u),
             },
    };

    private static Gen<Move<Upload>> Broken(Upload u) =>
        from kind in Gen.Elements("hello", "header", "header", "chunk", "resume")
        from variant in Gen.Elements(Variants.Invalid(kind))
        from n in kind == "chunk" ? Gen.Choose(0, Chunks - 1) : Gen.Constant(0)
        // Some broken headers only show at the end (a hash-based version id of another tree): carry on to it.
        from toEnd in TraceGen.Chance(kind == "header" ? 50 : 0)
        from stop in TraceGen.Chance(40)
        select new Move<Upload>([new(kind, variant, n), .. Steps(toEnd, "all"), .. Steps(!stop, "reconnect")], u with { Phase = 0 }, stop);

    private static TraceStep[] Steps(bool when, string kind) => when ? [new(kind)] : [];

    public IEnumerable<TraceStep> Simpler(TraceStep s)
    {
        if (s.Variant.Length > 0) yield return s with { Variant = "" };
        // The smallest upload: an empty shard (announced in the hello's manifest) commits at its header.
        if (s is { Kind: "hello", Variant: "" }) yield return s with { Variant = "empty" };
        if (s.N != 0) yield return s with { N = 0 };
    }

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    public async Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps)
    {
        // A fresh shard per run of a trace: shrinking reruns a trace many times against the same registry. A seeded
        // edge started for this one trace has an empty registry, and the same name makes its replay the same bytes.
        var shard = ctx.Server is ISeededIut ? "shard-trace" : $"shard-{ctx.Settings.RunId}-trace-{Interlocked.Increment(ref _runs)}";
        var run = new Run(ctx, checks, shard);
        foreach (var step in steps)
        {
            if (checks.AnyFailed) return;
            if (step.Kind == "reconnect") { await run.ReconnectAsync(); continue; }
            // A resume is a new connection that picks the last session up again (§4.3).
            if (step.Kind == "resume") await run.ReconnectAsync();
            if (step.Kind == "all")
            {
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
        private string? _canonical;
        private readonly List<RegistryVersion> _versions = [];
        /// <summary>What auth tokens are stamped with and the shadow edge reads: the edge's own clock when it is seeded.</summary>
        private readonly IModelEnvironment _clock = SuiteClock.For(ctx.Server);
        /// <summary>The sessions the edge opened for this trace, as the edge must remember them for resume.</summary>
        private readonly Dictionary<string, (string Header, DateTimeOffset At, bool Committed, Dictionary<long, byte[]> Received)> _sessions = [];
        private string? _lastSession;
        private int _announced = Size;

        public async Task ReconnectAsync()
        {
            if (_c is not null) await ctx.ReleaseAsync(_c.Conn);
            _c = await ShardClient.ConnectAsync(ctx);
            _shadow = ShardEdgeState.Initial;
            _closed = false;
            _token = "";
        }

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
            var (sends, rejected, closes) = Drive(input);
            foreach (var expected in sends) await JudgeAsync(step, expected, rejected);
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
                "conflict" when _canonical is not null => _canonical,
                "bad-version-id" => $"version-{_versions.Count + 1}",
                // A hash-based id of some other tree head: the header is fine, the final hash cannot match.
                "hash-version" => VersionIds.ForRoot(ctx.Env.NextBytes(32)),
                _ => $"v{_versions.Count + 1}.0.0",
            };
            var parent = variant == "bad-parent" ? "v0.0.1" : variant == "conflict" ? _versions.FirstOrDefault(v => v.VersionId == _canonical)?.Previous : _canonical;
            _payload = Payload.Random(n => ctx.Env.NextBytes(n), shard, version, parent, ChunkSize, _announced);
            // Another session's token: an earlier one of this trace when there is one (a replay), else a made-up one.
            var token = variant == "other-token" ? _lastSession ?? "EDGE-SESSION-not-this-one" : _token;
            var key = variant == "wrong-key" ? ShardClient.Stranger : ShardClient.NodeKey;
            var issued = _clock.Now - (variant == "stale" ? TimeSpan.FromHours(2) : TimeSpan.Zero);
            var h = ShardNode.Header(key, _payload.Upload, token, issued);
            switch (variant)
            {
                case "bad-sig":
                    var sig = h["signatures"]![0]!["signature"]!.GetValue<string>();
                    h["signatures"]![0]!["signature"] = Flipped(sig);
                    return h;
                case "drop-merkle_root": h.Remove("merkle_root"); return Resigned(h);
                case "tampered-root": h["merkle_root"] = Convert.ToHexStringLower(new byte[32]); return Resigned(h);
                case "bad-auth": h["auth_token"]!["signature"] = Flipped(h["auth_token"]!["signature"]!.GetValue<string>()); return Resigned(h);
                case "bad-provenance":
                    h["provenance_chain"]![0]!["signature"] = Flipped(h["provenance_chain"]![0]!["signature"]!.GetValue<string>());
                    return Resigned(h);
                default: return h;
            }
        }

        private static string Flipped(string s) => (s[0] == 'A' ? "B" : "A") + s[1..];

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

        /// <summary>The edge model on this input, its registry lookups and commit answered from the shadow registry.</summary>
        private (List<string> Sends, ShardError? Rejected, bool Closes) Drive(EdgeInput input)
        {
            var sends = new List<string>();
            ShardError? rejected = null;
            var closes = false;
            var pending = new Queue<EdgeInput>([input]);
            while (pending.TryDequeue(out var next))
            {
                var step = ShardEdge.Step(_shadow, next, SuiteEdge.Config, _clock);
                _shadow = step.State;
                rejected ??= step.Rejected;
                foreach (var o in step.Outputs)
                    switch (o)
                    {
                        case EdgeOutput.Send s: sends.Add(s.Text); break;
                        case EdgeOutput.Close: closes = true; break;
                        case EdgeOutput.LookupShard: pending.Enqueue(new EdgeInput.ShardLooked(new ShardFacts(shard, _canonical, [.. _versions]))); break;
                        case EdgeOutput.LookupSession l:
                            pending.Enqueue(new EdgeInput.SessionLooked(_sessions.TryGetValue(l.Token, out var f)
                                ? new SessionFacts(l.Token, f.Header, f.At, f.Committed, f.Received) : null));
                            break;
                        case EdgeOutput.OpenSession opened:
                            _sessions[opened.Token] = (opened.HeaderJson, opened.At, false, []);
                            _lastSession = opened.Token;
                            break;
                        case EdgeOutput.StoreChunk sc when _sessions.TryGetValue(sc.Token, out var open): open.Received[sc.Index] = sc.LeafHash; break;
                        case EdgeOutput.Commit c when c.ExpectedParent == _canonical:
                            if (_sessions.TryGetValue(c.Token, out var done)) _sessions[c.Token] = done with { Committed = true };
                            _versions.Add(new RegistryVersion(c.VersionId, "active", _canonical, "shadow", c.ShardHash));
                            _canonical = c.VersionId;
                            pending.Enqueue(new EdgeInput.Committed("shadow"));
                            break;
                        case EdgeOutput.Commit: pending.Enqueue(new EdgeInput.CommitRefused("the canonical version moved")); break;
                    }
            }
            return (sends, rejected, closes);
        }

        private async Task JudgeAsync(TraceStep step, string expectedText, ShardError? rejected)
        {
            var (type, json, _) = ShardMessages.Parse(expectedText);
            var r = await _c!.NextAsync();
            var requirement = rejected?.Rule ?? (type == "commit_ack" ? Commit : step.Kind switch
            {
                "hello" => "SHARD-2.1-negotiation", "chunk" => "SHARD-4.2-chunk-proof", "resume" => "SHARD-4.3-resume", _ => Commit,
            });
            var code = type is "error" or "chunk_nack" && json.TryGetProperty("code", out var c) ? c.GetString() : null;
            var want = code is null ? $"{type}" : $"{type} {code}";
            if (!checks.Expect(requirement, r.Type == type, $"after {step}: {want}", r.Describe(), r.Silent)) return;
            if (code is not null) checks.Expect(Codes, r.Code == code, $"code {code}", $"code {r.Code}");
            // What the model fixes besides the type (chosen version, counts, indexes, the committed version) must match;
            // what the edge picks itself (tokens, registry ids, wording) need not.
            foreach (var (name, value) in json.EnumerateObject().Select(m => (m.Name, m.Value)))
            {
                if (name is "type" or "code" or "detail" or "session_token" or "registry_id") continue;
                var got = r.Json.TryGetProperty(name, out var v) ? v.GetRawText() : "(absent)";
                var fieldRule = name == "chosen_protocol" ? "SHARD-2.1-negotiation" : requirement;
                if (!checks.Expect(fieldRule, got == value.GetRawText(), $"{type}.{name} = {value.GetRawText()}", $"{type}.{name} = {got}")) return;
            }
            if (type == "hello_ack" && r.Str("session_token") is { } token)
            {
                // The IUT's own session token is what the rest of the session must carry.
                _token = token;
                _shadow = _shadow with { Token = token };
            }
            if (type == "commit_ack") checks.Expect(Commit, r.Str("registry_id") is { Length: > 0 }, "commit_ack with a registry_id", r.Describe());
        }
    }
}
