// Property traces against an LHS client: the suite plays the server. The client IUT opens each trace with its hello;
// the steps are the server's answers (mirror, seal, flow frames, stray text) in valid variants (other capabilities:
// json or cbor only, no features, a small frame limit) and mutations. The client model, on a shadow of what the IUT
// sent, says whether the IUT must accept each answer or reject it with an error frame and a close.
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs;
using Conformance.Suite.Lhs.Play;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces.Lhs;

public sealed class LhsClientTraces : ITraceProtocol
{
    public static readonly LhsClientTraces Instance = new();

    public string Spec => LhsCatalog.Spec;
    public IutRole Role => IutRole.Client;
    public string CaseId => "LHS-C-traces";
    public string Section => "§1–§6";
    public Catalog Catalog => LhsCatalog.Instance;

    public IReadOnlyList<string> Requirements { get; } =
        [LhsRules.Order, .. LhsCatalog.Instance.Requirements.Where(r => r.Roles.Covers(IutRole.Client) && r.Id != LhsRules.Order).Select(r => r.Id)];

    private static readonly TraceVariants Variants = new(new Dictionary<string, (string[] Valid, string[] Invalid)>
    {
        ["mirror"] = (["json", "cbor", "feat-none", "frame-small"], ["enc-unoffered", "drop-nonce", "feat-extra", "frame-bigger", "major", "notjson"]),
        ["seal"] = ([], ["bad-sig", "wrong-key", "no-nonce", "no-prefix", "drop-signature", "notjson"]),
        ["flow"] = (["extra"], ["wrongenc", "oversize", "badlen", "nointent", "sig"]),
        ["text"] = ([], ["garbage", "hello", "mirror"]),
    }, maxN: 1 << 20);

    /// <summary>How long the trace looks for a frame the client should not have sent before the seal.</summary>
    private static readonly TimeSpan EarlyLook = TimeSpan.FromMilliseconds(10);

    private static readonly Ed25519Signer Untrusted = TestKeys.FromLabel("conformance-suite/untrusted");

    /// <summary>
    /// The server's answers in order (state 0 mirror, 1 seal, 2 one frame in flow): each may instead be a mutation —
    /// a broken variant, or another frame in its place — which ends the connection, so the trace stops there.
    /// </summary>
    public Gen<TraceStep[]> Traces => TraceGen.Unfold(Gen.Constant(3), 0, (state, _) => state < 2 ? Answer(state == 0 ? "mirror" : "seal", state) : InFlow);

    private static Gen<Move<int>> Answer(string kind, int state) =>
        from broken in TraceGen.Chance(25)
        from other in TraceGen.Chance(20)
        from k in broken && other ? Gen.Elements("text", "flow") : Gen.Constant(kind)
        from plain in TraceGen.Chance(60)
        from variant in broken ? TraceGen.Pick(Variants.Invalid(k), "") : plain ? Gen.Constant("") : TraceGen.Pick(Variants.Valid(k), "")
        from n in broken && k == "flow" ? Gen.Choose(0, 31) : Gen.Constant(0)
        select new Move<int>([new(k, variant, n)], state + 1, broken);

    // At most one frame of the server's own in flow: a client may end the connection once it has had its answers
    // (the reference agent closes after as many flow frames as it sent), and what came after would prove nothing.
    private static Gen<Move<int>> InFlow =>
        from any in TraceGen.Chance(60)
        from text in TraceGen.Chance(20)
        from breaks in TraceGen.Chance(50)
        from plain in TraceGen.Chance(70)
        let k = text ? "text" : "flow"
        from variant in k == "text" || breaks ? TraceGen.Pick(Variants.Invalid(k), "") : Gen.Constant(plain ? "" : "extra")
        from n in k == "flow" ? Gen.Choose(0, 31) : Gen.Constant(0)
        select new Move<int>(any ? [new(k, variant, n)] : [], 3, true);

    public IEnumerable<TraceStep> Simpler(TraceStep s) => TraceVariants.Simpler(s);

    public string? Unknown(TraceStep s) => Variants.Unknown(s);

    public async Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps)
    {
        var s = await SuiteServer.AcceptAsync(ctx, checks);
        var mirror = await s.ExpectHelloAsync();
        if (mirror is null) return;
        var phase = LhsClientPhase.AwaitMirror;
        string? seal = null;
        foreach (var step in steps)
        {
            if (checks.AnyFailed) return;
            var (text, binary) = Render(s, step, mirror, seal);
            LhsInput input = text is not null ? new LhsInput.Text(text) : new LhsInput.Binary(binary!);
            var shadow = s.Shadow(phase);
            var model = LhsClient.Step(shadow, input, Oracle.ShadowConfig(shadow, SuiteServer.Key.PublicKey));
            // An accepted mirror goes out through the server state, which follows the mirror actually sent.
            if (model.Rejected is null && phase == LhsClientPhase.AwaitMirror) await s.SendMirrorAsync(text!);
            else if (text is not null) await s.SendAsync(text);
            else await s.SendAsync(binary!);
            if (model.Rejected is { } e)
            {
                var requirement = phase == LhsClientPhase.Flow ? e.Rule : ClientRules.ReceiverRequirement(e.Rule);
                await Rejection.Expect(ctx, checks, s.Conn, requirement, e, flowMayPrecede: phase == LhsClientPhase.Flow);
                return;
            }
            switch (phase)
            {
                case LhsClientPhase.AwaitMirror:
                    // The client must answer the mirror with a bind, then wait for the seal: anything already there
                    // after a short look was sent before the seal (§1 order; a quiet look proves nothing either way).
                    seal = await s.ExpectBindAsync();
                    if (seal is null) return;
                    var early = Seen.From(await s.Conn.ReceiveAsync(EarlyLook, ctx.Cancel));
                    if (!checks.Expect(LhsRules.Order, early is Seen.Silent, "nothing from the client between its bind and the seal", early.Describe())) return;
                    phase = LhsClientPhase.AwaitSeal;
                    break;
                case LhsClientPhase.AwaitSeal:
                    phase = LhsClientPhase.Flow;
                    break;
            }
        }
        // In flow with nothing more to send: the client's own frames are judged and echoed until it closes or goes quiet.
        if (phase == LhsClientPhase.Flow && !checks.AnyFailed) await s.ExpectFlowAsync(SuiteClient.FlowAccepted);
    }

    private static (string? Text, byte[]? Binary) Render(SuiteServer s, TraceStep step, string mirror, string? seal) => step.Kind switch
    {
        "mirror" => (Mirror(s, step.Variant, mirror), null),
        "seal" => (Seal(s, step.Variant, seal ?? "{\"step\":\"seal\"}"), null),
        "flow" => (null, Flow(s.Server.Mirror?.Contract ?? new FlowContract("json", [], 65536), step)),
        _ => (step.Variant switch
        {
            "hello" => s.Hello!.Json.GetRawText(),
            "mirror" => mirror,
            _ => "not json at all",
        }, null),
    };

    private static string Mirror(SuiteServer s, string variant, string mirror)
    {
        if (variant == "notjson") return "{\"step\":\"mirror\",";
        var caps = ServerCapabilities.Reference;
        var hello = s.Hello!;
        caps = variant switch
        {
            "json" when hello.Encodings.Contains("json") => caps with { Encodings = ["json"] },
            "cbor" when hello.Encodings.Contains("cbor") => caps with { Encodings = ["cbor"] },
            "feat-none" => caps with { Features = [] },
            "frame-small" => caps with { MaxFrameBytes = 1024 },
            _ => caps,
        };
        var nonce = s.Server.Mirror!.Nonce;
        var text = Negotiation.MirrorFor(hello, caps, nonce).Value ?? mirror;
        var o = JsonNode.Parse(text)!.AsObject();
        switch (variant)
        {
            case "enc-unoffered": o["encoding"] = "x-unoffered"; break;
            case "drop-nonce": o.Remove("nonce"); break;
            case "feat-extra": o["features"] = new JsonArray("ltp", "lss", "telemetry", "x-extra"); break;
            case "frame-bigger": o["max_frame_bytes"] = hello.MaxFrameBytes + 1; break;
            case "major": o["lri_version"] = "9.0"; break;
        }
        return o.ToJsonString();
    }

    private static string Seal(SuiteServer s, string variant, string seal)
    {
        if (variant == "notjson") return "{\"step\":\"seal\",";
        // A seal before any bind (a shrunk trace may send one first): out of order whatever its signature.
        if (s.Server.Bind is null) return "{\"step\":\"seal\",\"session_id\":\"s\",\"expires_at\":\"2999-01-01T00:00:00Z\",\"signature\":\"ltp:jws:x\"}";
        var o = JsonNode.Parse(seal)!.AsObject();
        var hello = s.Hello!.Json;
        var mirror = s.Server.Mirror!;
        var bind = s.Server.Bind?.Json;
        switch (variant)
        {
            case "bad-sig":
                var sig = o["signature"]!.GetValue<string>();
                o["signature"] = sig[..^2] + (sig[^2] == 'A' ? 'B' : 'A') + sig[^1];
                break;
            case "wrong-key" when bind is { } b:
                o["signature"] = SealSignature.Sign(Untrusted, SealSignature.Payload(hello, mirror.Json, b, mirror.Nonce));
                break;
            case "no-nonce" when bind is { } b:
                // Signed over the three frames without the nonce (the array JCS([hello, mirror, bind])).
                o["signature"] = SealSignature.Sign(SuiteServer.Key, Model.Ltp.Jcs.Canonicalize($"[{hello.GetRawText()},{mirror.Json.GetRawText()},{b.GetRawText()}]"));
                break;
            case "no-prefix": o["signature"] = o["signature"]!.GetValue<string>()[Model.Lhs.Seal.SignaturePrefix.Length..]; break;
            case "drop-signature": o.Remove("signature"); break;
        }
        return o.ToJsonString();
    }

    private static byte[] Flow(FlowContract contract, TraceStep s) => LhsTraceFrames.Flow(contract, s.Variant, s.N, "pong");
}
