// §3.2 mirror, client role: the client must reject a mirror that is malformed or incompatible with its hello.
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static partial class S3_2_Mirror
{
    private static readonly string[] Validated = ["LHS-3.2-mirror-validated"], Checked = ["LHS-3.2-mirror-checked"];

    public static IEnumerable<CaseDef> ClientCases()
    {
        yield return Client("LHS-C-happy-json", "§3.2", "Handshake and flow in json", "Supports only json: answers with mirror and seal, then echoes the client's flow frames.",
            [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", "LHS-6-frames-sent", "LHS-6-flow-accepted", LhsRules.SessionShape], (ctx, k) => ClientHappy(ctx, k, "json"));
        yield return Client("LHS-C-happy-cbor", "§3.2", "Handshake and flow in cbor", "Supports only cbor: answers with mirror and seal, then echoes the client's flow frames.",
            [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", "LHS-6-frames-sent", "LHS-6-flow-accepted"], (ctx, k) => ClientHappy(ctx, k, "cbor"));

        (string Id, string What, Func<Hello, string, string> Mirror, string[] Requirement)[] bad =
        [
            ("mirror-not-json", "a text that is not JSON", (_, _) => "mirror, client", ["LHS-3-json"]),
            ("mirror-duplicate-member", "a mirror in which \"step\" occurs twice", (_, m) => "{\"step\":\"mirror\"," + m[1..], ["LHS-3-duplicate-members"]),
            ("mirror-no-nonce", "a mirror without its nonce", (_, m) => WithMember(m, "nonce", null, remove: true), Validated),
            ("mirror-no-encoding", "a mirror without an encoding", (_, m) => WithMember(m, "encoding", null, remove: true), Validated),
            ("mirror-encodings-array", "a mirror whose encoding is an array", (h, m) => WithMember(m, "encoding", new JsonArray(h.Encodings[0])), Validated),
            ("mirror-unoffered-encoding", "a mirror choosing the encoding \"x-conformance-none\"", (_, m) => WithMember(m, "encoding", "x-conformance-none"), Checked),
            ("mirror-other-major", "a mirror of lri_version \"7.0\"", (_, m) => WithMember(m, "lri_version", "7.0"), Checked),
            ("mirror-features-widened", "a mirror enabling a feature the hello did not request",
                (h, m) => WithMember(m, "features", new JsonArray([.. h.Features.Append("x-conformance-unrequested").Select(f => (JsonNode)f)])), Checked),
            ("mirror-larger-frame", "a mirror whose max_frame_bytes exceeds the hello's",
                (h, m) => WithMember(m, "max_frame_bytes", h.MaxFrameBytes + 1), Checked),
        ];
        foreach (var b in bad)
            yield return Client($"LHS-C-{b.Id}", "§3.2", $"Client receives {b.What}", $"Answers the client's hello with {b.What}; the client must reject it.",
                [SuiteServer.HelloSent, "LHS-1-order", .. Rejects(b.Requirement)], async (ctx, k) =>
                {
                    var s = await SuiteServer.AcceptAsync(ctx, k);
                    var mirror = await s.ExpectHelloAsync();
                    if (mirror is null) return S3_4_Seal.Stopped(s, k);
                    var tampered = b.Mirror(s.Hello!, mirror);
                    await s.SendAsync(tampered);
                    var expected = s.Expected(LhsClientPhase.AwaitMirror, Oracle.Text(tampered));
                    return await Rejection.Expect(ctx, k, s.Conn, ClientRules.ReceiverRequirement(expected.Rule), expected, probe: () => s.SendMirrorAsync(mirror));
                });
    }

    private static async Task<Verdict> ClientHappy(CaseContext ctx, Checks k, string encoding)
    {
        var caps = ServerCapabilities.Reference with { Encodings = [encoding] };
        var s = await SuiteServer.AcceptAsync(ctx, k, caps);
        var seal = await s.UpToSealAsync();
        if (seal is null) return S3_4_Seal.Stopped(s, k);
        await s.SendAsync(seal);
        return await s.ExpectFlowAsync("LHS-6-flow-accepted");
    }
}
