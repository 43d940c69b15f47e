// §6 WebSocket Profile — "After the Seal acknowledgment, endpoints MUST prefix all subsequent messages with LCE
// payloads encoded according to the negotiated encoding." With §1's binding contract and §3.2's authoritative
// features, this is checklist item 2: encoding, frame size and features are enforced in both directions.
using System.Text;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S6_Flow
{
    private const string Encoding_ = "LHS-6-encoding-enforced", Limit = "LHS-1-frame-limit", Features = "LHS-3.2-features-enforced";
    private const string LceOnly = "LHS-6-lce-only", Shape = "LHS-6-lce-shape", Accepted = "LHS-6-flow-accepted";
    private const string FeatureMembers = "LHS-3.2-feature-members";
    private const string LssLce = "{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"},\"lss\":{\"coherence\":0.5}}";
    private const string SigLce = "{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"},\"sig\":\"ltp:jws:e30..AA\"}";

    public static IEnumerable<CaseDef> Cases() =>
    [
        Server("LHS-S-flow-several-frames", "§6", "Several flow frames", "Completes the handshake in json and sends three LCE frames, reading each echo.",
            Handshake, async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Encodings = ["json"] });
                if (!await c.HandshakeAsync()) return k.Verdict();
                for (var i = 0; i < 3; i++)
                {
                    await c.SendAsync(c.FlowFrame(payload: $"frame {i}"));
                    if (!await c.ExpectFlowAcceptedAsync()) break;
                }
                return k.Verdict();
            }),
        Server("LHS-S-flow-json-under-cbor", "§6", "JSON LCE when cbor was negotiated", "Negotiates cbor, then sends a flow frame whose LCE is JSON.",
            RejectsAfterHandshake(Encoding_), (ctx, k) => ServerRejectsInFlow(ctx, k, _ => FlowFrames.In("json", FlowFrames.PingJson, "x"u8),
                cfg => cfg with { Encodings = ["cbor"] }, c => c.Contract!.Encoding == "cbor" ? null : "the server does not support cbor")),
        Server("LHS-S-flow-cbor-under-json", "§6", "CBOR LCE when json was negotiated", "Negotiates json, then sends a flow frame whose LCE is CBOR.",
            RejectsAfterHandshake(Encoding_), (ctx, k) => ServerRejectsInFlow(ctx, k, _ => FlowFrames.In("cbor", FlowFrames.PingJson, "x"u8),
                cfg => cfg with { Encodings = ["json"] })),
        Server("LHS-S-flow-over-limit", "§1", "Flow frame over max_frame_bytes", "Negotiates max_frame_bytes 1024, then sends a valid 2048-byte flow frame.",
            RejectsAfterHandshake(Limit), (ctx, k) => ServerRejectsInFlow(ctx, k, c => c.FlowFrame(payload: new string('x', 2048 - 4 - 62)),
                cfg => cfg with { MaxFrameBytes = 1024 })),
        Server("LHS-S-flow-huge", "§1", "An 8 MiB flow frame", "Sends an 8 MiB binary message after the handshake; the server must reject it and stay standing.",
            RejectsAfterHandshake(Limit), (ctx, k) => ServerRejectsInFlow(ctx, k, c => c.FlowFrame(payload: new string('x', 8 * 1024 * 1024)))),
        Server("LHS-S-flow-feature-not-negotiated", "§3.2", "LTP sig without ltp", "Requests no features, then sends an LCE carrying an LTP \"sig\" member.",
            RejectsAfterHandshake(Features), (ctx, k) => ServerRejectsInFlow(ctx, k, c => c.FlowFrame(SigLce), cfg => cfg with { Features = [] })),
        Server("LHS-S-flow-lss-not-negotiated", "§3.2", "LSS member without lss", "Requests only ltp, then sends an LCE carrying an \"lss\" member.",
            RejectsAfterHandshake(FeatureMembers), (ctx, k) => ServerRejectsInFlow(ctx, k, c => c.FlowFrame(LssLce), cfg => cfg with { Features = ["ltp"] })),
        Server("LHS-S-flow-features-none", "§3.2", "Flow with no features negotiated", "Requests no features, sends a plain LCE frame and reads the echo: the server's own frames must use no feature either.",
            Handshake, async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Features = [] });
                if (!await c.HandshakeAsync()) return k.Verdict();
                await c.SendAsync(c.FlowFrame());
                await c.ExpectFlowAcceptedAsync();
                return k.Verdict();
            }),
        Server("LHS-S-flow-feature-negotiated", "§3.2", "LTP sig with ltp", "Requests ltp; if granted, sends an LCE carrying a \"sig\" member, which must be accepted.",
            Handshake, async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Features = ["ltp"] });
                if (!await c.HandshakeAsync()) return k.Verdict();
                if (!c.Contract!.Has("ltp")) return Verdict.NotImplemented("the server does not grant ltp");
                await c.SendAsync(c.FlowFrame(SigLce));
                await c.ExpectFlowAcceptedAsync();
                return k.Verdict();
            }),
        Server("LHS-S-flow-text-message", "§6", "Text message after the seal", "Completes the handshake, then sends the text {\"note\":\"not an LCE\"}.",
            RejectsAfterHandshake(LceOnly), async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k);
                if (!await c.HandshakeAsync()) return k.Verdict();
                const string text = "{\"note\":\"not an LCE\"}";
                await c.SendAsync(text);
                var expected = Oracle.ServerRejects(Oracle.Text(c.Config.HelloText()), Oracle.Text(c.Config.BindText()), Oracle.Text(text));
                return await Rejection.Expect(ctx, k, c.Conn, expected.Rule, expected, probe: () => c.SendAsync(c.FlowFrame()));
            }),
        Server("LHS-S-flow-bad-length", "§6", "Flow frame whose length prefix overruns", "Sends a flow frame whose 4-byte length says 4096 but only 10 bytes follow.",
            RejectsAfterHandshake(Shape), (ctx, k) => ServerRejectsInFlow(ctx, k, _ => [0, 0, 0x10, 0, .. "0123456789"u8])),
        Server("LHS-S-flow-lce-without-intent", "§6", "LCE without intent.type", "Sends an LCE {\"v\":1,\"policy\":{\"consent\":\"granted\"}} in the negotiated encoding.",
            RejectsAfterHandshake(Shape), (ctx, k) => ServerRejectsInFlow(ctx, k, c => c.FlowFrame("{\"v\":1,\"policy\":{\"consent\":\"granted\"}}"))),

        // Client role: the suite, as server, breaks the contract in flow; the client must reject.
        ClientFlow("LHS-C-flow-cbor-under-json", "§6", "CBOR LCE when json was negotiated", "Negotiates json, then sends a flow frame whose LCE is CBOR.",
            Encoding_, ["json"], null, s => FlowFrames.In("cbor", FlowFrames.PingJson, "x"u8)),
        ClientFlow("LHS-C-flow-json-under-cbor", "§6", "JSON LCE when cbor was negotiated", "Negotiates cbor, then sends a flow frame whose LCE is JSON.",
            Encoding_, ["cbor"], null, s => FlowFrames.In("json", FlowFrames.PingJson, "x"u8)),
        ClientFlow("LHS-C-flow-over-limit", "§1", "Flow frame over max_frame_bytes", "Negotiates max_frame_bytes 1024 or less, then sends a 2048-byte flow frame.",
            Limit, null, 1024, s => s.FlowFrame(payload: new string('x', 2048))),
        ClientFlow("LHS-C-flow-feature-not-negotiated", "§3.2", "LTP sig without ltp", "Grants no features, then sends an LCE carrying an LTP \"sig\" member.",
            Features, null, null, s => s.FlowFrame(SigLce), noFeatures: true),
        ClientFlow("LHS-C-flow-lss-not-negotiated", "§3.2", "lss member without lss", "Grants no features, then sends an LCE carrying an \"lss\" member (the project's model-level reading).",
            FeatureMembers, null, null, s => s.FlowFrame(LssLce), noFeatures: true),
        ClientFlow("LHS-C-flow-lce-without-intent", "§6", "LCE without intent.type", "Sends an LCE without intent.type in the negotiated encoding.",
            Shape, null, null, s => s.FlowFrame("{\"v\":1,\"policy\":{\"consent\":\"granted\"}}")),
        Client("LHS-C-flow-text-message", "§6", "Text message after the seal", "Completes the handshake, then sends the text {\"note\":\"not an LCE\"}.",
            [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", "LHS-6-frames-sent", .. Rejects(LceOnly)], async (ctx, k) =>
            {
                var s = await SuiteServer.AcceptAsync(ctx, k);
                var seal = await s.UpToSealAsync();
                if (seal is null) return S3_4_Seal.Stopped(s, k);
                await s.SendAsync(seal);
                const string text = "{\"note\":\"not an LCE\"}";
                await s.SendAsync(text);
                var expected = Oracle.ClientRejects(s.Shadow(LhsClientPhase.Flow), Oracle.Text(text), SuiteServer.Key.PublicKey);
                return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendAsync(s.FlowFrame()), flowMayPrecede: true);
            }),
    ];

    private static CaseDef ClientFlow(string id, string section, string title, string description, string requirement,
        string[]? encodings, int? maxFrame, Func<SuiteServer, byte[]> bad, bool noFeatures = false) =>
        Client(id, section, title, description, [SuiteServer.HelloSent, SuiteServer.BindSent, "LHS-1-order", "LHS-6-frames-sent", .. Rejects(requirement)], async (ctx, k) =>
        {
            var caps = ServerCapabilities.Reference;
            if (encodings is not null) caps = caps with { Encodings = encodings };
            if (maxFrame is { } m) caps = caps with { MaxFrameBytes = m };
            if (noFeatures) caps = caps with { Features = [] };
            var s = await SuiteServer.AcceptAsync(ctx, k, caps);
            var seal = await s.UpToSealAsync();
            if (seal is null) return S3_4_Seal.Stopped(s, k);
            await s.SendAsync(seal);
            var frame = bad(s);
            await s.SendAsync(frame);
            var expected = Oracle.ClientRejects(s.Shadow(LhsClientPhase.Flow), Oracle.Binary(frame), SuiteServer.Key.PublicKey);
            return await Rejection.Expect(ctx, k, s.Conn, expected.Rule, expected, probe: () => s.SendAsync(s.FlowFrame()), flowMayPrecede: true);
        });
}
