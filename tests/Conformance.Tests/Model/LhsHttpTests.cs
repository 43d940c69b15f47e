// The §5 HTTP Upgrade mapping (LhsHttp): server and client machines over header-borne frames, the status mapping,
// and every way a request or a 101 can be malformed.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class LhsHttpTests
{
    private static readonly Ed25519Signer Key = new(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    private static readonly LhsServerConfig Server = LhsServerConfig.Reference(Key);
    private static readonly LhsClientConfig Client = new("0.1", ["json", "cbor"], ["ltp"], 65536, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", Key.PublicKey);

    private static LhsHttpAnswer Serve(string? hello, string? bind) =>
        LhsHttp.Serve(hello, bind, (s, i) => LhsServer.Step(s, i, Server, new SeededEnvironment(7, stream: "http")));

    private static string H(string text) => LhsHttp.Encode(text);

    private static LhsHttpAnswer.Reject Rejected(LhsHttpAnswer answer, LhsErrorCode code, string rule, int status = 400)
    {
        var r = answer as LhsHttpAnswer.Reject ?? throw new Exception("expected a rejection, got " + answer);
        Expect.equal(r.Error.Code, code, "code");
        Expect.equal(r.Error.Rule, rule, "rule");
        Expect.equal(r.Status, status, "status");
        using var body = JsonDocument.Parse(r.Body);
        Expect.equal(body.RootElement.GetProperty("step").GetString(), "error", "the body is an error frame");
        Expect.equal(body.RootElement.GetProperty("code").GetString(), code.Wire(), "the body's code");
        return r;
    }

    private static LhsHttpVerdict Judge(LhsHttpResponse response) =>
        LhsHttp.Judge(LhsClient.Start(Client).State, Client.BindText(), Client, response);

    private static LhsHttpAnswer.Upgrade Upgrade() =>
        Serve(H(Client.HelloText()), H(Client.BindText())) as LhsHttpAnswer.Upgrade ?? throw new Exception("expected a 101");

    public static Test Tests() => TestList("model.lhs-http",
    [
        TestCase("a valid request upgrades, and the client machine verifies the header-borne seal", () =>
        {
            var up = Upgrade();
            Expect.equal(up.State.Phase, LhsServerPhase.Flow, "the server is in flow");
            Expect.isTrue(up.Outputs.Any(o => o is LhsOutput.Established), "established");
            Expect.isTrue(up.Outputs.Any(o => o is LhsOutput.Observe { Name: "lhs.bind" }), "the bind telemetry hook survives");
            Expect.isFalse(up.Outputs.Any(o => o is LhsOutput.SendText), "no frame is left to send over the upgraded connection");
            var v = Judge(new(101, H(up.Mirror), H(up.Seal), ""));
            var ok = v as LhsHttpVerdict.Upgraded ?? throw new Exception("expected upgraded, got " + v);
            Expect.equal(ok.State.Contract!.Encoding, up.State.Contract!.Encoding, "both sides agree on the encoding");
            Expect.sequenceEqual(ok.State.Contract.Features, up.State.Contract.Features, "… the features");
            Expect.equal(ok.State.Contract.MaxFrameBytes, up.State.Contract.MaxFrameBytes, "… and the frame limit");
            Expect.equal(ok.SessionId, up.State.SessionId, "session id");
        }),
        TestCase("the seal covers the frames exactly as decoded from the headers (non-canonical spelling)", () =>
        {
            var odd = "{ \"max_frame_bytes\" : 65536, \"features\":[\"ltp\"], \"encodings\":[\"json\"], \"lri_version\":\"0.1\", \"step\":\"hello\" }";
            var up = Serve(H(odd), H(Client.BindText())) as LhsHttpAnswer.Upgrade ?? throw new Exception("expected a 101");
            var payload = SealSignature.Payload(JsonDocument.Parse(odd).RootElement, JsonDocument.Parse(up.Mirror).RootElement,
                JsonDocument.Parse(Client.BindText()).RootElement, JsonDocument.Parse(up.Mirror).RootElement.GetProperty("nonce").GetString()!);
            var sig = JsonDocument.Parse(up.Seal).RootElement.GetProperty("signature").GetString()!;
            Expect.isTrue(SealSignature.Verify(sig, payload, Key.PublicKey) is null, "verifies over JCS of the decoded frames");
        }),
        TestCase("missing or undecodable headers are lhs.invalid_frame under LHS-5-request-headers", () =>
        {
            Rejected(Serve(null, H(Client.BindText())), LhsErrorCode.InvalidFrame, LhsRules.HttpHeaders);
            Rejected(Serve(H(Client.HelloText()), null), LhsErrorCode.InvalidFrame, LhsRules.HttpHeaders);
            Rejected(Serve(H(Client.HelloText()) + "=", H(Client.BindText())), LhsErrorCode.InvalidFrame, LhsRules.HttpHeaders);
            Rejected(Serve("e30+/w", H(Client.BindText())), LhsErrorCode.InvalidFrame, LhsRules.HttpHeaders);
            Rejected(Serve(H(Client.HelloText()), Base64Url.Encode([0xff, 0xfe])), LhsErrorCode.InvalidFrame, LhsRules.HttpHeaders);
        }),
        TestCase("a bad hello is judged before the bind header, by the server machine's own rule", () =>
        {
            var major = JsonNode.Parse(Client.HelloText())!.AsObject();
            major["lri_version"] = "99.0";
            Rejected(Serve(H(major.ToJsonString()), null), LhsErrorCode.VersionMismatch, LhsRules.Version);
            Rejected(Serve(H("[1]"), H(Client.BindText())), LhsErrorCode.InvalidFrame, LhsRules.Json);
            Rejected(Serve(H(Client.BindText()), H(Client.BindText())), LhsErrorCode.UnexpectedStep, LhsRules.Order);
        }),
        TestCase("a bad bind is rejected with the machine's rule, after a good hello", () =>
        {
            var bind = JsonNode.Parse(Client.BindText())!.AsObject();
            bind["thread"] = "not-a-uuid";
            Rejected(Serve(H(Client.HelloText()), H(bind.ToJsonString())), LhsErrorCode.InvalidBind, LhsRules.Thread);
        }),
        TestCase("status mapping: 408 for a timeout, 431 for too large, 400 otherwise", () =>
        {
            Expect.equal(LhsHttp.RejectStatus(LhsErrorCode.HandshakeTimeout), 408, "timeout");
            Expect.equal(LhsHttp.RejectStatus(LhsErrorCode.FrameTooLarge), 431, "too large");
            foreach (var c in Enum.GetValues<LhsErrorCode>().Where(c => c is not (LhsErrorCode.HandshakeTimeout or LhsErrorCode.FrameTooLarge)))
                Expect.equal(LhsHttp.RejectStatus(c), 400, c.Wire());
        }),
        TestCase("client: a 101 without LHS-Seal or with an undecodable LHS-Mirror aborts", () =>
        {
            var up = Upgrade();
            var noSeal = Judge(new(101, H(up.Mirror), null, "")) as LhsHttpVerdict.Aborted ?? throw new Exception("expected an abort");
            Expect.equal(noSeal.Error.Rule, LhsRules.HttpHeaders, "missing seal header");
            Expect.isNotNull(noSeal.State.Mirror, "the mirror had been accepted");
            var badMirror = Judge(new(101, "%%%", H(up.Seal), "")) as LhsHttpVerdict.Aborted ?? throw new Exception("expected an abort");
            Expect.equal(badMirror.Error.Rule, LhsRules.HttpHeaders, "undecodable mirror header");
        }),
        TestCase("client: a seal signed by another key aborts with lhs.trust_failed", () =>
        {
            var other = LhsServerConfig.Reference(new Ed25519Signer(new byte[32]));
            var up = LhsHttp.Serve(H(Client.HelloText()), H(Client.BindText()), (s, i) => LhsServer.Step(s, i, other, new SeededEnvironment(7, stream: "http")))
                as LhsHttpAnswer.Upgrade ?? throw new Exception("expected a 101");
            var v = Judge(new(101, H(up.Mirror), H(up.Seal), "")) as LhsHttpVerdict.Aborted ?? throw new Exception("expected an abort");
            Expect.equal(v.Error.Code, LhsErrorCode.TrustFailed, "trust failed");
        }),
        TestCase("client: a mirror the hello did not allow aborts before the seal is looked at", () =>
        {
            var up = Upgrade();
            var mirror = JsonNode.Parse(up.Mirror)!.AsObject();
            mirror["encoding"] = "msgpack";
            var v = Judge(new(101, H(mirror.ToJsonString()), null, "")) as LhsHttpVerdict.Aborted ?? throw new Exception("expected an abort");
            Expect.equal(v.Error.Rule, LhsRules.Negotiation, "negotiation");
        }),
        TestCase("client: a wrapped machine that neither rejects nor reaches flow is undecided, its outputs kept", () =>
        {
            var up = Upgrade();
            var start = LhsClient.Start(Client).State;
            // A host step that swallows the seal: no rejection, no flow.
            var v = LhsHttp.Judge(start, Client.BindText(), Client, new(101, H(up.Mirror), H(up.Seal), ""),
                (s, i) => s.Phase == LhsClientPhase.AwaitSeal ? new LhsStep<LhsClientState>(s, []) : LhsClient.Step(s, i, Client));
            var u = v as LhsHttpVerdict.Undecided ?? throw new Exception("expected undecided, got " + v);
            Expect.equal(u.State.Phase, LhsClientPhase.AwaitSeal, "still awaiting the seal");
            Expect.isEmpty(u.Outputs, "the bind that travelled in the header is not sent again");
        }),
        TestCase("client: an aborted 101 carries the error frame and the close for the upgraded connection", () =>
        {
            var up = Upgrade();
            var v = Judge(new(101, H(up.Mirror), null, "")) as LhsHttpVerdict.Aborted ?? throw new Exception("expected an abort");
            Expect.isTrue(v.Outputs.Any(o => o is LhsOutput.SendText t && t.Value.Contains("lhs.invalid_frame")), "the error frame");
            Expect.isTrue(v.Outputs.Any(o => o is LhsOutput.Close), "the close");
        }),
        TestCase("client: any status but 101 is a refusal carrying the body", () =>
        {
            var r = Judge(new(400, null, null, "{\"step\":\"error\",\"code\":\"lhs.invalid_bind\",\"detail\":\"x\"}")) as LhsHttpVerdict.Refused
                ?? throw new Exception("expected a refusal");
            Expect.equal(r.Status, 400, "status");
            Expect.isTrue(r.Body.Contains("lhs.invalid_bind"), "body kept");
            Expect.isTrue(Judge(new(200, H(Upgrade().Mirror), H(Upgrade().Seal), "")) is LhsHttpVerdict.Refused, "a 200 with headers is not an upgrade");
        }),
    ]);
}
