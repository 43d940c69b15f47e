// §5 HTTP Upgrade Profile — "When LHS is negotiated via HTTP Upgrade, the handshake maps to headers […] Servers SHOULD
// respond with `101 Switching Protocols` only after validating the proposed capabilities and generating the Seal
// commitment." Project reading (SPEC-NOTES.md "HTTP Upgrade profile"): LHS-Hello and LHS-Bind in the request,
// LHS-Mirror and LHS-Seal in the 101, a 4xx with the error frame as body. These cases exist only over http; every
// other LHS case that makes sense over http runs over it too (SuiteClient carries the frames in the headers).
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S5_HttpUpgrade
{
    private const string RequestHeaders = LhsRules.HttpHeaders;
    private static readonly (string[], string) HttpOnly = ([Http], "a §5 case: it is about the HTTP Upgrade request itself");

    public static IEnumerable<CaseDef> Cases()
    {
        (string Id, string Title, string What, Func<SuiteClient, (string? Hello, string? Bind)> Headers)[] malformed =
        [
            ("missing-bind", "Upgrade request without LHS-Bind", "an upgrade request with a valid LHS-Hello and no LHS-Bind header",
                c => (LhsHttp.Encode(c.Config.HelloText()), null)),
            ("missing-hello", "Upgrade request without LHS-Hello", "an upgrade request with a valid LHS-Bind and no LHS-Hello header",
                c => (null, LhsHttp.Encode(c.Config.BindText()))),
            // '*' is outside the base64url alphabet; the rest is the valid hello.
            ("hello-not-base64url", "LHS-Hello that is not base64url", "an upgrade request whose LHS-Hello starts with '*', outside the base64url alphabet",
                c => ("*" + LhsHttp.Encode(c.Config.HelloText()), LhsHttp.Encode(c.Config.BindText()))),
            // Standard base64 with padding: '=' is not unpadded base64url.
            ("bind-padded-base64", "LHS-Bind in padded standard base64", "an upgrade request whose LHS-Bind is standard base64 with '=' padding",
                c => (LhsHttp.Encode(c.Config.HelloText()), Padded(c.Config.BindText()))),
            // 0xC3 0x28: an invalid two-byte UTF-8 sequence.
            ("bind-not-utf8", "LHS-Bind that is not UTF-8", "an upgrade request whose LHS-Bind decodes to bytes that are not UTF-8",
                c => (LhsHttp.Encode(c.Config.HelloText()), "wyg")),
        ];
        foreach (var m in malformed)
            yield return Server($"LHS-S-http-{m.Id}", "§5", m.Title, $"Sends {m.What}; the server must answer 4xx with the error frame as body.",
                Rejects(RequestHeaders), (ctx, k) => Malformed(ctx, k, m.Headers)) with { OnlyOver = HttpOnly };

        yield return Server("LHS-S-http-bad-hello", "§5", "Upgrade request with an unsupported major",
            "Sends an upgrade request whose LHS-Hello has lri_version \"99.0\"; the server must validate before switching protocols.",
            Rejects("LHS-3.1-version"), (ctx, k) => Malformed(ctx, k, c =>
                (LhsHttp.Encode(WithMember(c.Config.HelloText(), "lri_version", "99.0")), LhsHttp.Encode(c.Config.BindText())))) with { OnlyOver = HttpOnly };

        yield return Server("LHS-S-http-upgrade", "§5", "101 carries the mirror and the seal",
            "Sends a valid upgrade request; the 101 must carry LHS-Mirror and LHS-Seal, and the seal must verify over JCS([hello, mirror, bind, nonce]) of the header frames.",
            [.. Handshake, SuiteClient.UpgradeHeaders, HttpRejection.AfterSeal], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k);
                await c.HandshakeAsync();
                return k.Verdict();
            }) with { OnlyOver = HttpOnly };

        yield return Server("LHS-S-http-flow-after-upgrade", "§5", "Flow on the upgraded connection",
            "Completes the upgrade, then sends flow frames on the upgraded connection and reads their echoes; no control frame may follow the 101.",
            [.. Handshake, SuiteClient.UpgradeHeaders], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k);
                if (!await c.HandshakeAsync()) return k.Verdict();
                for (var i = 0; i < 3; i++)
                {
                    await c.SendAsync(c.FlowFrame(payload: $"after the upgrade {i}"));
                    if (!await c.ExpectFlowAcceptedAsync()) break;
                }
                return k.Verdict();
            }) with { OnlyOver = HttpOnly };
    }

    /// <summary>Standard base64 that surely ends in "==": trailing spaces (JSON whitespace) make the length 1 mod 3.</summary>
    private static string Padded(string frame)
    {
        while (System.Text.Encoding.UTF8.GetByteCount(frame) % 3 != 1) frame += " ";
        return Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(frame));
    }

    /// <summary>Client role: 101s whose §5 headers are broken; the client machine (via LhsHttp) says how the client must abort.</summary>
    public static IEnumerable<CaseDef> ClientCases()
    {
        (string Id, string Title, string What, Func<string, string, (string? Mirror, string? Seal)> Headers)[] broken =
        [
            ("no-seal-header", "101 without LHS-Seal", "a 101 carrying a valid LHS-Mirror and no LHS-Seal", (m, _) => (LhsHttp.Encode(m), null)),
            ("no-mirror-header", "101 without LHS-Mirror", "a 101 carrying a valid LHS-Seal and no LHS-Mirror", (_, s) => (null, LhsHttp.Encode(s))),
            // '*' is outside the base64url alphabet; the rest is the valid mirror.
            ("mirror-not-base64url", "LHS-Mirror that is not base64url", "a 101 whose LHS-Mirror starts with '*', outside the base64url alphabet",
                (m, s) => ("*" + LhsHttp.Encode(m), LhsHttp.Encode(s))),
        ];
        foreach (var b in broken)
            yield return Client($"LHS-C-http-{b.Id}", "§5", b.Title, $"Reads the client's upgrade request, then answers with {b.What}; the client must abort.",
                [SuiteServer.HelloSent, SuiteServer.BindSent, .. Rejects("LHS-5-client-headers")], async (ctx, k) =>
                {
                    var s = await SuiteServer.AcceptAsync(ctx, k);
                    var mirror = await s.ExpectHelloAsync();
                    if (mirror is null) return S3_4_Seal.Stopped(s, k);
                    await s.SendMirrorAsync(mirror);
                    var seal = await s.ExpectBindAsync();
                    if (seal is null) return k.Verdict();
                    var (m, sealHeader) = b.Headers(mirror, seal);
                    var expected = LhsHttp.Judge(s.Shadow(LhsClientPhase.AwaitMirror), s.Server.Bind!.Json.GetRawText(), Oracle.ShadowConfig(s.Shadow(LhsClientPhase.AwaitMirror), SuiteServer.Key.PublicKey),
                        new LhsHttpResponse(LhsHttp.SwitchingProtocols, m, sealHeader, "")) as LhsHttpVerdict.Aborted
                        ?? throw new InvalidOperationException("the client model accepts this 101; the case expects an abort");
                    var headers = new List<KeyValuePair<string, string>>();
                    if (m is not null) headers.Add(new(LhsHttp.MirrorHeader, m));
                    if (sealHeader is not null) headers.Add(new(LhsHttp.SealHeader, sealHeader));
                    await ((UpgradeAnswering)s.Conn).AnswerWithAsync(headers);
                    return await Rejection.Expect(ctx, k, s.Conn, "LHS-5-client-headers", expected.Error);
                }) with { OnlyOver = HttpOnly };
    }

    private static async Task<Verdict> Malformed(CaseContext ctx, Checks k, Func<SuiteClient, (string? Hello, string? Bind)> headers)
    {
        var c = await SuiteClient.ConnectAsync(ctx, k);
        var (hello, bind) = headers(c);
        var expected = Oracle.ServerRejectsOverHttp(hello, bind);
        var sent = new List<KeyValuePair<string, string>>();
        if (hello is not null) sent.Add(new(LhsHttp.HelloHeader, hello));
        if (bind is not null) sent.Add(new(LhsHttp.BindHeader, bind));
        return await HttpRejection.Expect(ctx, k, sent, expected.Rule, expected);
    }
}
