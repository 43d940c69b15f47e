// §3.4 Seal (server → client) — "The signature MUST be produced via LTP over the canonical concatenation of the hello,
// mirror and bind payloads plus the server nonce. If verification fails, the client MUST abort the connection."
// Project reading (SPEC-NOTES.md "Seal signature"): "ltp:jws:" + detached JWS (EdDSA) over JCS([hello, mirror, bind, nonce]).
using System.Text.Json;
using Conformance.Model.Lhs;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S3_4_Seal
{
    private const string Covers = "LHS-3.4-seal-covers", Canonical = "LHS-3.4-seal-canonical";
    private const string Aborts = "LHS-3.4-client-aborts", Verified = "LHS-3.4-seal-verified";

    // The same hello and bind as the suite's defaults, spelled the non-canonical way a real client might:
    // members out of order, whitespace, escaped characters, and numbers that JCS rewrites (0.20 → 0.2, 1E-1 → 0.1).
    private const string OddHello = "{ \"max_frame_bytes\" : 65536 ,\n  \"features\" : [ \"ltp\" , \"lss\" ],\n  \"session\" : { \"locale\" : \"en\\u002dUS\", \"kind\" : \"ephemeral\" },\n  \"encodings\" : [\"json\"], \"lri_version\" : \"0.1\", \"step\" : \"hello\" }";
    private const string OddBindFormat = "{\"context\": {\"affect\": {\"pad\": [0.20, 1E-1, 3e-1]}, \"intent\": {\"type\": \"te\\u0061ch\"}},\n \"thread\": \"THREAD\", \"step\":\"bind\"}";

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Server("LHS-S-seal-covers", "§3.4", "Seal signature covers hello, mirror, bind and nonce",
            "Completes the handshake and verifies the seal with the server key over JCS([hello, mirror, bind, nonce]).",
            Handshake, async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k);
                await c.HandshakeAsync();
                return k.Verdict();
            });
        yield return Server("LHS-S-seal-canonical", "§3.4", "Seal over the canonical form of non-canonical frames",
            "Sends hello and bind with members out of order, whitespace, \\u escapes and numbers like 0.20 and 1E-1; the seal must verify over their JCS form.",
            [.. Handshake, Canonical], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k);
                var oddBind = OddBindFormat.Replace("THREAD", c.Config.Thread);
                c.PlanBind(oddBind);
                await c.HelloAsync(OddHello);
                if (!await c.ExpectMirrorAsync()) return k.Verdict();
                await c.BindAsync(oddBind);
                if (!await c.ExpectSealAsync())
                {
                    if (k.AnyFailed) k.Blocked(Canonical, "a seal that verifies over JCS of the frames as sent");
                    return k.Verdict();
                }
                k.Expect(Canonical, c.SealVerified, "a seal that verifies over JCS of the frames as sent", c.SealVerified ? "it verifies" : "it does not verify (see " + Covers + ")");
                return k.Verdict();
            });

        // Client role: a valid seal over a non-canonical mirror must be accepted …
        yield return Client("LHS-C-seal-canonical", "§3.4", "Valid seal over a non-canonical mirror",
            "Answers with a mirror whose members are out of order with whitespace and escapes, seals JCS([hello, mirror, bind, nonce]) correctly, and expects flow.",
            [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", "LHS-6-frames-sent", Verified], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var mirror = await s.ExpectHelloAsync();
                if (mirror is null) return Stopped(s, k);
                using var doc = JsonDocument.Parse(mirror);
                var m = doc.RootElement;
                var odd = $"{{ \"nonce\" : {m.GetProperty("nonce").GetRawText()},\n \"max_frame_bytes\" : {m.GetProperty("max_frame_bytes").GetRawText()}, " +
                          $"\"features\" : {m.GetProperty("features").GetRawText()}, \"encoding\" : \"{Escape(m.GetProperty("encoding").GetString()!)}\", " +
                          $"\"lri_version\":\"0.1\", \"step\" : \"mirror\" }}";
                await s.SendMirrorAsync(odd);
                var seal = await s.ExpectBindAsync();
                if (seal is null) return k.Verdict();
                await s.SendAsync(seal);
                return await s.ExpectFlowAsync(Verified);
            });

        // … and every bad one must end the connection.
        (string Id, string What, Func<SuiteServer, string, string> Tamper)[] bad =
        [
            ("no-nonce", "signed over JCS([hello, mirror, bind]), without the nonce",
                (s, seal) => WithSignature(seal, SignOver(SuiteServer.Key, s.Hello!.Json.GetRawText(), s.Server.Mirror!.Json.GetRawText(), s.Server.Bind!.Json.GetRawText()))),
            ("wrong-key", "signed by a key the client does not trust",
                (s, seal) => WithSignature(seal, SignOver(TestKeys.FromLabel("conformance-suite/untrusted"), s.Hello!.Json.GetRawText(), s.Server.Mirror!.Json.GetRawText(), s.Server.Bind!.Json.GetRawText(), Nonce(s)))),
            ("other-hello", "signed over a hello with another max_frame_bytes",
                (s, seal) => WithSignature(seal, SignOver(SuiteServer.Key, WithMember(s.Hello!.Json, "max_frame_bytes", 1), s.Server.Mirror!.Json.GetRawText(), s.Server.Bind!.Json.GetRawText(), Nonce(s)))),
            ("raw-text", "signed over the frames' raw text instead of their JCS form",
                (s, seal) => WithSignature(seal, SealSignature.Sign(SuiteServer.Key, System.Text.Encoding.UTF8.GetBytes(
                    $"[{s.Hello!.Json.GetRawText()},{s.Server.Mirror!.Json.GetRawText()},{s.Server.Bind!.Json.GetRawText()},{Nonce(s)}]")))),
            ("missing-signature", "without a signature", (_, seal) => WithMember(seal, "signature", null, remove: true)),
            ("garbage-signature", "with signature \"ltp:jws:not-a-jws\"", (_, seal) => WithSignature(seal, "ltp:jws:not-a-jws")),
            ("no-ltp-prefix", "with the JWS but without the \"ltp:jws:\" prefix",
                (_, seal) => WithSignature(seal, JsonDocument.Parse(seal).RootElement.GetProperty("signature").GetString()![Seal.SignaturePrefix.Length..])),
            ("flipped-bit", "with one bit of the Ed25519 signature flipped",
                (_, seal) => WithSignature(seal, Tamper.FlipChar(JsonDocument.Parse(seal).RootElement.GetProperty("signature").GetString()!, ^2))),
        ];
        foreach (var b in bad)
            yield return Client($"LHS-C-seal-{b.Id}", "§3.4", $"Seal {b.What}", $"Completes hello, mirror and bind, then sends a seal {b.What}; the client must abort.",
                [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", .. Rejects(Aborts)], async (ctx, k) =>
                {
                    var s = await SuiteServer.AcceptAsync(ctx, k);
                    var seal = await s.UpToSealAsync();
                    if (seal is null) return Stopped(s, k);
                    var tampered = b.Tamper(s, seal);
                    await s.SendAsync(tampered);
                    var expected = s.Expected(LhsClientPhase.AwaitSeal, Oracle.Text(tampered));
                    // The probe is the valid seal: a client that carried on after its error would now enter flow.
                    return await Rejection.Expect(ctx, k, s.Conn, ClientRules.ReceiverRequirement(expected.Rule), expected, probe: () => s.SendAsync(seal));
                });
    }

    private static string Nonce(SuiteServer s) => JsonSerializer.Serialize(s.Server.Mirror!.Nonce);

    private static string Escape(string s) => string.Concat(s.Select(ch => $"\\u{(int)ch:x4}"));

    internal static Verdict Stopped(SuiteServer s, Checks k) =>
        s.NegotiationFailure is { } nf ? Verdict.NotImplemented("the client IUT shares no encoding with this case: " + nf.Detail) : k.Verdict();
}
