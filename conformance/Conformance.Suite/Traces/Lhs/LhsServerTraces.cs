// Property traces against an LHS server IUT: the suite plays the client. Steps are the client machine's inputs to the
// server (hello, bind, flow frames, stray text) in valid and mutated variants, plus reconnects; the server model
// decides whether each one must be accepted or rejected, the client model judges each reply (mirror compatible,
// seal verifies with the IUT's key, echoes in the negotiated contract), and Rejection judges error + close.
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs;
using Conformance.Suite.Lhs.Play;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces.Lhs;

public sealed class LhsServerTraces : ITraceProtocol
{
    public static readonly LhsServerTraces Instance = new();

    public string Spec => LhsCatalog.Spec;
    public IutRole Role => IutRole.Server;
    public string CaseId => "LHS-S-traces";
    public string Section => "§1–§6";
    public Catalog Catalog => LhsCatalog.Instance;

    public IReadOnlyList<string> Requirements { get; } =
        [LhsRules.Order, .. LhsCatalog.Instance.Requirements.Where(r => r.Roles.Covers(IutRole.Server) && r.Id != LhsRules.Order).Select(r => r.Id)];

    private const string NonceUnique = "LHS-3.2-nonce-unique";

    // Variants per kind: the first list stays within what a conforming server must accept, the second breaks a rule.
    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["hello"] = (["minor", "enc-cbor", "enc-cbor-json", "feat-none", "feat-ltp", "extra"],
            ["drop-lri_version", "drop-encodings", "drop-features", "drop-max_frame_bytes", "retype-lri_version", "retype-encodings",
             "retype-features", "retype-max_frame_bytes", "major", "enc-none", "zero-frame", "notjson", "array"]),
        ["bind"] = (["ulid", "no-context"], ["thread-bad", "drop-thread", "retype-thread", "notjson"]),
        ["flow"] = (["sig", "lss", "extra"], ["wrongenc", "oversize", "short", "badlen", "nov", "nointent", "noconsent", "v2"]),
        ["text"] = ([], ["error", "mirror", "seal", "garbage", "wave"]),
        ["reconnect"] = ([], []),
    }, maxN: 1 << 20);

    private static readonly string[] Kinds = ["hello", "bind", "flow", "text"];
    private static readonly int[] FrameSizes = [64, 256, 1024, 4096];

    /// <summary>
    /// Up to nine steps. The state is what a client would send next on a valid run (0 hello, 1 bind, 2 flow): mostly
    /// that step, valid or in an allowed variant; sometimes a mutation — a broken variant, or a valid frame out of
    /// order — after which the connection most likely ends, so the trace stops or reconnects; now and then a reconnect.
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Choose(1, 9), new Conn(0, ""), (c, count) =>
        from reconnect in TraceGen.Chance(count > 0 ? 8 : 0)
        // Most rules are about flow frames under what the handshake settled: the handshake is mostly let through.
        from regular in TraceGen.Chance(c.Phase < 2 ? 80 : 60)
        from move in reconnect ? Gen.Constant(new Move<Conn>([new("reconnect")], new Conn(0, ""))) : regular ? Next(c) : Mutation(c.Phase)
        select move);

    /// <summary>What a valid run would send next (0 hello, 1 bind, 2 flow), and the variant of this connection's hello.</summary>
    private readonly record struct Conn(int Phase, string Hello);

    private static string KindAt(int phase) => phase switch { 0 => "hello", 1 => "bind", _ => "flow" };

    private static Gen<Move<Conn>> Next(Conn c)
    {
        var kind = KindAt(c.Phase);
        // After a hello that left a feature out, a flow frame often uses one anyway: what the handshake settled binds.
        var featureLess = kind == "flow" && c.Hello is "feat-none" or "feat-ltp";
        // The hello's variants (encodings, features, frame limit) decide what the rest may do: they are drawn often.
        return from plain in TraceGen.Chance(featureLess ? 20 : kind == "hello" ? 40 : 65)
               from variant in plain ? Gen.Constant("") : featureLess ? Gen.Elements("sig", "lss")
                   : kind == "hello" ? Gen.Elements([.. Variants.Valid(kind), "feat-none", "feat-none"]) : TraceGen.Pick(Variants.Valid(kind), "")
               from sized in TraceGen.Chance(25)
               from n in kind switch { "hello" => sized ? Gen.Elements(FrameSizes) : Gen.Constant(0), "flow" => Gen.Choose(0, 47), _ => Gen.Constant(0) }
               select new Move<Conn>([new(kind, variant, n)], new Conn(Math.Min(c.Phase + 1, 2), kind == "hello" ? variant : c.Hello));
    }

    /// <summary>Half the time a mutation of the step due now (a flow frame breaking what the handshake settled), else of any kind.</summary>
    private static Gen<Move<Conn>> Mutation(int phase) =>
        from due in TraceGen.Chance(50)
        from kind in due ? Gen.Constant(KindAt(phase)) : Gen.Elements(Kinds)
        from breaks in TraceGen.Chance(70)
        from variant in kind == "text" || breaks ? TraceGen.Pick(Variants.Invalid(kind), "") : Gen.Constant("")
        from n in kind == "flow" ? Gen.Choose(0, 47) : Gen.Constant(0)
        from stop in TraceGen.Chance(40)
        select new Move<Conn>(stop ? [new(kind, variant, n)] : [new(kind, variant, n), new("reconnect")], new Conn(0, ""), stop);

    public IEnumerable<TraceStep> Simpler(TraceStep s) => TraceVariants.Simpler(s);

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    public async Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps)
    {
        var oracle = LhsServerConfig.Reference(TestKeys.FromLabel("conformance-suite/oracle"));
        var env = new SeededEnvironment(0, stream: "trace-oracle");
        var nonces = new HashSet<string>();
        SuiteClient? c = null;
        LhsServerState shadow = LhsServerState.Initial;
        var closed = false;
        foreach (var step in steps)
        {
            if (checks.AnyFailed) return;
            if (step.Kind == "reconnect" || c is null)
            {
                // A connection the IUT rejected may still be under judgement (its close); the case releases it at the end.
                if (c is not null && !closed) await ctx.ReleaseAsync(c.Conn);
                c = await SuiteClient.ConnectAsync(ctx, checks);
                shadow = LhsServerState.Initial;
                closed = false;
                if (step.Kind == "reconnect") continue;
            }
            // After a rejection the connection is gone: steps up to the next reconnect have nowhere to go.
            if (closed) continue;
            var (text, binary) = Render(c, step);
            LhsInput input = text is not null ? new LhsInput.Text(text) : new LhsInput.Binary(binary!);
            var model = LhsServer.Step(shadow, input, oracle, env);
            if (model.Rejected is { } e)
            {
                if (text is not null) await c.SendAsync(text); else await c.SendAsync(binary!);
                await Rejection.Expect(ctx, checks, c.Conn, e.Rule, e);
                closed = true;
                continue;
            }
            switch (model.State.Phase, shadow.Phase)
            {
                case (LhsServerPhase.AwaitBind, LhsServerPhase.AwaitHello):
                    await c.HelloAsync(text);
                    if (!await c.ExpectMirrorAsync(encodingsMayBeUnsupported: true))
                    {
                        // No encoding is mandatory: a hello of only unsupported ones may be refused (the connection ends).
                        if (!c.RefusedUnsupportedEncodings) return;
                        closed = true;
                        continue;
                    }
                    var nonce = c.Mirror!.Nonce;
                    checks.Expect(NonceUnique, nonces.Add(nonce), "a nonce no earlier connection of this trace got", $"nonce {nonce}");
                    // The IUT's own legitimate choices (encoding, features, limit) are what flow is judged against.
                    shadow = model.State with { Mirror = c.Mirror };
                    break;
                case (LhsServerPhase.Flow, LhsServerPhase.AwaitBind):
                    await c.BindAsync(text);
                    if (!await c.ExpectSealAsync()) return;
                    shadow = model.State;
                    break;
                case (LhsServerPhase.Flow, LhsServerPhase.Flow):
                    await c.SendAsync(binary!);
                    if (!await c.ExpectFlowAcceptedAsync()) return;
                    break;
                default:
                    // The client's own error frame: the server ends the connection (nothing to judge but that it stops).
                    await c.SendAsync(text!);
                    closed = true;
                    break;
            }
        }
    }

    /// <summary>The step as a frame for this connection: text (a control frame) or binary (a flow frame under the IUT's contract).</summary>
    private static (string? Text, byte[]? Binary) Render(SuiteClient c, TraceStep s) => s.Kind switch
    {
        "hello" => (Hello(c.Config, s), null),
        "bind" => (Bind(c.Config, s), null),
        "flow" => (null, Flow(c.Contract ?? new FlowContract("json", [], 65536), s)),
        _ => (s.Variant switch
        {
            "error" => "{\"step\":\"error\",\"code\":\"lhs.invalid_frame\",\"detail\":\"trace\"}",
            "mirror" => "{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":1024,\"nonce\":\"n-trace\"}",
            "seal" => "{\"step\":\"seal\",\"session_id\":\"s\",\"signature\":\"ltp:jws:x\"}",
            "wave" => "{\"step\":\"wave\"}",
            _ => "not json at all",
        }, null),
    };

    private static string Hello(LhsClientConfig cfg, TraceStep s)
    {
        if (s.Variant == "notjson") return "{\"step\":\"hello\",";
        if (s.Variant == "array") return "[\"hello\"]";
        var o = JsonNode.Parse(cfg.HelloText())!.AsObject();
        if (s.N > 0) o["max_frame_bytes"] = s.N;
        switch (s.Variant)
        {
            case var v when v.StartsWith("drop-", StringComparison.Ordinal): o.Remove(v[5..]); break;
            case var v when v.StartsWith("retype-", StringComparison.Ordinal):
                var field = v[7..];
                o[field] = o[field] is JsonValue value && value.TryGetValue<int>(out _) ? JsonValue.Create("65536") : JsonValue.Create(7);
                break;
            case "minor": o["lri_version"] = "0.2"; break;
            case "major": o["lri_version"] = "9.0"; break;
            case "enc-cbor": o["encodings"] = new JsonArray("cbor"); break;
            case "enc-cbor-json": o["encodings"] = new JsonArray("cbor", "json"); break;
            case "enc-none": o["encodings"] = new JsonArray("x-unknown"); break;
            case "feat-none": o["features"] = new JsonArray(); break;
            case "feat-ltp": o["features"] = new JsonArray("ltp"); break;
            case "extra": o["x_trace"] = true; break;
            case "zero-frame": o["max_frame_bytes"] = 0; break;
        }
        return o.ToJsonString();
    }

    private static string Bind(LhsClientConfig cfg, TraceStep s)
    {
        if (s.Variant == "notjson") return "bind";
        var o = JsonNode.Parse(cfg.BindText())!.AsObject();
        switch (s.Variant)
        {
            case "ulid": o["thread"] = "01ARZ3NDEKTSV4RRFFQ69G5FAV"; break;
            case "no-context": o.Remove("context"); break;
            case "thread-bad": o["thread"] = "thread-1"; break;
            case "drop-thread": o.Remove("thread"); break;
            case "retype-thread": o["thread"] = 42; break;
        }
        return o.ToJsonString();
    }

    private static byte[] Flow(FlowContract contract, TraceStep s) => LhsTraceFrames.Flow(contract, s.Variant, s.N, "ping");
}
