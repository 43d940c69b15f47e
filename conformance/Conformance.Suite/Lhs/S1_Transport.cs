// §1 Transport Overview — "Steps must arrive in the precise order hello → mirror → bind → seal. Any deviation is a
// protocol error." / "hello MAY be retried after connection loss; all subsequent steps are single-shot per connection."
using Conformance.Suite.Core;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static partial class S1_Transport
{
    private const string Order = "LHS-1-order", Single = "LHS-1-single-shot";
    private const string Mirror = "{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":65536,\"nonce\":\"n-client\"}";
    private const string Seal = "{\"step\":\"seal\",\"session_id\":\"flow-x\",\"signature\":\"ltp:jws:e30..AA\"}";

    public static IEnumerable<CaseDef> Cases() =>
    [
        Server("LHS-S-order-bind-first", "§1", "Bind before hello", "Sends a bind as the first frame on a new connection.",
            Rejects(Order), (ctx, k) => ServerRejectsText(ctx, k, c => c.Config.BindText()))
            .NotOverHttp("the request has a slot per frame: a bind cannot arrive before the hello"),
        Server("LHS-S-order-mirror-from-client", "§1", "Mirror sent by the client", "Sends a mirror, the server's step, as the first frame.",
            Rejects(Order), (ctx, k) => ServerRejectsText(ctx, k, _ => Mirror))
            .NotOverHttp("the request has a slot per frame: the client cannot send a frame before its hello"),
        Server("LHS-S-order-seal-instead-of-bind", "§1", "Seal in place of bind", "Sends a valid hello, then a seal where the bind is due.",
            RejectsAfterHandshake(Order), (ctx, k) => ServerRejectsText(ctx, k, c => c.Config.HelloText(), _ => Seal))
            .NotOverHttp("the request has a slot per frame: a seal cannot take the bind's place in WebSocket order"),
        Server("LHS-S-order-flow-before-hello", "§1", "Flow frame before hello", "Sends a well-formed JSON LCE flow frame before any control frame.",
            Rejects(Order), async (ctx, k) =>
            {
                var c = await Play.SuiteClient.ConnectAsync(ctx, k);
                var frame = FlowFrames.JsonPing();
                await c.SendAsync(frame);
                var expected = Play.Oracle.ServerRejects(Play.Oracle.Binary(frame));
                return await Play.Rejection.Expect(ctx, k, c.Conn, expected.Rule, expected, probe: () => c.SendAsync(c.Config.HelloText()));
            })
            .NotOverHttp("no flow frame can travel before the upgrade"),
        Server("LHS-S-order-flow-before-bind", "§1", "Flow frame before bind", "Sends a valid hello, reads the mirror, then a flow frame where the bind is due.",
            RejectsAfterHandshake(Order), async (ctx, k) =>
            {
                var c = await Play.SuiteClient.ConnectAsync(ctx, k);
                await c.HelloAsync();
                if (!await c.ExpectMirrorAsync()) return k.Verdict();
                var frame = FlowFrames.JsonPing();
                await c.SendAsync(frame);
                var expected = Play.Oracle.ServerRejects(Play.Oracle.Text(c.Config.HelloText()), Play.Oracle.Binary(frame));
                return await Play.Rejection.Expect(ctx, k, c.Conn, expected.Rule, expected, probe: () => c.SendAsync(c.Config.BindText()));
            })
            .NotOverHttp("no flow frame can travel before the upgrade, and hello and bind travel together"),
        Server("LHS-S-second-hello", "§1", "Second hello on one connection", "Sends a valid hello, reads the mirror, then sends the hello again.",
            RejectsAfterHandshake(Single), (ctx, k) => ServerRejectsText(ctx, k, c => c.Config.HelloText(), c => c.Config.HelloText()))
            .NotOverHttp("the request carries one hello; a second hello before the seal has no place to go"),
        Server("LHS-S-second-hello-in-flow", "§1", "Hello after the seal", "Completes the handshake, then sends a hello on the same connection.",
            RejectsAfterHandshake(Single),
            (ctx, k) => AfterSeal(ctx, k, c => c.Config.HelloText())),
        Server("LHS-S-second-bind-in-flow", "§1", "Bind after the seal", "Completes the handshake, then sends the bind again.",
            RejectsAfterHandshake(Single),
            (ctx, k) => AfterSeal(ctx, k, c => c.Config.BindText())),
    ];

    private static async Task<Verdict> AfterSeal(CaseContext ctx, Checks checks, Func<Play.SuiteClient, string> frame)
    {
        var c = await Play.SuiteClient.ConnectAsync(ctx, checks);
        if (!await c.HandshakeAsync()) return checks.Verdict();
        var text = frame(c);
        await c.SendAsync(text);
        var expected = Play.Oracle.ServerRejects(Play.Oracle.Text(c.Config.HelloText()), Play.Oracle.Text(c.Config.BindText()), Play.Oracle.Text(text));
        return await Play.Rejection.Expect(ctx, checks, c.Conn, expected.Rule, expected, probe: () => c.SendAsync(c.FlowFrame()));
    }
}
