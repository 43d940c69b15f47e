// §1 ordering, client role: the suite (as server) sends steps out of order; the client must reject them.
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static partial class S1_Transport
{
    private static readonly string[] ClientSteps = [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order"];

    public static IEnumerable<CaseDef> ClientCases() =>
    [
        Client("LHS-C-order-seal-first", "§1", "Seal before mirror", "Answers the client's hello with a seal instead of a mirror.",
            [.. ClientSteps, .. Rejects("LHS-1-order")], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var mirror = await s.ExpectHelloAsync();
                if (mirror is null) return S3_4_Seal.Stopped(s, k);
                const string seal = "{\"step\":\"seal\",\"session_id\":\"flow-early\",\"signature\":\"ltp:jws:e30..AA\"}";
                await s.SendAsync(seal);
                var expected = s.Expected(LhsClientPhase.AwaitMirror, Oracle.Text(seal));
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendMirrorAsync(mirror));
            })
            .NotOverHttp("the 101 has a slot per frame: a seal cannot come before the mirror"),
        Client("LHS-C-order-flow-first", "§1", "Flow frame before mirror", "Answers the client's hello with a JSON LCE flow frame instead of a mirror.",
            [.. ClientSteps, .. Rejects("LHS-1-order")], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var mirror = await s.ExpectHelloAsync();
                if (mirror is null) return S3_4_Seal.Stopped(s, k);
                var frame = FlowFrames.JsonPing();
                await s.SendAsync(frame);
                var expected = s.Expected(LhsClientPhase.AwaitMirror, Oracle.Binary(frame));
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendMirrorAsync(mirror));
            })
            .NotOverHttp("no flow frame can travel before the 101"),
        Client("LHS-C-order-hello-to-client", "§1", "Hello sent to the client", "Answers the client's hello with a hello of its own.",
            [.. ClientSteps, .. Rejects("LHS-1-order")], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var mirror = await s.ExpectHelloAsync();
                if (mirror is null) return S3_4_Seal.Stopped(s, k);
                var hello = s.Hello!.Json.GetRawText();
                await s.SendAsync(hello);
                var expected = s.Expected(LhsClientPhase.AwaitMirror, Oracle.Text(hello));
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendMirrorAsync(mirror));
            })
            .NotOverHttp("the 101 has a slot per frame: the server cannot answer with a hello"),
        Client("LHS-C-second-mirror", "§1", "Second mirror instead of the seal", "Sends the mirror, reads the bind, then sends the mirror again where the seal is due.",
            [.. ClientSteps, .. Rejects("LHS-1-single-shot")], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var mirror = await s.ExpectHelloAsync();
                if (mirror is null) return S3_4_Seal.Stopped(s, k);
                await s.SendMirrorAsync(mirror);
                var seal = await s.ExpectBindAsync();
                if (seal is null) return k.Verdict();
                await s.SendAsync(mirror);
                var expected = s.Expected(LhsClientPhase.AwaitSeal, Oracle.Text(mirror));
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendAsync(seal));
            })
            .NotOverHttp("the 101 carries one mirror; a second one before the seal has no place to go"),
        Client("LHS-C-order-quiet-before-seal", "§1", "Nothing from the client between bind and seal",
            "Reads the bind, then holds the seal back for half a step timeout (at most 500 ms): the client must send nothing until the seal arrives.",
            [.. ClientSteps, "LHS-6-frames-sent", "LHS-6-flow-accepted"], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var seal = await s.UpToSealAsync();
                if (seal is null) return S3_4_Seal.Stopped(s, k);
                var quiet = ctx.Step / 2 < TimeSpan.FromMilliseconds(500) ? ctx.Step / 2 : TimeSpan.FromMilliseconds(500);
                var early = Seen.From(await s.Conn.ReceiveAsync(quiet, ctx.Cancel));
                k.Expect("LHS-1-order", early is Seen.Silent, "nothing before the seal", early is Seen.Silent ? "nothing" : early.Describe() + " before the seal");
                if (early is not Seen.Silent) return k.Verdict();
                await s.SendAsync(seal);
                return await s.ExpectFlowAsync("LHS-6-flow-accepted");
            })
            .NotOverHttp("over http the client sends nothing between bind and seal by construction: both travel in one round trip"),
        Client("LHS-C-second-seal", "§1", "Second seal during flow", "Completes the handshake, then sends the seal again.",
            [.. ClientSteps, "LHS-6-frames-sent", .. Rejects("LHS-1-single-shot")], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var seal = await s.UpToSealAsync();
                if (seal is null) return S3_4_Seal.Stopped(s, k);
                await s.SendAsync(seal);
                await s.SendAsync(seal);
                var expected = Oracle.ClientRejects(s.Shadow(LhsClientPhase.Flow), Oracle.Text(seal), SuiteServer.Key.PublicKey);
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendAsync(s.FlowFrame()), flowMayPrecede: true);
            }),
    ];
}
