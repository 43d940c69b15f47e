// The LHS server and client state machines: a full handshake wired together in memory (json and cbor), negotiation,
// what the seal signs, every rejection (code, rule, error frame + close, then silence), determinism from the seed,
// and a garbage-input property: Step never throws and a rejection always closes.
using System.Collections.Immutable;
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

public static class LhsMachineTests
{
    private const string Thread = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";
    private const string Ulid = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    private const string SampleLce = """{"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"}}""";

    // RFC 8032 TEST 1 seed for the server's seal key; an all-zero seed for "some other key".
    private static readonly Ed25519Signer Key = new(Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    private static readonly Ed25519Signer OtherKey = new(new byte[32]);
    private static readonly LhsServerConfig Server = LhsServerConfig.Reference(Key);

    private static LhsClientConfig Client() => new("0.1", ["json", "cbor"], ["ltp"], 65536, Thread, Key.PublicKey);

    private static LhsClientConfig Client(IReadOnlyList<string> encodings, IReadOnlyList<string>? features = null, int max = 65536) =>
        new("0.1", encodings, features ?? ["ltp"], max, Thread, Key.PublicKey);

    // ---- small helpers ---------------------------------------------------------------------------------------------

    private static JsonElement J(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>A control frame text edited as a JSON object.</summary>
    private static string Edit(string json, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        edit(o);
        return o.ToJsonString();
    }

    private static string HelloWith(Action<JsonObject> edit) => Edit(Client().HelloText(), edit);
    private static string BindWith(Action<JsonObject> edit) => Edit(Client().BindText(), edit);

    private const string MirrorText = """{"step":"mirror","lri_version":"0.1","encoding":"json","features":["ltp"],"max_frame_bytes":65536,"nonce":"n-test"}""";
    private static string MirrorWith(Action<JsonObject> edit) => Edit(MirrorText, edit);

    private static string Describe(ImmutableArray<LhsOutput> outputs) => "[" + string.Join(", ", outputs.Select(o => o.GetType().Name)) + "]";

    private static void Accepted(LhsError? rejected, string what) =>
        Expect.isTrue(rejected is null, $"{what}: unexpected rejection {rejected} ({rejected?.Rule})");

    /// <summary>The single SendText of <paramref name="outputs"/>.</summary>
    private static string OnlyText(ImmutableArray<LhsOutput> outputs, string what)
    {
        Expect.equal(outputs.Length, 1, $"{what}: one output, got {Describe(outputs)}");
        Expect.isTrue(outputs[0] is LhsOutput.SendText, $"{what}: a text frame, got {Describe(outputs)}");
        return ((LhsOutput.SendText)outputs[0]).Value;
    }

    private static T Only<T>(ImmutableArray<LhsOutput> outputs, string what) where T : LhsOutput
    {
        Expect.equal(outputs.Length, 1, $"{what}: one output, got {Describe(outputs)}");
        Expect.isTrue(outputs[0] is T, $"{what}: a {typeof(T).Name}, got {Describe(outputs)}");
        return (T)outputs[0];
    }

    private static string Csv(IEnumerable<string> items) => string.Join(",", items);
    private static string Csv(JsonElement array) => string.Join(",", array.EnumerateArray().Select(e => e.GetString()));

    // ---- one handshake, wired in memory ----------------------------------------------------------------------------

    private sealed record Handshake(
        string HelloText, string MirrorText, string BindText, string SealText,
        LhsStep<LhsClientState> ClientStart,
        LhsStep<LhsServerState> ServerAfterHello,
        LhsStep<LhsClientState> ClientAfterMirror,
        LhsStep<LhsServerState> ServerAfterBind,
        LhsStep<LhsClientState> ClientAfterSeal);

    /// <summary>Client and server through hello → mirror → bind → seal. <paramref name="helloOnWire"/> may re-spell
    /// the hello between the two (the client keeps its own text).</summary>
    private static Handshake Run(LhsClientConfig cfg, IModelEnvironment env, Func<string, string>? helloOnWire = null)
    {
        var start = LhsClient.Start(cfg);
        var hello = OnlyText(start.Outputs, "client start");
        var s1 = LhsServer.Step(LhsServerState.Initial, new LhsInput.Text(helloOnWire?.Invoke(hello) ?? hello), Server, env);
        Accepted(s1.Rejected, "server on hello");
        var mirror = OnlyText(s1.Outputs, "server on hello");
        var c1 = LhsClient.Step(start.State, new LhsInput.Text(mirror), cfg);
        Accepted(c1.Rejected, "client on mirror");
        var bind = OnlyText(c1.Outputs, "client on mirror");
        var s2 = LhsServer.Step(s1.State, new LhsInput.Text(bind), Server, env);
        Accepted(s2.Rejected, "server on bind");
        Expect.isTrue(s2.Outputs.Length > 0 && s2.Outputs[0] is LhsOutput.SendText, $"server on bind sends the seal first: {Describe(s2.Outputs)}");
        var seal = ((LhsOutput.SendText)s2.Outputs[0]).Value;
        var c2 = LhsClient.Step(c1.State, new LhsInput.Text(seal), cfg);
        Accepted(c2.Rejected, "client on seal");
        return new(hello, mirror, bind, seal, start, s1, c1, s2, c2);
    }

    // ---- rejection checks ------------------------------------------------------------------------------------------

    /// <summary>Exactly [SendText({"step":"error","code":…,"detail":…}), Close(1008, code)] for <paramref name="e"/>.</summary>
    private static void ErrorThenClose(ImmutableArray<LhsOutput> outputs, LhsError e, string what)
    {
        Expect.equal(outputs.Length, 2, $"{what}: an error frame and a close, got {Describe(outputs)}");
        Expect.isTrue(outputs[0] is LhsOutput.SendText, $"{what}: first an error frame, got {Describe(outputs)}");
        var frame = J(((LhsOutput.SendText)outputs[0]).Value);
        Expect.equal(string.Join(",", frame.EnumerateObject().Select(p => p.Name)), "step,code,detail", $"{what}: error frame members");
        Expect.equal(frame.GetProperty("step").GetString(), "error", $"{what}: step");
        Expect.equal(frame.GetProperty("code").GetString(), e.Code.Wire(), $"{what}: code in the frame");
        Expect.equal(frame.GetProperty("detail").GetString(), e.Detail, $"{what}: detail in the frame");
        Expect.isTrue(outputs[1] is LhsOutput.Close, $"{what}: then a close, got {Describe(outputs)}");
        var close = (LhsOutput.Close)outputs[1];
        Expect.equal(close.Code, LhsWire.RejectCloseCode, $"{what}: close code 1008");
        Expect.equal(close.Reason, e.Code.Wire(), $"{what}: close reason");
    }

    private static void Rejects<TState>(LhsStep<TState> step, LhsErrorCode code, string rule, string what)
    {
        Expect.isTrue(step.Rejected is not null, $"{what}: expected a rejection, got {Describe(step.Outputs)}");
        var e = step.Rejected!;
        Expect.equal(e.Code.Wire(), code.Wire(), $"{what}: code ({e.Detail})");
        Expect.equal(e.Rule, rule, $"{what}: rule ({e.Detail})");
        ErrorThenClose(step.Outputs, e, what);
    }

    private static LhsInput[] FollowUps() =>
    [
        new LhsInput.Text(Client().HelloText()),
        new LhsInput.Text(Client().BindText()),
        new LhsInput.Text(MirrorText),
        new LhsInput.Text("""{"step":"error","code":"lhs.trust_failed","detail":"x"}"""),
        new LhsInput.Text("not json"),
        new LhsInput.Binary(FlowFrame.Encode(new FlowContract("json", ["ltp"], 65536), J(SampleLce), [1])),
        new LhsInput.Oversize(true, 1 << 30),
        new LhsInput.HandshakeTimeout(),
        new LhsInput.PeerClosed(),
    ];

    private static void ServerSilent(LhsServerState closed, IModelEnvironment env, string what)
    {
        Expect.equal(closed.Phase, LhsServerPhase.Closed, $"{what}: server phase");
        foreach (var input in FollowUps())
        {
            var after = LhsServer.Step(closed, input, Server, env);
            Expect.equal(after.Outputs.Length, 0, $"{what}: no output for {input.GetType().Name} once closed");
            Expect.isTrue(after.Rejected is null, $"{what}: no rejection once closed");
            Expect.equal(after.State.Phase, LhsServerPhase.Closed, $"{what}: stays closed");
        }
    }

    private static void ClientSilent(LhsClientState closed, LhsClientConfig cfg, string what)
    {
        Expect.equal(closed.Phase, LhsClientPhase.Closed, $"{what}: client phase");
        foreach (var input in FollowUps())
        {
            var after = LhsClient.Step(closed, input, cfg);
            Expect.equal(after.Outputs.Length, 0, $"{what}: no output for {input.GetType().Name} once closed");
            Expect.isTrue(after.Rejected is null, $"{what}: no rejection once closed");
            Expect.equal(after.State.Phase, LhsClientPhase.Closed, $"{what}: stays closed");
        }
    }

    // ---- server states ---------------------------------------------------------------------------------------------

    private enum SP { AwaitHello, AwaitBind, Flow }

    private static LhsServerState ServerIn(SP phase, IModelEnvironment env, LhsClientConfig? cfg = null) => phase switch
    {
        SP.AwaitHello => LhsServerState.Initial,
        SP.AwaitBind => LhsServer.Step(LhsServerState.Initial, new LhsInput.Text((cfg ?? Client()).HelloText()), Server, env).State,
        _ => Run(cfg ?? Client(), env).ServerAfterBind.State,
    };

    private sealed record ServerCase(string Name, SP Phase, LhsInput Input, LhsErrorCode Code, string Rule, LhsClientConfig? Config = null);

    private static Test ServerRejection(ServerCase c) => TestCase(c.Name, () =>
    {
        var env = new SeededEnvironment(1);
        var state = ServerIn(c.Phase, env, c.Config);
        Expect.equal(state.Phase.ToString(), c.Phase.ToString(), "fixture phase");
        var step = LhsServer.Step(state, c.Input, Server, env);
        Rejects(step, c.Code, c.Rule, c.Name);
        ServerSilent(step.State, env, c.Name);
    });

    private static LhsInput Text(string s) => new LhsInput.Text(s);

    private static IEnumerable<ServerCase> ServerCases()
    {
        const LhsErrorCode unexpected = LhsErrorCode.UnexpectedStep, invalid = LhsErrorCode.InvalidFrame;
        var flowFrame = FlowFrame.Encode(new FlowContract("json", ["ltp"], 65536), J(SampleLce), []);

        // Order and single-shot (§1).
        yield return new("bind first", SP.AwaitHello, Text(Client().BindText()), unexpected, LhsRules.Order);
        yield return new("mirror sent to the server (awaiting hello)", SP.AwaitHello, Text(MirrorText), unexpected, LhsRules.Order);
        yield return new("mirror sent to the server (awaiting bind)", SP.AwaitBind, Text(MirrorText), unexpected, LhsRules.Order);
        yield return new("seal sent to the server", SP.AwaitHello, Text("""{"step":"seal","session_id":"s","signature":"x"}"""), unexpected, LhsRules.Order);
        yield return new("second hello", SP.AwaitBind, Text(Client().HelloText()), unexpected, LhsRules.SingleShot);
        yield return new("hello after the seal", SP.Flow, Text(Client().HelloText()), unexpected, LhsRules.SingleShot);
        yield return new("bind after the seal", SP.Flow, Text(Client().BindText()), unexpected, LhsRules.SingleShot);
        yield return new("binary before hello", SP.AwaitHello, new LhsInput.Binary(flowFrame), unexpected, LhsRules.Order);
        yield return new("binary before the seal", SP.AwaitBind, new LhsInput.Binary(flowFrame), unexpected, LhsRules.Order);

        // Not a control frame (§3).
        foreach (var (name, text) in new[]
        {
            ("text that is not JSON", "hello?"),
            ("empty text", ""),
            ("a JSON array", """["hello"]"""),
            ("a JSON string", "\"hello\""),
            ("no step", """{"lri_version":"0.1"}"""),
            ("step not a string", """{"step":1}"""),
            ("unknown step", """{"step":"x"}"""),
            ("step in the wrong case", """{"step":"Hello"}"""),
            ("trailing garbage", Client().HelloText() + "x"),
        })
        {
            yield return new(name + " (awaiting hello)", SP.AwaitHello, Text(text), invalid, LhsRules.Json);
        }
        // The project's reading (SPEC-NOTES "Duplicate members"): rejected, under a model-level rule of its own.
        yield return new("duplicate members (awaiting hello)", SP.AwaitHello, Text("""{"step":"hello","step":"hello"}"""), invalid, LhsRules.DuplicateMembers);
        yield return new("text that is not JSON (awaiting bind)", SP.AwaitBind, Text("{"), invalid, LhsRules.Json);

        // Hello required fields (§3.1).
        foreach (var field in new[] { "lri_version", "encodings", "features", "max_frame_bytes" })
            yield return new($"hello missing {field}", SP.AwaitHello, Text(HelloWith(o => o.Remove(field))), invalid, LhsRules.HelloRequired);
        foreach (var (name, value) in new (string, JsonNode?)[]
        {
            ("0", 0), ("-1", -1), ("\"x\"", "x"), ("1.5", 1.5), ("2147483648", 2147483648L), ("null", null), ("[65536]", new JsonArray(65536)),
        })
        {
            yield return new($"hello max_frame_bytes {name}", SP.AwaitHello, Text(HelloWith(o => o["max_frame_bytes"] = value)), invalid, LhsRules.HelloRequired);
        }
        foreach (var (name, value) in new (string, JsonNode?)[] { ("1", 1), ("\"\"", ""), ("\"v0.1\"", "v0.1"), ("\"00.1\"", "00.1"), ("\"1\"", "1") })
            yield return new($"hello lri_version {name}", SP.AwaitHello, Text(HelloWith(o => o["lri_version"] = value)), invalid, LhsRules.HelloRequired);
        yield return new("hello encodings not an array", SP.AwaitHello, Text(HelloWith(o => o["encodings"] = "json")), invalid, LhsRules.HelloRequired);
        yield return new("hello encodings with a number", SP.AwaitHello, Text(HelloWith(o => o["encodings"] = new JsonArray("json", 1))), invalid, LhsRules.HelloRequired);
        yield return new("hello features not an array", SP.AwaitHello, Text(HelloWith(o => o["features"] = JsonNode.Parse("{}"))), invalid, LhsRules.HelloRequired);
        yield return new("hello session not an object", SP.AwaitHello, Text(HelloWith(o => o["session"] = "x")), invalid, LhsRules.SessionShape);

        // Version and negotiation (§3.1, §3.2).
        yield return new("hello lri_version 99.0", SP.AwaitHello, Text(HelloWith(o => o["lri_version"] = "99.0")), LhsErrorCode.VersionMismatch, LhsRules.Version);
        yield return new("hello lri_version 1.0", SP.AwaitHello, Text(HelloWith(o => o["lri_version"] = "1.0")), LhsErrorCode.VersionMismatch, LhsRules.Version);
        yield return new("hello encodings [x]", SP.AwaitHello, Text(HelloWith(o => o["encodings"] = new JsonArray("x"))), LhsErrorCode.EncodingNegotiationFailed, LhsRules.Negotiation);
        yield return new("hello encodings []", SP.AwaitHello, Text(HelloWith(o => o["encodings"] = new JsonArray())), LhsErrorCode.EncodingNegotiationFailed, LhsRules.Negotiation);
        yield return new("hello encodings [JSON] (names are case-sensitive)", SP.AwaitHello, Text(HelloWith(o => o["encodings"] = new JsonArray("JSON"))), LhsErrorCode.EncodingNegotiationFailed, LhsRules.Negotiation);

        // Bind (§3.3).
        const LhsErrorCode badBind = LhsErrorCode.InvalidBind;
        foreach (var (name, value) in new (string, JsonNode?)[]
        {
            ("\"abc\"", "abc"), ("\"\"", ""), ("5", 5), ("null", null),
            ("a UUID in braces", "{" + Thread + "}"),
            ("a UUID without dashes", Thread.Replace("-", "")),
            ("a ULID starting with 8", "8" + Ulid[1..]),
            ("a ULID with U", Ulid[..25] + "U"),
            ("a 25-character ULID", Ulid[..25]),
        })
        {
            yield return new($"bind thread {name}", SP.AwaitBind, Text(BindWith(o => o["thread"] = value)), badBind, LhsRules.Thread);
        }
        yield return new("bind without thread", SP.AwaitBind, Text(BindWith(o => o.Remove("thread"))), badBind, LhsRules.Thread);
        yield return new("bind auth not an object", SP.AwaitBind, Text(BindWith(o => o["auth"] = "Bearer x")), badBind, LhsRules.BindShape);
        yield return new("bind auth without token", SP.AwaitBind, Text(BindWith(o => o["auth"] = JsonNode.Parse("""{"scheme":"Bearer"}"""))), badBind, LhsRules.BindShape);
        yield return new("bind context not an object", SP.AwaitBind, Text(BindWith(o => o["context"] = new JsonArray())), badBind, LhsRules.BindShape);

        // Flow (§6).
        yield return new("text in flow", SP.Flow, Text("hello?"), unexpected, LhsRules.LceOnly);
        yield return new("mirror in flow", SP.Flow, Text(MirrorText), unexpected, LhsRules.LceOnly);
        yield return new("flow frame in cbor on a json contract", SP.Flow,
            new LhsInput.Binary(FlowFrame.Encode(new FlowContract("cbor", [], 65536), J(SampleLce), [])), LhsErrorCode.InvalidLce, LhsRules.EncodingEnforced,
            Client(["json"]));
        yield return new("flow frame in json on a cbor contract", SP.Flow,
            new LhsInput.Binary(FlowFrame.Encode(new FlowContract("json", [], 65536), J(SampleLce), [])), LhsErrorCode.InvalidLce, LhsRules.EncodingEnforced,
            Client(["cbor"]));
        yield return new("flow frame without intent", SP.Flow, new LhsInput.Binary(FlowFrame.Frame("""{"v":1}"""u8, [])), LhsErrorCode.InvalidLce, LhsRules.LceShape);
        yield return new("flow frame with a length prefix overrun", SP.Flow, new LhsInput.Binary(new byte[] { 0, 0, 1, 0, (byte)'{' }), LhsErrorCode.InvalidLce, LhsRules.LceShape);
        yield return new("flow frame over the negotiated max", SP.Flow,
            new LhsInput.Binary(FlowFrame.Encode(new FlowContract("json", [], 65536), J(SampleLce), new byte[200])), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit,
            Client(["json"], ["ltp"], 200));
        yield return new("flow frame with sig when ltp was not negotiated", SP.Flow,
            new LhsInput.Binary(FlowFrame.Encode(new FlowContract("json", [], 65536),
                J("""{"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"},"sig":"x"}"""), [])),
            LhsErrorCode.FeatureNotNegotiated, LhsRules.FeaturesEnforced, Client(["json"], []));

        // Transport limits and time (§1, §2).
        foreach (var phase in new[] { SP.AwaitHello, SP.AwaitBind, SP.Flow })
        {
            yield return new($"oversize text ({phase})", phase, new LhsInput.Oversize(false, 1 << 24), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit);
            yield return new($"oversize binary ({phase})", phase, new LhsInput.Oversize(true, 1 << 24), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit);
        }
        yield return new("handshake timeout awaiting hello", SP.AwaitHello, new LhsInput.HandshakeTimeout(), LhsErrorCode.HandshakeTimeout, LhsRules.Timeout);
        yield return new("handshake timeout awaiting bind", SP.AwaitBind, new LhsInput.HandshakeTimeout(), LhsErrorCode.HandshakeTimeout, LhsRules.Timeout);
    }

    // ---- client states ---------------------------------------------------------------------------------------------

    private enum CP { AwaitMirror, AwaitSeal, Flow }

    private sealed record ClientCase(string Name, CP Phase, Func<Handshake, LhsInput> Input, LhsErrorCode Code, string Rule, LhsClientConfig? Config = null);

    private static Test ClientRejection(ClientCase c) => TestCase(c.Name, () =>
    {
        var cfg = c.Config ?? Client();
        var h = Run(cfg, new SeededEnvironment(1));
        var state = c.Phase switch
        {
            CP.AwaitMirror => h.ClientStart.State,
            CP.AwaitSeal => h.ClientAfterMirror.State,
            _ => h.ClientAfterSeal.State,
        };
        Expect.equal(state.Phase.ToString(), c.Phase.ToString(), "fixture phase");
        var step = LhsClient.Step(state, c.Input(h), cfg);
        Rejects(step, c.Code, c.Rule, c.Name);
        ClientSilent(step.State, cfg, c.Name);
    });

    private static string SealWith(Handshake h, Action<JsonObject> edit) => Edit(h.SealText, edit);

    private static IEnumerable<ClientCase> ClientCases()
    {
        const LhsErrorCode unexpected = LhsErrorCode.UnexpectedStep, invalid = LhsErrorCode.InvalidFrame, trust = LhsErrorCode.TrustFailed;

        // The mirror (§3.2) against the client's own hello.
        yield return new("mirror with an encoding hello did not offer", CP.AwaitMirror, _ => Text(MirrorWith(o => o["encoding"] = "cbor")),
            LhsErrorCode.EncodingNegotiationFailed, LhsRules.Negotiation, Client(["json"]));
        yield return new("mirror with an unknown encoding", CP.AwaitMirror, _ => Text(MirrorWith(o => o["encoding"] = "xml")),
            LhsErrorCode.EncodingNegotiationFailed, LhsRules.Negotiation);
        yield return new("mirror of another major version", CP.AwaitMirror, _ => Text(MirrorWith(o => o["lri_version"] = "1.0")),
            LhsErrorCode.VersionMismatch, LhsRules.Version);
        yield return new("mirror enabling a feature not requested", CP.AwaitMirror, _ => Text(MirrorWith(o => o["features"] = new JsonArray("ltp", "lss"))),
            LhsErrorCode.FeatureNotNegotiated, LhsRules.FeaturesSubset);
        yield return new("mirror with a larger max_frame_bytes", CP.AwaitMirror, _ => Text(MirrorWith(o => o["max_frame_bytes"] = 65537)),
            invalid, LhsRules.FeaturesSubset);
        foreach (var field in new[] { "nonce", "encoding", "features", "max_frame_bytes", "lri_version" })
            yield return new($"mirror missing {field}", CP.AwaitMirror, _ => Text(MirrorWith(o => o.Remove(field))), invalid, LhsRules.MirrorFields);
        yield return new("mirror with an empty nonce", CP.AwaitMirror, _ => Text(MirrorWith(o => o["nonce"] = "")), invalid, LhsRules.MirrorFields);
        yield return new("mirror with max_frame_bytes 0", CP.AwaitMirror, _ => Text(MirrorWith(o => o["max_frame_bytes"] = 0)), invalid, LhsRules.MirrorFields);

        // Order (§1).
        yield return new("seal before mirror", CP.AwaitMirror, h => Text(h.SealText), unexpected, LhsRules.Order);
        yield return new("hello sent to the client", CP.AwaitMirror, h => Text(h.HelloText), unexpected, LhsRules.Order);
        yield return new("bind sent to the client", CP.AwaitSeal, h => Text(h.BindText), unexpected, LhsRules.Order);
        yield return new("second mirror", CP.AwaitSeal, h => Text(h.MirrorText), unexpected, LhsRules.SingleShot);
        yield return new("mirror after the seal", CP.Flow, h => Text(h.MirrorText), unexpected, LhsRules.SingleShot);
        yield return new("seal after the seal", CP.Flow, h => Text(h.SealText), unexpected, LhsRules.SingleShot);
        yield return new("binary before the mirror", CP.AwaitMirror, _ => new LhsInput.Binary(new byte[8]), unexpected, LhsRules.Order);
        yield return new("binary before the seal", CP.AwaitSeal, _ => new LhsInput.Binary(new byte[8]), unexpected, LhsRules.Order);
        yield return new("text that is not JSON", CP.AwaitMirror, _ => Text("mirror?"), invalid, LhsRules.Json);
        yield return new("text in flow", CP.Flow, _ => Text("mirror?"), unexpected, LhsRules.LceOnly);

        // The seal (§3.4): "If verification fails, the client MUST abort the connection."
        yield return new("seal signed over other bytes", CP.AwaitSeal,
            h => Text(SealWith(h, o => o["signature"] = SealSignature.Sign(Key, Encoding.UTF8.GetBytes("other")))), trust, LhsRules.SealCovers);
        yield return new("seal signed by another key", CP.AwaitSeal,
            h => Text(SealWith(h, o => o["signature"] = SealSignature.Sign(OtherKey, ServerPayload(h)))), trust, LhsRules.SealCovers);
        yield return new("seal without a signature", CP.AwaitSeal, h => Text(SealWith(h, o => o.Remove("signature"))), trust, LhsRules.SealCovers);
        yield return new("seal with an empty signature", CP.AwaitSeal, h => Text(SealWith(h, o => o["signature"] = "")), trust, LhsRules.SealCovers);
        yield return new("seal signature without the ltp:jws: prefix", CP.AwaitSeal,
            h => Text(SealWith(h, o => o["signature"] = o["signature"]!.GetValue<string>()[Seal.SignaturePrefix.Length..])), trust, LhsRules.SealCovers);
        yield return new("seal signature with one character changed", CP.AwaitSeal,
            h => Text(SealWith(h, o =>
            {
                var sig = o["signature"]!.GetValue<string>();
                o["signature"] = sig[..^2] + (sig[^2] == 'A' ? 'B' : 'A') + sig[^1];
            })), trust, LhsRules.SealCovers);
        yield return new("seal without session_id", CP.AwaitSeal, h => Text(SealWith(h, o => o.Remove("session_id"))), invalid, LhsRules.SealFields);

        // Transport limits and time.
        yield return new("oversize awaiting mirror", CP.AwaitMirror, _ => new LhsInput.Oversize(false, 1 << 24), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit);
        yield return new("oversize in flow", CP.Flow, _ => new LhsInput.Oversize(true, 1 << 24), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit);
        yield return new("handshake timeout awaiting seal", CP.AwaitSeal, _ => new LhsInput.HandshakeTimeout(), LhsErrorCode.HandshakeTimeout, LhsRules.Timeout);
        yield return new("flow frame in the wrong encoding", CP.Flow,
            _ => new LhsInput.Binary(FlowFrame.Encode(new FlowContract("cbor", [], 65536), J(SampleLce), [])), LhsErrorCode.InvalidLce, LhsRules.EncodingEnforced,
            Client(["json"]));
    }

    /// <summary>What the server signed for <paramref name="h"/>: JCS([hello, mirror, bind, nonce]) of the wire texts.</summary>
    private static byte[] ServerPayload(Handshake h) =>
        Jcs.Canonicalize($"[{h.HelloText},{h.MirrorText},{h.BindText},{JsonSerializer.Serialize(J(h.MirrorText).GetProperty("nonce").GetString())}]");

    // ---- garbage generator -----------------------------------------------------------------------------------------

    private static readonly string[] Steps = ["hello", "bind", "mirror", "seal", "error", "x"];
    private static readonly string[] Names =
        ["step", "lri_version", "encodings", "features", "max_frame_bytes", "session", "thread", "auth", "context", "encoding",
         "nonce", "session_id", "signature", "expires_at", "code", "detail", "scheme", "token", "v", "intent", "policy", "sig"];
    private static readonly string[] Strings =
        ["", "json", "cbor", "ltp", "lss", "telemetry", "0.1", "1.0", "99.0", "0.1.2", Thread, Ulid, "abc", "ltp:jws:", "ltp:jws:a..b",
         "n-test", "é😀", "\u0000", "\"", "\\", "2026-01-01T00:00:00Z", "lhs.trust_failed"];

    /// <summary>Any valid JSON value except those outside I-JSON (lone surrogates, non-finite numbers): those have
    /// their own tests below.</summary>
    private static JsonNode? RandomValue(Random rng, int depth)
    {
        switch (rng.Next(depth > 2 ? 6 : 8))
        {
            case 0: return null;
            case 1: return rng.Next(2) == 0;
            case 2: return rng.Next(6) switch { 0 => 0, 1 => -1, 2 => int.MaxValue, 3 => 2147483648L, 4 => 65536, _ => rng.Next(1, 100000) };
            case 3: return rng.NextDouble() * 1e6 - 1e5;
            case 4: case 5: return Strings[rng.Next(Strings.Length)];
            case 6:
                var a = new JsonArray();
                for (var i = rng.Next(4); i > 0; i--) a.Add(RandomValue(rng, depth + 1));
                return a;
            default:
                var o = new JsonObject();
                for (var i = rng.Next(4); i > 0; i--) o[Names[rng.Next(Names.Length)]] = RandomValue(rng, depth + 1);
                return o;
        }
    }

    private const string Punctuation = "{}[]\":,\\ \n";

    private static string RandomText(Random rng)
    {
        var sb = new StringBuilder();
        for (var i = rng.Next(40); i > 0; i--)
        {
            var c = rng.Next(4) switch
            {
                0 => Punctuation[rng.Next(Punctuation.Length)],
                1 => (char)rng.Next(0x20),
                2 => (char)rng.Next(0x20, 0x7f),
                _ => (char)rng.Next(0x80, 0xD800), // no surrogates: see the non-I-JSON tests
            };
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static LhsInput RandomInput(Random rng, Handshake h)
    {
        string[] valid = [h.HelloText, h.MirrorText, h.BindText, h.SealText, """{"step":"error","code":"lhs.invalid_bind","detail":"x"}"""];
        var frame = FlowFrame.Encode(new FlowContract(rng.Next(2) == 0 ? "json" : "cbor", ["ltp"], 65536), J(SampleLce), [1, 2, 3]);
        switch (rng.Next(12))
        {
            case 0: return Text(RandomText(rng));
            case 1: // a valid frame cut short: invalid JSON
                var t = valid[rng.Next(valid.Length)];
                return Text(t[..rng.Next(t.Length)]);
            case 2:
            case 3: // a random object with a step
                var o = new JsonObject { ["step"] = Steps[rng.Next(Steps.Length)] };
                for (var i = rng.Next(7); i > 0; i--) o[Names[rng.Next(Names.Length)]] = RandomValue(rng, 1);
                return Text(o.ToJsonString());
            case 4:
            case 5: // a valid frame with one member replaced or removed
                var m = JsonNode.Parse(valid[rng.Next(valid.Length)])!.AsObject();
                var name = rng.Next(3) == 0 ? Names[rng.Next(Names.Length)] : m.ElementAt(rng.Next(m.Count)).Key;
                if (rng.Next(3) == 0) m.Remove(name); else m[name] = RandomValue(rng, 1);
                return Text(m.ToJsonString());
            case 6: return Text(valid[rng.Next(valid.Length)]);
            case 7: // random bytes
                var bytes = new byte[rng.Next(64)];
                rng.NextBytes(bytes);
                return new LhsInput.Binary(bytes);
            case 8: // a valid flow frame (json or cbor) with a byte changed or cut
                var f = (byte[])frame.Clone();
                switch (rng.Next(3))
                {
                    case 0: f[rng.Next(f.Length)] = (byte)rng.Next(256); break;
                    case 1: f[rng.Next(4, f.Length - 3)] = (byte)rng.Next(0x80, 0x100); break; // a non-ASCII byte inside the LCE
                    default: f = f[..rng.Next(f.Length)]; break;
                }
                return new LhsInput.Binary(f);
            case 9: // random CBOR LCE
                var lce = new JsonObject { ["v"] = 1, ["intent"] = new JsonObject { ["type"] = "t" }, ["policy"] = new JsonObject { ["consent"] = "c" } };
                for (var i = rng.Next(3); i > 0; i--) lce[Names[rng.Next(Names.Length)]] = RandomValue(rng, 1);
                using (var doc = JsonDocument.Parse(lce.ToJsonString()))
                    return new LhsInput.Binary(FlowFrame.Frame(new CborLceCodec().Encode(doc.RootElement), [9]));
            case 10: return new LhsInput.Binary(frame);
            default:
                return rng.Next(3) switch
                {
                    0 => new LhsInput.Oversize(rng.Next(2) == 0, rng.Next()),
                    1 => new LhsInput.HandshakeTimeout(),
                    _ => new LhsInput.PeerClosed(),
                };
        }
    }

    private static string Show(LhsInput input) => input switch
    {
        LhsInput.Text t => "Text " + t.Value,
        LhsInput.Binary b => "Binary " + Convert.ToHexString(b.Value.Span),
        _ => input.ToString() ?? "?",
    };

    /// <summary>The invariants every step keeps, whatever the input.</summary>
    private static void Invariants<TState>(LhsStep<TState> step, bool wasClosed, bool isClosed, string what)
    {
        if (wasClosed)
        {
            Expect.isTrue(step.Outputs.IsEmpty && step.Rejected is null && isClosed, $"{what}: a closed machine stays silent");
            return;
        }
        if (step.Rejected is { } e)
        {
            Expect.isTrue(isClosed, $"{what}: a rejection closes");
            ErrorThenClose(step.Outputs, e, what);
            return;
        }
        foreach (var o in step.Outputs)
            if (o is LhsOutput.SendText s)
                Expect.isFalse(J(s.Value).GetProperty("step").GetString() == "error", $"{what}: an error frame only with a rejection");
        if (step.Outputs.Any(o => o is LhsOutput.Close))
            Expect.isTrue(isClosed, $"{what}: a close closes");
    }

    /// <summary>Runs <paramref name="perPhase"/> random inputs against each phase of both machines and fails once at
    /// the end, listing every distinct exception (type and message) with its first input, so one bug cannot hide
    /// another.</summary>
    private static void Fuzz(int seed, int perPhase)
    {
        var rng = new Random(seed);
        var env = new SeededEnvironment(9);
        var cfg = Client();
        var h = Run(cfg, env);
        var cbor = Run(Client(["cbor"]), env);
        var closedServer = LhsServer.Step(LhsServerState.Initial, Text("x"), Server, env).State;
        var closedClient = LhsClient.Step(h.ClientStart.State, Text("x"), cfg).State;
        // Flow twice: under a json and under a cbor contract.
        LhsServerState[] servers = [LhsServerState.Initial, h.ServerAfterHello.State, h.ServerAfterBind.State, cbor.ServerAfterBind.State, closedServer];
        LhsClientState[] clients = [h.ClientStart.State, h.ClientAfterMirror.State, h.ClientAfterSeal.State, cbor.ClientAfterSeal.State, closedClient];
        var thrown = new Dictionary<string, (int Count, string First)>();
        var rejections = 0;
        var accepted = 0;

        void Drive<TState>(TState state, string phase, bool closed, Func<TState, LhsInput, LhsStep<TState>> step, Func<TState, bool> isClosed)
        {
            for (var i = 0; i < perPhase; i++)
            {
                var input = RandomInput(rng, h);
                var what = $"{phase} on {Show(input)}";
                LhsStep<TState> result;
                try { result = step(state, input); }
                catch (Exception e)
                {
                    var key = $"{e.GetType().Name}: {e.Message}";
                    thrown[key] = thrown.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.First) : (1, what);
                    continue;
                }
                Invariants(result, closed, isClosed(result.State), what);
                if (result.Rejected is not null) rejections++; else if (result.Outputs.Length > 0) accepted++;
            }
        }

        foreach (var server in servers)
            Drive(server, "server in " + server.Phase, server.Phase == LhsServerPhase.Closed,
                (s, input) => LhsServer.Step(s, input, Server, env), s => s.Phase == LhsServerPhase.Closed);
        foreach (var client in clients)
            Drive(client, "client in " + client.Phase, client.Phase == LhsClientPhase.Closed,
                (s, input) => LhsClient.Step(s, input, cfg), s => s.Phase == LhsClientPhase.Closed);

        Expect.isTrue(thrown.Count == 0, "Step threw:\n" + string.Join("\n", thrown.Select(t => $"  {t.Value.Count} × {t.Key}\n    first: {t.Value.First}")));
        // The generator must reach both sides of the machines, or the property says little.
        Expect.isTrue(rejections > perPhase, $"many rejections ({rejections})");
        Expect.isTrue(accepted > perPhase / 10, $"some accepted steps ({accepted})");
    }

    /// <summary>Drives one server step; a thrown exception fails the test with its type instead of erroring.</summary>
    private static LhsStep<LhsServerState> ServerStepNoThrow(LhsServerState s, string text, IModelEnvironment env, string what)
    {
        try { return LhsServer.Step(s, Text(text), Server, env); }
        catch (Exception e) { Expect.isTrue(false, $"{what}: threw {e.GetType().Name}: {e.Message}"); throw; }
    }

    private static LhsStep<LhsClientState> ClientStepNoThrow(LhsClientState s, string text, LhsClientConfig cfg, string what)
    {
        try { return LhsClient.Step(s, Text(text), cfg); }
        catch (Exception e) { Expect.isTrue(false, $"{what}: threw {e.GetType().Name}: {e.Message}"); throw; }
    }

    // ---- the tests -------------------------------------------------------------------------------------------------

    public static Test Tests() => TestList("model.lhs", new Test[]
    {
        TestList("handshake", new Test[]
        {
            TestCase("json: end to end, then a flow frame each way", () =>
            {
                var env = new SeededEnvironment(1);
                var cfg = Client();
                var h = Run(cfg, env);

                Expect.equal(h.ClientStart.State.Phase, LhsClientPhase.AwaitMirror, "client awaits the mirror");
                var hello = J(h.HelloText);
                Expect.equal(hello.GetProperty("step").GetString(), "hello", "hello step");
                Expect.equal(Csv(hello.GetProperty("encodings")), "json,cbor", "hello encodings");

                Expect.equal(h.ServerAfterHello.State.Phase, LhsServerPhase.AwaitBind, "server awaits bind");
                var mirror = J(h.MirrorText);
                Expect.equal(string.Join(",", mirror.EnumerateObject().Select(p => p.Name)), "step,lri_version,encoding,features,max_frame_bytes,nonce", "mirror members");
                Expect.equal(mirror.GetProperty("step").GetString(), "mirror", "mirror step");
                Expect.equal(mirror.GetProperty("lri_version").GetString(), "0.1", "mirror version");
                Expect.equal(mirror.GetProperty("encoding").GetString(), "json", "mirror encoding");
                Expect.equal(Csv(mirror.GetProperty("features")), "ltp", "mirror features");
                Expect.equal(mirror.GetProperty("max_frame_bytes").GetInt32(), 65536, "mirror max");
                var nonce = mirror.GetProperty("nonce").GetString()!;
                Expect.isTrue(nonce.StartsWith("n-", StringComparison.Ordinal) && Base64Url.TryDecode(nonce[2..], out var nb) && nb.Length == 16, $"nonce n-<16 bytes>: {nonce}");

                Expect.equal(h.ClientAfterMirror.State.Phase, LhsClientPhase.AwaitSeal, "client awaits the seal");
                Expect.equal(J(h.BindText).GetProperty("thread").GetString(), Thread, "bind thread");

                var server = h.ServerAfterBind;
                Expect.equal(server.State.Phase, LhsServerPhase.Flow, "server in flow");
                Expect.equal(server.Outputs.Length, 3, $"seal, established, observe: {Describe(server.Outputs)}");
                var seal = J(h.SealText);
                Expect.equal(seal.GetProperty("step").GetString(), "seal", "seal step");
                var sessionId = seal.GetProperty("session_id").GetString()!;
                Expect.isTrue(sessionId.StartsWith("flow-", StringComparison.Ordinal) && sessionId.Length == 5 + 16, $"session id flow-<16 hex>: {sessionId}");
                Expect.equal(seal.GetProperty("expires_at").GetString(), "2026-01-01T01:00:00Z", "expires one hour after the seeded clock");
                Expect.isTrue(seal.GetProperty("signature").GetString()!.StartsWith(Seal.SignaturePrefix, StringComparison.Ordinal), "ltp:jws: signature");
                var jws = seal.GetProperty("features").GetProperty("ltp").GetProperty("jws");
                Expect.equal(jws.GetProperty("alg").GetString(), "EdDSA", "features.ltp.jws.alg");
                Expect.equal(jws.GetProperty("nonce").GetString(), nonce, "features.ltp.jws.nonce is the mirror nonce");

                var serverEstablished = (LhsOutput.Established)server.Outputs[1];
                var observe = (LhsOutput.Observe)server.Outputs[2];
                Expect.equal(serverEstablished.SessionId, sessionId, "server established session");
                Expect.equal(observe.Name, "lhs.bind", "telemetry hook");
                Expect.equal(observe.Data.GetProperty("thread").GetString(), Thread, "telemetry thread");
                Expect.equal(observe.Data.GetProperty("session_id").GetString(), sessionId, "telemetry session");
                Expect.equal(observe.Data.GetProperty("encoding").GetString(), "json", "telemetry encoding");

                var client = h.ClientAfterSeal;
                Expect.equal(client.State.Phase, LhsClientPhase.Flow, "client in flow");
                var clientEstablished = Only<LhsOutput.Established>(client.Outputs, "client on seal");
                Expect.equal(clientEstablished.SessionId, sessionId, "client established session");
                foreach (var (side, contract) in new[] { ("server", serverEstablished.Contract), ("client", clientEstablished.Contract) })
                {
                    Expect.equal(contract.Encoding, "json", side + " contract encoding");
                    Expect.equal(Csv(contract.Features), "ltp", side + " contract features");
                    Expect.equal(contract.MaxFrameBytes, 65536, side + " contract max");
                }
                Expect.isTrue(server.State.Contract is not null && client.State.Contract is not null, "contracts available in flow");

                byte[] payload = [0xca, 0xfe];
                var toServer = FlowFrame.Encode(clientEstablished.Contract, J(SampleLce), payload);
                var delivered = LhsServer.Step(server.State, new LhsInput.Binary(toServer), Server, env);
                Accepted(delivered.Rejected, "server on a flow frame");
                var d = Only<LhsOutput.Deliver>(delivered.Outputs, "server on a flow frame").Frame;
                Expect.equal(d.Lce.IntentType, "ping", "delivered LCE");
                Expect.equal(Convert.ToHexString(d.Payload.Span), "CAFE", "delivered payload");
                Expect.equal(delivered.State.Phase, LhsServerPhase.Flow, "server stays in flow");

                var toClient = LhsServer.Outgoing(delivered.State, FlowFrame.Encode(serverEstablished.Contract, J(SampleLce), payload));
                var got = LhsClient.Step(client.State, new LhsInput.Binary(toClient), cfg);
                Accepted(got.Rejected, "client on a flow frame");
                Expect.equal(Only<LhsOutput.Deliver>(got.Outputs, "client on a flow frame").Frame.Lce.PolicyConsent, "granted", "client delivered");
                Expect.equal(got.State.Phase, LhsClientPhase.Flow, "client stays in flow");
            }),
            TestCase("cbor: end to end, then a flow frame", () =>
            {
                var env = new SeededEnvironment(1);
                var cfg = Client(["cbor"]);
                var h = Run(cfg, env);
                Expect.equal(J(h.MirrorText).GetProperty("encoding").GetString(), "cbor", "mirror encoding");
                Expect.equal(h.ServerAfterBind.State.Phase, LhsServerPhase.Flow, "server in flow");
                Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, "client in flow");
                var contract = h.ClientAfterSeal.State.Contract!;
                Expect.equal(contract.Encoding, "cbor", "contract encoding");
                var frame = FlowFrame.Encode(contract, J(SampleLce), [7]);
                Expect.equal(frame[4], (byte)0xA3, "the LCE is a CBOR map");
                var delivered = LhsServer.Step(h.ServerAfterBind.State, new LhsInput.Binary(frame), Server, env);
                Accepted(delivered.Rejected, "server on a cbor flow frame");
                Expect.equal(Only<LhsOutput.Deliver>(delivered.Outputs, "server on a cbor flow frame").Frame.Lce.IntentType, "ping", "delivered");
            }),
            TestCase("a ULID thread is accepted", () =>
            {
                var cfg = Client() with { Thread = Ulid };
                var h = Run(cfg, new SeededEnvironment(1));
                Expect.equal(h.ServerAfterBind.State.Bind!.Thread, Ulid, "bound thread");
                Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, "client in flow");
            }),
            TestCase("bind with auth and context is accepted and reaches telemetry", () =>
            {
                var cfg = Client() with
                {
                    Auth = J("""{"scheme":"Bearer","token":"t"}"""),
                    Context = J("""{"intent":{"type":"teach"},"affect":{"pad":[0.2,0.1,0.3]}}"""),
                };
                var h = Run(cfg, new SeededEnvironment(1));
                var observe = (LhsOutput.Observe)h.ServerAfterBind.Outputs[2];
                Expect.equal(observe.Data.GetProperty("context").GetProperty("intent").GetProperty("type").GetString(), "teach", "context in telemetry");
                Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, "client in flow");
            }),
            TestCase("a hello with session metadata is accepted", () =>
            {
                var cfg = Client() with { Session = J("""{"kind":"ephemeral","locale":"en-US"}""") };
                var h = Run(cfg, new SeededEnvironment(1));
                Expect.isTrue(J(h.HelloText).TryGetProperty("session", out _), "session sent");
                Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, "client in flow");
            }),
            TestCase("a handshake timeout in flow changes nothing", () =>
            {
                var env = new SeededEnvironment(1);
                var h = Run(Client(), env);
                var s = LhsServer.Step(h.ServerAfterBind.State, new LhsInput.HandshakeTimeout(), Server, env);
                Expect.isTrue(s.Outputs.IsEmpty && s.Rejected is null && s.State.Phase == LhsServerPhase.Flow, "server ignores it");
                var c = LhsClient.Step(h.ClientAfterSeal.State, new LhsInput.HandshakeTimeout(), Client());
                Expect.isTrue(c.Outputs.IsEmpty && c.Rejected is null && c.State.Phase == LhsClientPhase.Flow, "client ignores it");
            }),
        }),

        TestList("negotiation", new Test[]
        {
            TestCase("the first client-preferred encoding the server supports", () =>
            {
                foreach (var (offered, chosen) in new (string[], string)[]
                {
                    (["json", "cbor"], "json"), (["cbor", "json"], "cbor"), (["x", "json", "cbor"], "json"), (["x", "cbor"], "cbor"),
                })
                {
                    var hello = HelloWith(o => o["encodings"] = new JsonArray(offered.Select(e => (JsonNode?)e).ToArray()));
                    var step = LhsServer.Step(LhsServerState.Initial, Text(hello), Server, new SeededEnvironment(1));
                    Expect.equal(J(OnlyText(step.Outputs, "mirror")).GetProperty("encoding").GetString(), chosen, $"[{Csv(offered)}]");
                }
            }),
            TestCase("features are the intersection, in the client's order, without duplicates", () =>
            {
                foreach (var (requested, enabled) in new (string[], string)[]
                {
                    (["ltp"], "ltp"), ([], ""), (["bogus"], ""), (["telemetry", "bogus", "ltp", "ltp"], "telemetry,ltp"), (["lss", "ltp", "telemetry"], "lss,ltp,telemetry"),
                })
                {
                    var hello = HelloWith(o => o["features"] = new JsonArray(requested.Select(e => (JsonNode?)e).ToArray()));
                    var step = LhsServer.Step(LhsServerState.Initial, Text(hello), Server, new SeededEnvironment(1));
                    Expect.equal(Csv(J(OnlyText(step.Outputs, "mirror")).GetProperty("features")), enabled, $"[{Csv(requested)}]");
                }
            }),
            TestCase("max_frame_bytes is the minimum of the two", () =>
            {
                foreach (var (asked, got) in new[] { (1, 1), (1000, 1000), (65536, 65536), (65537, 65536), (int.MaxValue, 65536) })
                {
                    var step = LhsServer.Step(LhsServerState.Initial, Text(HelloWith(o => o["max_frame_bytes"] = asked)), Server, new SeededEnvironment(1));
                    Expect.equal(J(OnlyText(step.Outputs, "mirror")).GetProperty("max_frame_bytes").GetInt32(), got, $"hello asked {asked}");
                }
            }),
            TestCase("another minor of the same major is accepted; the mirror states the server's version", () =>
            {
                var step = LhsServer.Step(LhsServerState.Initial, Text(HelloWith(o => o["lri_version"] = "0.7.3")), Server, new SeededEnvironment(1));
                Expect.equal(J(OnlyText(step.Outputs, "mirror")).GetProperty("lri_version").GetString(), "0.1", "server version");
            }),
            TestCase("a server with other capabilities", () =>
            {
                var caps = new ServerCapabilities("2.3", ["cbor"], ["lss"], 1024);
                var cfg = new LhsServerConfig(caps, Key, TimeSpan.FromMinutes(5));
                var hello = HelloWith(o => { o["lri_version"] = "2.0"; o["features"] = new JsonArray("ltp", "lss"); });
                var step = LhsServer.Step(LhsServerState.Initial, Text(hello), cfg, new SeededEnvironment(1));
                var mirror = J(OnlyText(step.Outputs, "mirror"));
                Expect.equal(mirror.GetProperty("lri_version").GetString(), "2.3", "version");
                Expect.equal(mirror.GetProperty("encoding").GetString(), "cbor", "encoding");
                Expect.equal(Csv(mirror.GetProperty("features")), "lss", "features");
                Expect.equal(mirror.GetProperty("max_frame_bytes").GetInt32(), 1024, "max");
                Rejects(LhsServer.Step(LhsServerState.Initial, Text(Client().HelloText()), cfg, new SeededEnvironment(1)),
                    LhsErrorCode.VersionMismatch, LhsRules.Version, "major 0 against a major-2 server");
            }),
            TestCase("the client accepts every mirror the server makes", () =>
            {
                foreach (var cfg in new[] { Client(), Client(["cbor"]), Client(["x", "cbor"], ["telemetry", "ltp"], 1000), Client(["json"], [], 1 << 20) })
                {
                    var h = Run(cfg, new SeededEnvironment(2));
                    Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, $"client [{Csv(cfg.Encodings)}] reaches flow");
                }
            }),
            TestCase("a nonce per connection: same environment, 100 connections", () =>
            {
                var env = new SeededEnvironment(1);
                var nonces = new HashSet<string>();
                var sessions = new HashSet<string>();
                for (var i = 0; i < 100; i++)
                {
                    var h = Run(Client(), env);
                    Expect.isTrue(nonces.Add(J(h.MirrorText).GetProperty("nonce").GetString()!), $"nonce {i} is new");
                    Expect.isTrue(sessions.Add(J(h.SealText).GetProperty("session_id").GetString()!), $"session id {i} is new");
                }
            }),
            TestCase("different seeds give different nonces", () =>
            {
                var a = J(Run(Client(), new SeededEnvironment(1)).MirrorText).GetProperty("nonce").GetString();
                var b = J(Run(Client(), new SeededEnvironment(2)).MirrorText).GetProperty("nonce").GetString();
                Expect.notEqual(a, b, "seed 1 vs seed 2");
            }),
        }),

        TestList("seal signature", new Test[]
        {
            TestCase("verifies only over JCS([hello, mirror, bind, nonce]) with the server key", () =>
            {
                var h = Run(Client(), new SeededEnvironment(1));
                var s = h.ServerAfterBind.State;
                var (hello, mirror, bind, nonce) = (s.Hello!.Json, s.Mirror!.Json, s.Bind!.Json, s.Mirror.Nonce);
                var signature = J(h.SealText).GetProperty("signature").GetString()!;
                var payload = SealSignature.Payload(hello, mirror, bind, nonce);
                Expect.equal(Convert.ToHexString(payload), Convert.ToHexString(ServerPayload(h)), "the payload is JCS of the array of the three wire frames and the nonce");
                Expect.isTrue(SealSignature.Verify(signature, payload, Key.PublicKey) is null, "the right payload verifies");

                void Fails(byte[] other, ReadOnlySpan<byte> key, string what)
                {
                    var e = SealSignature.Verify(signature, other, key);
                    Expect.isTrue(e is not null, $"{what}: must not verify");
                    Expect.equal(e!.Code.Wire(), LhsErrorCode.TrustFailed.Wire(), $"{what}: code");
                    Expect.equal(e.Rule, LhsRules.SealCovers, $"{what}: rule");
                }
                Fails(Jcs.Canonicalize($"[{hello.GetRawText()},{mirror.GetRawText()},{bind.GetRawText()}]"), Key.PublicKey, "without the nonce");
                Fails(SealSignature.Payload(hello, mirror, bind, nonce + "x"), Key.PublicKey, "another nonce");
                Fails(SealSignature.Payload(mirror, hello, bind, nonce), Key.PublicKey, "hello and mirror swapped");
                Fails(SealSignature.Payload(hello, bind, mirror, nonce), Key.PublicKey, "mirror and bind swapped");
                Fails(Jcs.Canonicalize($"[{hello.GetRawText()},{mirror.GetRawText()},{bind.GetRawText()},{JsonSerializer.Serialize(nonce)},null]"), Key.PublicKey, "an extra element");
                Fails(Encoding.UTF8.GetBytes(h.HelloText + h.MirrorText + h.BindText + nonce), Key.PublicKey, "plain concatenation");
                Fails(payload, OtherKey.PublicKey, "another key");
            }),
            TestCase("re-spelled JSON gives the same payload (whitespace, member order, escapes)", () =>
            {
                var canonical = Client().HelloText();
                const string respelled = """
                    { "max_frame_bytes" : 65536.0e0 ,
                      "features" : [ "\u006ctp" ],
                      "encodings" : [ "json" , "cbor" ],
                      "lri_version" : "0.1",
                      "step" : "hello" }
                    """;
                var bind = J(Client().BindText());
                var mirror = J(MirrorText);
                Expect.equal(Convert.ToHexString(SealSignature.Payload(J(respelled), mirror, bind, "n")),
                    Convert.ToHexString(SealSignature.Payload(J(canonical), mirror, bind, "n")), "same JCS payload");
            }),
            TestCase("a server that got a re-spelled hello still seals what the client verifies", () =>
            {
                static string Respell(string hello) => Edit(hello, o =>
                {
                    var members = o.ToArray();
                    o.Clear();
                    foreach (var (k, v) in members.Reverse()) o[k] = v?.DeepClone();
                }).Replace(",", " ,\n  ").Replace(":", " : ");
                var h = Run(Client(), new SeededEnvironment(1), Respell);
                Expect.notEqual(Respell(h.HelloText), h.HelloText, "the wire text differs");
                Expect.equal(h.ClientAfterSeal.State.Phase, LhsClientPhase.Flow, "the client verified the seal");
            }),
            TestCase("a seal replayed from another connection fails (nonce bound in)", () =>
            {
                var env = new SeededEnvironment(1);
                var cfg = Client();
                var first = Run(cfg, env);
                var second = Run(cfg, env);
                Expect.equal(second.HelloText + second.BindText, first.HelloText + first.BindText, "same hello and bind");
                var step = LhsClient.Step(second.ClientAfterMirror.State, Text(first.SealText), cfg);
                Rejects(step, LhsErrorCode.TrustFailed, LhsRules.SealCovers, "replayed seal");
            }),
        }),

        TestList("server rejections", ServerCases().Select(ServerRejection).ToArray()),
        TestList("client rejections", ClientCases().Select(ClientRejection).ToArray()),

        TestList("peer error and close", new Test[]
        {
            TestCase("server: a peer error frame closes without an error frame, in every phase", () =>
            {
                foreach (var phase in new[] { SP.AwaitHello, SP.AwaitBind, SP.Flow })
                {
                    var env = new SeededEnvironment(1);
                    var step = LhsServer.Step(ServerIn(phase, env), Text("""{"step":"error","code":"lhs.invalid_bind","detail":"x"}"""), Server, env);
                    Expect.isTrue(step.Rejected is null, $"{phase}: not a rejection");
                    var close = Only<LhsOutput.Close>(step.Outputs, $"{phase}: only a close");
                    Expect.equal(close.Code, LhsWire.NormalCloseCode, $"{phase}: normal close");
                    ServerSilent(step.State, env, $"{phase} after a peer error");
                }
            }),
            TestCase("client: a peer error frame closes without an error frame, in every phase", () =>
            {
                var h = Run(Client(), new SeededEnvironment(1));
                foreach (var state in new[] { h.ClientStart.State, h.ClientAfterMirror.State, h.ClientAfterSeal.State })
                {
                    var step = LhsClient.Step(state, Text("""{"step":"error","code":"lhs.trust_failed","detail":"x"}"""), Client());
                    Expect.isTrue(step.Rejected is null, $"{state.Phase}: not a rejection");
                    Expect.equal(Only<LhsOutput.Close>(step.Outputs, $"{state.Phase}: only a close").Code, LhsWire.NormalCloseCode, $"{state.Phase}: normal close");
                    ClientSilent(step.State, Client(), $"{state.Phase} after a peer error");
                }
            }),
            TestCase("peer closed: closed, nothing sent", () =>
            {
                var env = new SeededEnvironment(1);
                var h = Run(Client(), env);
                foreach (var state in new[] { LhsServerState.Initial, h.ServerAfterHello.State, h.ServerAfterBind.State })
                {
                    var step = LhsServer.Step(state, new LhsInput.PeerClosed(), Server, env);
                    Expect.isTrue(step.Outputs.IsEmpty && step.Rejected is null, $"server {state.Phase}: silent");
                    Expect.equal(step.State.Phase, LhsServerPhase.Closed, $"server {state.Phase}: closed");
                }
                foreach (var state in new[] { h.ClientStart.State, h.ClientAfterMirror.State, h.ClientAfterSeal.State })
                {
                    var step = LhsClient.Step(state, new LhsInput.PeerClosed(), Client());
                    Expect.isTrue(step.Outputs.IsEmpty && step.Rejected is null, $"client {state.Phase}: silent");
                    Expect.equal(step.State.Phase, LhsClientPhase.Closed, $"client {state.Phase}: closed");
                }
            }),
        }),

        TestList("determinism", new Test[]
        {
            TestCase("same seed, same inputs → byte-identical server outputs", () =>
            {
                var a = Run(Client(), new SeededEnvironment(5));
                var b = Run(Client(), new SeededEnvironment(5));
                Expect.equal(b.MirrorText, a.MirrorText, "mirror text");
                Expect.equal(b.SealText, a.SealText, "seal text");
                Expect.equal(b.ServerAfterBind.Outputs.Length, a.ServerAfterBind.Outputs.Length, "output count");
                Expect.equal(((LhsOutput.Observe)b.ServerAfterBind.Outputs[2]).Data.GetRawText(),
                    ((LhsOutput.Observe)a.ServerAfterBind.Outputs[2]).Data.GetRawText(), "telemetry");
            }),
            TestCase("another seed → another mirror and seal", () =>
            {
                var a = Run(Client(), new SeededEnvironment(5));
                var b = Run(Client(), new SeededEnvironment(6));
                Expect.notEqual(b.MirrorText, a.MirrorText, "mirror text");
                Expect.notEqual(b.SealText, a.SealText, "seal text");
            }),
            TestCase("the seal's expiry follows the environment clock", () =>
            {
                var env = new SeededEnvironment(5, new DateTimeOffset(2030, 2, 3, 4, 5, 6, TimeSpan.Zero));
                var h = Run(Client(), env);
                Expect.equal(J(h.SealText).GetProperty("expires_at").GetString(), "2030-02-03T05:05:06Z", "now + 1 h");
            }),
        }),

        TestList("garbage never throws", new Test[]
        {
            TestCase("random inputs in every phase (Random(7), 500 per phase)", () => Fuzz(7, 500)),
        }),

        // Inputs that are valid JSON text (even plain ASCII on the wire) but not I-JSON. JCS refuses them, so a machine
        // that accepts them early cannot compute the seal payload later. Whatever the model decides, Step must answer
        // with a rejection (error frame + close), never an exception.
        TestList("non-I-JSON input never throws", new Test[]
        {
            TestCase("server: escaped lone surrogate in a member name", () =>
            {
                var env = new SeededEnvironment(1);
                var step = ServerStepNoThrow(LhsServerState.Initial, """{"\uD800":1,"step":"hello"}""", env, "hello with a \\uD800 key");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "hello with a \\uD800 key");
            }),
            TestCase("server: escaped lone surrogate in a hello field", () =>
            {
                var env = new SeededEnvironment(1);
                var text = HelloWith(o => o["features"] = new JsonArray("ltp")).Replace("\"ltp\"", "\"\\uD800\"");
                var step = ServerStepNoThrow(LhsServerState.Initial, text, env, "hello with a \\uD800 feature");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "hello with a \\uD800 feature");
            }),
            TestCase("server: escaped lone surrogate in an extra hello member, then bind", () =>
            {
                var env = new SeededEnvironment(1);
                var text = HelloWith(o => o["x"] = "PLACEHOLDER").Replace("PLACEHOLDER", "\\uDC00");
                var first = ServerStepNoThrow(LhsServerState.Initial, text, env, "hello");
                if (first.Rejected is { } e) { ErrorThenClose(first.Outputs, e, "hello"); return; }
                var second = ServerStepNoThrow(first.State, Client().BindText(), env, "bind after a non-I-JSON hello");
                Expect.isTrue(second.Rejected is not null, "the seal payload cannot be computed: rejected by the bind at the latest");
                ErrorThenClose(second.Outputs, second.Rejected!, "bind");
            }),
            TestCase("server: a bind whose context holds 1e400", () =>
            {
                var env = new SeededEnvironment(1);
                var state = ServerIn(SP.AwaitBind, env);
                var text = BindWith(o => o["context"] = new JsonObject { ["n"] = 1 }).Replace("\"n\":1", "\"n\":1e400");
                var step = ServerStepNoThrow(state, text, env, "bind with 1e400");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "bind with 1e400");
            }),
            TestCase("server: a raw (unpaired) UTF-16 surrogate in a text message", () =>
            {
                var env = new SeededEnvironment(1);
                var step = ServerStepNoThrow(LhsServerState.Initial, "{\"step\":\"hello\",\"x\":\"\uD800\"}", env, "raw surrogate");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "raw surrogate");
            }),
            TestCase("server: a JSON LCE with invalid UTF-8 in a string, in flow", () =>
            {
                var env = new SeededEnvironment(1);
                var state = ServerIn(SP.Flow, env);
                var lce = Encoding.UTF8.GetBytes(SampleLce.Replace("ping", "p\u0001ng"));
                lce[Array.IndexOf(lce, (byte)1)] = 0xEA; // a lead byte without its continuation bytes
                LhsStep<LhsServerState>? step = null;
                try { step = LhsServer.Step(state, new LhsInput.Binary(FlowFrame.Frame(lce, [])), Server, env); }
                catch (Exception e) { Expect.isTrue(false, $"threw {e.GetType().Name}: {e.Message}"); }
                Expect.isTrue(step!.Rejected is not null, "rejected");
                Expect.equal(step.Rejected!.Code.Wire(), LhsErrorCode.InvalidLce.Wire(), "code");
                ErrorThenClose(step.Outputs, step.Rejected, "invalid UTF-8 LCE");
            }),
            TestCase("client: escaped lone surrogate in the mirror nonce", () =>
            {
                var cfg = Client();
                var step = ClientStepNoThrow(LhsClient.Start(cfg).State, MirrorWith(o => o["nonce"] = "PLACEHOLDER").Replace("PLACEHOLDER", "\\uD800"), cfg, "mirror");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "mirror with a \\uD800 nonce");
            }),
            TestCase("client: a mirror holding 1e400, then a seal", () =>
            {
                var cfg = Client();
                var mirror = ClientStepNoThrow(LhsClient.Start(cfg).State, MirrorWith(o => o["x"] = 1).Replace("\"x\":1", "\"x\":1e400"), cfg, "mirror with 1e400");
                if (mirror.Rejected is { } e) { ErrorThenClose(mirror.Outputs, e, "mirror"); return; }
                var seal = """{"step":"seal","session_id":"flow-1","signature":"ltp:jws:eyJhbGciOiJFZERTQSJ9..AAAA"}""";
                var step = ClientStepNoThrow(mirror.State, seal, cfg, "seal after a non-I-JSON mirror");
                Expect.isTrue(step.Rejected is not null, "rejected");
                ErrorThenClose(step.Outputs, step.Rejected!, "seal");
            }),
        }),
    });
}
