// vectors/lhs/transcripts.json: whole connections. Server transcripts: the client's messages in order and, for each,
// what the server model (LhsServer, seeded environment, fixed key) does: the frames it sends, the flow frames it
// accepts, the telemetry hook, the close. Client transcripts: the same for the client model (LhsClient) fed with the
// server model's own frames, tampered where the test says.
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using static Conformance.Suite.Vectors.Lhs.LhsVectorKit;
using Conformance.Suite.Core;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class TranscriptVectors : IVectorTopic
{
    public string Spec => "lhs";
    public string Topic => "transcripts";

    private static readonly Dictionary<string, VectorNote> Notes = new()
    {
        ["CompleteHandshake"] = Note(VectorBugType.Basic, "§2: hello → mirror → bind → seal → flow.",
            "answer the hello with a mirror and the bind with a seal, then accept flow frames", "LHS-6-flow-accepted"),
        ["JsonFlow"] = Note(VectorBugType.Basic, "Flow under the negotiated encoding json: the LCE is UTF-8 JSON text (§6).", "accept: deliver the frame", LhsRules.EncodingEnforced),
        ["CborFlow"] = Note(VectorBugType.Basic, "Flow under the negotiated encoding cbor: the LCE is a CBOR map (Strict decoding, any key order) (§6).",
            "accept: deliver the frame", LhsRules.EncodingEnforced, "RFC 8949"),
        ["FeatureUse"] = Note(VectorBugType.Basic, "Flow frames whose LCE uses negotiated features (top-level sig for ltp, lss for lss, telemetry for telemetry).",
            "accept: deliver the frame", LhsRules.FeaturesEnforced),
        ["ExactLimit"] = Note(VectorBugType.EdgeCase, "A flow frame of exactly the negotiated max_frame_bytes (the whole binary message).", "accept: deliver the frame", LhsRules.FrameLimit),
        ["TelemetryHook"] = Rule("LHS-7-telemetry-bind", VectorBugType.Basic, "emit the hook; it is not a wire frame (check it on an observation channel if the implementation has one)",
            "The server's hook is lhs.bind (thread, session_id, encoding, features, context)."),
        ["PeerError"] = Note(VectorBugType.EdgeCase, "The peer's own error frame ends the connection.",
            "close normally (1000) without answering with an error frame", "SPEC-NOTES.md#rejection-error-frame-then-close"),
        ["PeerClose"] = Note(VectorBugType.Basic, "The peer closes the connection.", "send nothing"),
        ["IdleInFlow"] = Note(VectorBugType.EdgeCase, "No message for longer than the handshake timeout once flow has started.", "keep the connection: the handshake timer no longer applies"),
        ["ErrorThenClose"] = Rule("LHS-4-no-flow", VectorBugType.Ordering, "send nothing more and accept nothing, whatever the peer sends next",
            "After an error frame (its own, or the peer's) and the close; the events after it have empty expectations.", "LHS-4-close"),
        ["Retry"] = Rule(LhsRules.SingleShot, VectorBugType.Basic, "answer as a fresh handshake (fresh nonce)", "A new connection with the same hello."),
        ["SealTampered"] = Rule("LHS-3.4-client-aborts", VectorBugType.AuthBypass, "the client aborts the connection: no flow",
            "The seal the server sent, changed in transit (or sent by a server whose key the client does not trust)."),
        ["MirrorIncompatible"] = Rule("LHS-3.2-mirror-checked", VectorBugType.ModifiedParameter, "the client rejects the mirror and closes"),
    };

    private static readonly ServerCapabilities Caps = ServerCapabilities.Reference;
    private const string Uuid = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

    private static JsonObject Shared(Ed25519Signer key) => new()
    {
        ["serverCapabilities"] = CapabilitiesJson(Caps),
        ["serverPublicKey"] = VectorJson.Hex(key.PublicKey),
        ["serverPrivateSeed"] = VectorJson.Hex(Seed(ServerKeyLabel)),
        ["sessionLifetimeSeconds"] = 3600,
        ["environmentStart"] = "2026-01-01T00:00:00Z",
    };

    /// <summary>
    /// A transcripts file holding a trace the property run found (`--save-vector`): one server transcript per
    /// connection, the client's frames exactly as the suite sent them, the server model's answers as expected
    /// (flag TraceFound, whose note says where the trace came from). It follows lhs-transcripts.schema.json, so the
    /// shim op lhs.transcript.server replays it.
    /// </summary>
    public static VectorFile TraceFound(ulong seed, string origin, IReadOnlyList<IReadOnlyList<(bool Binary, byte[] Bytes)>> connections)
    {
        var notes = new Dictionary<string, VectorNote>(Notes) { ["TraceFound"] = TraceFoundNote(origin) };
        var c = new LhsVectorCollector(notes);
        using var key = Key(ServerKeyLabel);
        var cfg = new LhsServerConfig(Caps, key, TimeSpan.FromHours(1));
        c.Group("ServerTranscript", Shared(key));
        for (var i = 0; i < connections.Count; i++)
        {
            ClientEvent[] events = [.. connections[i].Select(f => f.Binary ? (ClientEvent)new ClientEvent.Binary(f.Bytes) : new ClientEvent.Text(Encoding.UTF8.GetString(f.Bytes))),
                new ClientEvent.Closed()];
            AddServer(c, cfg, seed, i, $"property trace, connection {i + 1} of {connections.Count}", events, ["TraceFound"]);
        }
        return c.Build(Builder(seed));
    }

    /// <summary>
    /// A transcripts file holding an LHS client trace the property run found (`--save-vector`): one client transcript
    /// per connection. The client's configuration is what it declared on the wire (its hello, and the thread and
    /// context of its bind), checked to reproduce those two frames exactly as JCS values; the server's frames are the
    /// suite's exactly as sent, then the server's close; what the client must do is the client model's answer
    /// (flag TraceFound). Null, with why, when a connection's hello or bind cannot be taken as a configuration.
    /// </summary>
    public static (VectorFile? File, string? Why) ClientTraceFound(ulong seed, string origin, IReadOnlyList<IReadOnlyList<TraceFrame>> connections)
    {
        var notes = new Dictionary<string, VectorNote>(Notes) { ["TraceFound"] = TraceFoundNote(origin) };
        var c = new LhsVectorCollector(notes);
        // The suite played the server with its published test key (README "Test keys").
        var suiteServerSeed = Seed(TestKeys.SuiteLhsServerLabel);
        using var suiteKey = new Ed25519Signer(suiteServerSeed);
        c.Group("ClientTranscript", new JsonObject
        {
            ["serverPublicKey"] = VectorJson.Hex(suiteKey.PublicKey),
            ["serverPrivateSeed"] = VectorJson.Hex(suiteServerSeed),
            ["environmentStart"] = "2026-01-01T00:00:00Z",
        });
        for (var i = 0; i < connections.Count; i++)
        {
            var (cc, why) = DeclaredConfig(connections[i].Where(f => !f.Sent).ToArray(), suiteKey.PublicKey);
            if (cc is null) return (null, $"connection {i + 1}: {why}");
            ClientEvent[] events = [.. connections[i].Where(f => f.Sent).Select(f => f.Binary ? (ClientEvent)new ClientEvent.Binary(f.Bytes) : new ClientEvent.Text(f.Text)),
                new ClientEvent.Closed()];
            AddClientRun(c, cc, seed, $"lhs-transcripts/client/trace/{i}", $"property trace, connection {i + 1} of {connections.Count}", events, ["TraceFound"]);
        }
        return (c.Build(Builder(seed)), null);
    }

    /// <summary>
    /// The client configuration behind what a client declared (its hello, and its bind when it sent one), or why there
    /// is none: a hello or bind the client model would never send has no configuration (the vector would be about a
    /// different client).
    /// </summary>
    private static (LhsClientConfig? Config, string? Why) DeclaredConfig(TraceFrame[] fromClient, byte[] trustedKey)
    {
        var frames = fromClient.Where(f => !f.Binary).Select(f => (f.Text, Frame: ControlFrame.Parse(f.Text))).ToArray();
        if (frames.Length == 0 || frames[0].Frame.Value?.Step != LhsStepName.Hello) return (null, "the client's first frame is not a hello");
        var hello = Model.Lhs.Hello.Validate(frames[0].Frame.Value!);
        if (hello.Error is { } he) return (null, $"the client's hello is not one the client model sends ({he.Detail})");
        var bindText = frames.Skip(1).FirstOrDefault(f => f.Frame.Value?.Step == LhsStepName.Bind).Text;
        Model.Lhs.Bind? bind = null;
        if (bindText is not null)
        {
            var checkedBind = Model.Lhs.Bind.Validate(ControlFrame.Parse(bindText).Value!);
            if (checkedBind.Error is { } be) return (null, $"the client's bind is not one the client model sends ({be.Detail})");
            bind = checkedBind.Value;
        }
        var h = hello.Value!;
        var cc = new LhsClientConfig(h.LriVersion, h.Encodings, h.Features, h.MaxFrameBytes, bind?.Thread ?? Uuid, trustedKey, Context: bind?.Context?.Clone());
        // The seal the suite sent covers the client's own hello and bind: the model must send the same ones.
        if (!Jcs.Canonicalize(cc.HelloText()).AsSpan().SequenceEqual(Jcs.Canonicalize(frames[0].Text))) return (null, "the client's hello has more than a configuration says");
        if (bindText is not null && !Jcs.Canonicalize(cc.BindText()).AsSpan().SequenceEqual(Jcs.Canonicalize(bindText)))
            return (null, "the client's bind has more than a thread and a context");
        return (cc, null);
    }

    private static VectorFileBuilder Builder(ulong seed) => new("lhs", "transcripts", "lhs-transcripts.schema.json", seed,
            "LHS whole connections (WebSocket profile, §6). Server transcripts: clientEvents are what the client does, in order (a text message, a binary message as hex, the server's handshake timer firing, or the client closing); expected[i] lists what the server does in answer to clientEvents[i], in order: send a text frame, send a binary frame, deliver an accepted flow frame to its application (the reference edge echoes it unchanged), emit a telemetry hook, close with a WebSocket close code.",
            "Client transcripts: the same with the roles swapped; expectedStart is what the client does on connecting (its hello), serverEvents what the server sends.",
            "valid: nothing is rejected; invalid: the side under test rejects (expectedError: the error frame's code, the rule the model says was broken, an informative detail), sends one error frame and closes with 1008, then sends nothing more.",
            "Frames are the reference's exact bytes. Compare control frames as JSON values (member order and whitespace do not matter); compare an error frame by step and code only. Binary frames compare byte for byte.",
            "Randomness: the server's nonce (\"n-\" + base64url of 16 bytes drawn at the hello) and session_id (\"flow-\" + hex of 8 bytes drawn at the bind) come from a seeded environment: the byte stream is SHA-256(K ‖ c) for c = 0, 1, … (c as 8-byte big-endian), K = SHA-256(UTF-8(\"conformance-seed:\" + environment.seed + \":\" + environment.stream)); the clock reads environment.start, so expires_at = start + sessionLifetimeSeconds. An implementation that cannot inject them compares mirror and seal with nonce, session_id and signature left out, and checks the signature as in lhs/seal.json.",
            "Expected outputs are computed by the project's state machines (LhsServer, LhsClient).");

    public VectorFile Generate(ulong seed)
    {
        var b = Builder(seed);
        var c = new LhsVectorCollector(Notes);
        using var key = Key(ServerKeyLabel);
        using var other = Key(OtherKeyLabel);
        var cfg = new LhsServerConfig(Caps, key, TimeSpan.FromHours(1));
        var shared = Shared(key);
        var n = 0;
        void S(string comment, ClientEvent[] events, params string[] flags) => AddServer(c, cfg, seed, n++, comment, events, flags);

        // ---- Complete handshakes, every encoding × feature set, with flow frames that use what was granted.
        c.Group("ServerTranscript", shared.DeepClone().AsObject());
        string[][] featureSets = [[], ["ltp"], ["lss", "telemetry"], ["ltp", "lss", "telemetry"]];
        foreach (var enc in new[] { "json", "cbor" })
            foreach (var fs in featureSets)
            {
                var events = new List<ClientEvent> { T(Hello(Caps.LriVersion, [enc, Other(enc)], fs, 65536)), T(Bind(Uuid)), Bin(Flow(enc, Lce("ping"), "hello, flow")) };
                if (fs.Contains("ltp")) events.Add(Bin(Flow(enc, Lce("say", ("sig", "\"ltp:jws:eyJhbGciOiJFZERTQSJ9..AA\"")), "signed")));
                if (fs.Contains("lss")) events.Add(Bin(Flow(enc, Lce("reflect", ("lss", "{\"coherence\":0.82}")), "")));
                if (fs.Contains("telemetry")) events.Add(Bin(Flow(enc, Lce("ping", ("telemetry", "{\"rtt_ms\":12}")), "t")));
                events.Add(new ClientEvent.Closed());
                S($"complete {enc} handshake, features [{string.Join(", ", fs)}], flow using them, client closes", [.. events],
                    "CompleteHandshake", enc == "json" ? "JsonFlow" : "CborFlow", fs.Length > 0 ? "FeatureUse" : "CompleteHandshake", "TelemetryHook", "PeerClose");
            }
        var ctx = "{\"intent\":{\"type\":\"teach\"},\"affect\":{\"pad\":[0.2,0.1,0.3]}}";
        S("§3.3 example bind (auth and context)", [T(Hello("0.1", ["json"], ["ltp", "lss"], 65536)),
            T($"{{\"step\":\"bind\",\"thread\":\"{Uuid}\",\"auth\":{{\"scheme\":\"Bearer\",\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...\"}},\"context\":{ctx}}}"),
            Bin(Flow("json", Lce("teach"), "lesson 1"))], "CompleteHandshake", "JsonFlow", "TelemetryHook");
        S("ULID thread", [T(Hello("0.1", ["cbor"], [], 65536)), T(Bind("01ARZ3NDEKTSV4RRFFQ69G5FAV")), Bin(Flow("cbor", Lce("ping"), "x"))], "CompleteHandshake", "CborFlow", "TelemetryHook");
        S("upper-case UUID thread", [T(Hello("0.1", ["json"], [], 65536)), T(Bind("9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D"))], "CompleteHandshake", "TelemetryHook");
        S("lower-case ULID thread", [T(Hello("0.1", ["json"], [], 65536)), T(Bind("01arz3ndektsv4rrffq69g5fav"))], "CompleteHandshake", "TelemetryHook");
        S("other minor version, extra members in hello and bind", [T(WithRaw(Hello("0.7.1", ["json"], ["ltp"], 65536), "x-agent", "\"vectors\"")),
            T(WithRaw(Bind(Uuid), "x-note", "[1,2]")), Bin(Flow("json", Lce("ping"), ""))], "CompleteHandshake", "JsonFlow", "TelemetryHook");
        foreach (var enc in new[] { "json", "cbor" })
        {
            var lce = Lce("ping");
            var fill = 256 - 4 - LceBytes(enc, lce).Length;
            S($"{enc}: max_frame_bytes 256 negotiated; a frame of exactly 256 bytes", [T(Hello("0.1", [enc], [], 256)), T(Bind(Uuid)),
                Bin(Flow(enc, lce, new string('a', fill)))], "CompleteHandshake", "ExactLimit", "TelemetryHook");
            S($"{enc}: a frame of 257 bytes when 256 was negotiated", [T(Hello("0.1", [enc], [], 256)), T(Bind(Uuid)),
                Bin(Flow(enc, lce, new string('a', fill + 1)))]);
            S($"{enc}: a frame of 65537 bytes under the server's limit 65536", [T(Hello("0.1", [enc], [], 1 << 20)), T(Bind(Uuid)),
                Bin(Flow(enc, lce, new string('b', 65536 - 4 - LceBytes(enc, lce).Length + 1)))]);
        }
        S("empty payload and extra LCE members", [T(Hello("0.1", ["json"], [], 65536)), T(Bind(Uuid)),
            Bin(Flow("json", "{\"v\":1.0,\"intent\":{\"type\":\"ping\",\"x\":1},\"policy\":{\"consent\":\"granted\"},\"trace\":[1,2]}", ""))], "CompleteHandshake", "JsonFlow", "TelemetryHook");
        S("CBOR LCE with keys out of canonical order", [T(Hello("0.1", ["cbor"], [], 65536)), T(Bind(Uuid)),
            Bin(FlowFrame.Frame(CborMap(("v", 1), ("policy", "granted"), ("intent", "ping")), "payload"u8))], "CompleteHandshake", "CborFlow", "TelemetryHook");
        S("handshake timer fires during flow: nothing happens", [T(Hello("0.1", ["json"], [], 65536)), T(Bind(Uuid)), new ClientEvent.Timeout(),
            Bin(Flow("json", Lce("ping"), "still here"))], "CompleteHandshake", "IdleInFlow", "TelemetryHook");
        S("client closes right after the hello", [T(Hello("0.1", ["json"], [], 65536)), new ClientEvent.Closed()], "PeerClose");
        S("retry: a new connection with the same hello gets a fresh nonce", [T(Hello("0.1", ["json"], [], 65536)), T(Bind(Uuid))], "Retry", "CompleteHandshake", "TelemetryHook");

        // ---- Failures at the hello.
        var hello = Hello("0.1", ["json", "cbor"], ["ltp"], 65536);
        var bind = Bind(Uuid);
        var ping = Bin(Flow("json", Lce("ping"), "early"));
        S("hello of major 1: version_mismatch, then the bind and a flow frame go unanswered", [T(Hello("1.0", ["json"], [], 65536)), T(bind), ping], "ErrorThenClose");
        S("hello of major 99", [T(Hello("99.0", ["json"], [], 65536))]);
        S("no shared encoding: encoding_negotiation_failed", [T(Hello("0.1", ["xml", "yaml"], [], 65536)), T(bind)], "ErrorThenClose");
        S("empty encodings", [T(Hello("0.1", [], [], 65536))]);
        foreach (var field in new[] { "lri_version", "encodings", "features", "max_frame_bytes" })
            S($"hello without {field}", [T(WithRaw(hello, field, null)), T(bind)], "ErrorThenClose");
        S("hello with max_frame_bytes 0", [T(WithRaw(hello, "max_frame_bytes", "0"))]);
        S("hello with a malformed version", [T(WithRaw(hello, "lri_version", "\"0.1-beta\""))]);
        S("hello with session a string", [T(WithRaw(hello, "session", "\"ephemeral\""))]);
        S("first message not JSON", [T("hello"), T(hello)], "ErrorThenClose");
        S("first message a JSON array", [T("[]")]);
        S("first message without step", [T(WithRaw(hello, "step", null))]);
        S("first message with an unknown step", [T(WithRaw(hello, "step", "\"greet\""))]);
        S("hello with a duplicate member", [T(hello[..^1] + ",\"features\":[]}")]);
        S("first message a bind", [T(bind), T(hello)], "ErrorThenClose");
        S("first message a mirror", [T("{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":65536,\"nonce\":\"n-x\"}")]);
        S("first message a seal", [T("{\"step\":\"seal\",\"session_id\":\"flow-1\",\"signature\":\"ltp:jws:x\"}")]);
        S("first message a flow frame", [ping, T(hello)], "ErrorThenClose");
        S("handshake timer fires before the hello", [new ClientEvent.Timeout(), T(hello)], "ErrorThenClose");
        S("client sends an error frame first", [T("{\"step\":\"error\",\"code\":\"lhs.trust_failed\",\"detail\":\"x\"}"), T(hello)], "PeerError", "ErrorThenClose");

        // ---- Failures between mirror and seal.
        S("second hello", [T(hello), T(hello), T(bind)], "ErrorThenClose");
        S("second hello with other capabilities", [T(hello), T(Hello("0.1", ["cbor"], [], 1024))]);
        S("flow frame before the bind", [T(hello), ping, T(bind)], "ErrorThenClose");
        S("client sends a mirror instead of a bind", [T(hello), T("{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":65536,\"nonce\":\"n-x\"}")]);
        S("client sends a seal instead of a bind", [T(hello), T("{\"step\":\"seal\",\"session_id\":\"flow-1\",\"signature\":\"ltp:jws:x\"}")]);
        S("handshake timer fires after the mirror", [T(hello), new ClientEvent.Timeout(), T(bind)], "ErrorThenClose");
        S("client sends an error frame instead of the bind", [T(hello), T("{\"step\":\"error\",\"code\":\"lhs.encoding_negotiation_failed\",\"detail\":\"no\"}"), T(bind)], "PeerError", "ErrorThenClose");
        foreach (var (raw, what) in new[]
                 {
                     ((string?)null, "missing"), ("\"\"", "empty"), ("\"thread-1\"", "not a UUID or ULID"), ("\"{9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d}\"", "a UUID in braces"),
                     ("\"urn:uuid:9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\"", "a UUID URN"), ("\"9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d\"", "a UUID without hyphens"),
                     ("\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6\"", "a UUID one digit short"), ("\"9b1deb4g-3b7d-4bad-9bdd-2b0d7b3dcb6d\"", "a UUID with a non-hex digit"),
                     ("\"81ARZ3NDEKTSV4RRFFQ69G5FAV\"", "a ULID starting with 8 (over 128 bits)"), ("\"01ARZ3NDEKTSV4RRFFQ69G5FAI\"", "a ULID with I (not Crockford)"),
                     ("\"01ARZ3NDEKTSV4RRFFQ69G5FA\"", "a ULID of 25 characters"), ("42", "a number"), ("null", "null"), ("[\"" + Uuid + "\"]", "an array"),
                 })
            S($"bind with thread {what}", [T(hello), T(WithRaw(bind, "thread", raw)), ping], "ErrorThenClose");
        foreach (var (member, raw, what) in new[]
                 {
                     ("auth", "\"Bearer x\"", "auth a string"), ("auth", "{\"scheme\":\"Bearer\"}", "auth without token"), ("auth", "{\"token\":\"t\"}", "auth without scheme"),
                     ("auth", "{\"scheme\":\"Bearer\",\"token\":7}", "auth token a number"), ("auth", "{\"scheme\":\"\",\"token\":\"t\"}", "auth scheme empty"),
                     ("context", "[1,2]", "context an array"), ("context", "\"teach\"", "context a string"), ("context", "null", "context null"),
                 })
            S($"bind with {what}", [T(hello), T(WithRaw(bind, member, raw))]);
        S("bind not JSON", [T(hello), T("{\"step\":\"bind\",")]);
        S("bind with a duplicate thread", [T(hello), T(bind[..^1] + ",\"thread\":\"" + Uuid + "\"}")]);

        // ---- Failures in flow, for both encodings.
        foreach (var enc in new[] { "json", "cbor" })
        {
            var h = Hello("0.1", [enc], ["ltp"], 4096);
            ClientEvent[] Flowing(params ClientEvent[] more) => [T(h), T(bind), Bin(Flow(enc, Lce("ping"), "ok")), .. more];
            var tag = enc + ": ";
            S(tag + "LCE in the other encoding", Flowing(Bin(Flow(Other(enc), Lce("ping"), "x")), Bin(Flow(enc, Lce("ping"), "after"))), "ErrorThenClose");
            S(tag + "LCE bytes that are neither encoding", Flowing(Bin(FlowFrame.Frame("\u0001garbage"u8, "x"u8))));
            S(tag + "LCE an array, not an object/map", Flowing(Bin(FlowFrame.Frame(LceCodecs.Find(enc)!.Encode(Parse("[1,2]")), ""u8))));
            S(tag + "LCE without v", Flowing(Bin(Flow(enc, "{\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"}}", ""))));
            S(tag + "LCE with v 2", Flowing(Bin(Flow(enc, "{\"v\":2,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"}}", ""))));
            S(tag + "LCE without intent.type", Flowing(Bin(Flow(enc, "{\"v\":1,\"intent\":{},\"policy\":{\"consent\":\"granted\"}}", ""))));
            S(tag + "LCE with policy.consent a number", Flowing(Bin(Flow(enc, "{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":1}}", ""))));
            S(tag + "flow frame of 3 bytes", Flowing(Bin([0, 0, 0])));
            S(tag + "flow frame of 0 bytes", Flowing(Bin([])));
            var good = Flow(enc, Lce("ping"), "xy");
            var longer = (byte[])good.Clone();
            longer[3] += 3;
            S(tag + "length prefix beyond the frame", Flowing(Bin(longer)));
            S(tag + "flow frame one byte over the negotiated 4096", Flowing(Bin(Flow(enc, Lce("ping"), new string('z', 4096 - 4 - LceBytes(enc, Lce("ping")).Length + 1))), Bin(good)), "ErrorThenClose");
            S(tag + "sig used, ltp granted", Flowing(Bin(Flow(enc, Lce("ping", ("sig", "\"s\"")), ""))), "FeatureUse", "CompleteHandshake", "TelemetryHook");
            S(tag + "lss used, not granted", Flowing(Bin(Flow(enc, Lce("ping", ("lss", "{}")), ""))));
            S(tag + "telemetry used, not granted", Flowing(Bin(Flow(enc, Lce("ping", ("telemetry", "{}")), "")), Bin(good)), "ErrorThenClose");
            S(tag + "sig used when no feature was requested", [T(Hello("0.1", [enc], [], 4096)), T(bind), Bin(Flow(enc, Lce("ping", ("sig", "\"s\"")), ""))]);
            S(tag + "unknown feature quantum requested: its LCE member passes; then lss, not requested", [T(Hello("0.1", [enc], ["ltp", "quantum"], 4096)), T(bind), Bin(Flow(enc, Lce("ping", ("quantum", "1")), "")), Bin(Flow(enc, Lce("ping", ("lss", "{}")), ""))]);
            S(tag + "text message in flow (not JSON)", Flowing(T("ping"), Bin(good)), "ErrorThenClose");
            S(tag + "second hello after the seal", Flowing(T(h)));
            S(tag + "second bind after the seal", Flowing(T(bind)));
            S(tag + "a mirror after the seal", Flowing(T("{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":65536,\"nonce\":\"n-x\"}")));
            S(tag + "client error frame in flow", Flowing(T("{\"step\":\"error\",\"code\":\"lhs.invalid_lce\",\"detail\":\"x\"}"), Bin(good)), "PeerError", "ErrorThenClose", "CompleteHandshake", "TelemetryHook");
        }

        // ---- Client transcripts: the client model against the server model's frames.
        c.Group("ClientTranscript", new JsonObject
        {
            ["serverPublicKey"] = VectorJson.Hex(key.PublicKey),
            ["serverPrivateSeed"] = VectorJson.Hex(Seed(ServerKeyLabel)),
            ["environmentStart"] = "2026-01-01T00:00:00Z",
        });
        var clientCfg = new LhsClientConfig("0.1", ["json", "cbor"], ["ltp", "lss"], 65536, Uuid, key.PublicKey);
        var k = 0;
        void C(string comment, LhsClientConfig cc, Func<ServerFrames, IEnumerable<ClientEvent>> server, params string[] flags) =>
            AddClient(c, cfg, cc, seed, k++, comment, server, flags);
        C("complete handshake, one flow frame from the server", clientCfg, s => [T(s.Mirror), T(s.Seal), Bin(Flow("json", Lce("ping"), "echo"))], "CompleteHandshake", "JsonFlow");
        C("complete cbor handshake", clientCfg with { Encodings = ["cbor"], Features = [] }, s => [T(s.Mirror), T(s.Seal), Bin(Flow("cbor", Lce("ping"), "echo"))], "CompleteHandshake", "CborFlow");
        C("seal with one signature bit flipped", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "signature", JsonSerializer.Serialize(FlipLast(s.Signature))))], "SealTampered");
        C("seal signed by a key the client does not trust", clientCfg with { TrustedServerKey = other.PublicKey }, s => [T(s.Mirror), T(s.Seal)], "SealTampered");
        C("seal without signature", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "signature", null))], "SealTampered");
        C("seal signature a number", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "signature", "1"))], "SealTampered");
        C("seal signature without the ltp:jws: prefix", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "signature", JsonSerializer.Serialize(s.Signature[8..])))], "SealTampered");
        C("seal replayed from another connection", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "signature", JsonSerializer.Serialize(s.OtherSignature)))], "SealTampered");
        C("seal over a mirror that differs from the one received", clientCfg, s => [T(WithRaw(s.Mirror, "features", "[\"ltp\"]")), T(s.Seal)], "SealTampered");
        C("seal without session_id", clientCfg, s => [T(s.Mirror), T(WithRaw(s.Seal, "session_id", null))]);
        C("mirror of another major", clientCfg, s => [T(WithRaw(s.Mirror, "lri_version", "\"1.0\"")), T(s.Seal)], "MirrorIncompatible", "ErrorThenClose");
        C("mirror choosing an encoding the hello did not offer", clientCfg with { Encodings = ["json"] }, s => [T(WithRaw(s.Mirror, "encoding", "\"cbor\""))], "MirrorIncompatible");
        C("mirror granting a feature the hello did not request", clientCfg, s => [T(WithRaw(s.Mirror, "features", "[\"ltp\",\"lss\",\"telemetry\"]"))], "MirrorIncompatible");
        C("mirror with a larger max_frame_bytes than the hello's", clientCfg with { MaxFrameBytes = 1024 }, s => [T(WithRaw(s.Mirror, "max_frame_bytes", "2048"))], "MirrorIncompatible");
        C("mirror without nonce", clientCfg, s => [T(WithRaw(s.Mirror, "nonce", null))]);
        C("mirror without encoding", clientCfg, s => [T(WithRaw(s.Mirror, "encoding", null))]);
        C("seal before the mirror", clientCfg, s => [T(s.Seal), T(s.Mirror)], "ErrorThenClose");
        C("second mirror", clientCfg, s => [T(s.Mirror), T(s.Mirror)]);
        C("flow frame before the seal", clientCfg, s => [T(s.Mirror), Bin(Flow("json", Lce("ping"), "early")), T(s.Seal)], "ErrorThenClose");
        C("server error frame instead of the mirror", clientCfg, s => [T("{\"step\":\"error\",\"code\":\"lhs.version_mismatch\",\"detail\":\"no\"}")], "PeerError");
        C("server flow frame in the wrong encoding", clientCfg, s => [T(s.Mirror), T(s.Seal), Bin(Flow("cbor", Lce("ping"), "x"))]);
        C("server flow frame using a feature not granted", clientCfg, s => [T(s.Mirror), T(s.Seal), Bin(Flow("json", Lce("ping", ("telemetry", "{}")), "x"))]);
        C("second seal", clientCfg, s => [T(s.Mirror), T(s.Seal), T(s.Seal)]);
        return c.Build(b);
    }

    // ---- Server side.

    private static void AddServer(LhsVectorCollector c, LhsServerConfig cfg, ulong seed, int index, string comment, ClientEvent[] events, string[] flags)
    {
        var stream = $"lhs-transcripts/server/{index}";
        var run = ServerRun.Drive(events, cfg, new SeededEnvironment(seed, Start, stream));
        var fields = new JsonObject
        {
            ["environment"] = new JsonObject { ["seed"] = seed, ["stream"] = stream },
            ["clientEvents"] = new JsonArray([.. events.Select(e => (JsonNode)e.ToJson())]),
            ["expected"] = new JsonArray([.. run.Outputs.Select(o => (JsonNode)Actions(o))]),
            ["established"] = run.Outputs.SelectMany(o => o).Any(o => o is LhsOutput.Established),
            ["closed"] = run.Final.Phase == LhsServerPhase.Closed,
        };
        Finish(c, comment, fields, run.Rejected, events.Length, run.Outputs, flags);
    }

    private static void Finish(LhsVectorCollector c, string comment, JsonObject fields, LhsError? rejected, int count, IReadOnlyList<IReadOnlyList<LhsOutput>> outputs, string[] flags)
    {
        // ErrorThenClose is only claimed where events follow the rejection or the peer's error (and nothing answers them).
        var after = outputs.ToList().FindIndex(o => o.Any(a => a is LhsOutput.Close));
        var claims = flags.Where(f => f != "ErrorThenClose" || (after >= 0 && after < count - 1 && outputs.Skip(after + 1).All(o => o.Count == 0)));
        if (rejected is { } e)
        {
            fields["expectedError"] = ErrorJson(e);
            c.Test(comment, RejectionResult(e), fields, [.. ErrorFlags(e), .. claims.Where(f => f is not ("CompleteHandshake" or "FeatureUse" or "TelemetryHook" or "JsonFlow" or "CborFlow" or "ExactLimit"))]);
        }
        else c.Test(comment, VectorResult.Valid, fields, claims);
    }

    private static JsonArray Actions(IReadOnlyList<LhsOutput> outputs) => new([.. outputs.Select(Action).OfType<JsonNode>()]);

    private static JsonNode? Action(LhsOutput o) => o switch
    {
        LhsOutput.SendText t => new JsonObject { ["type"] = "text", ["text"] = t.Value },
        LhsOutput.SendBinary bin => new JsonObject { ["type"] = "binary", ["hex"] = VectorJson.Hex(bin.Value) },
        LhsOutput.Close cl => new JsonObject { ["type"] = "close", ["code"] = cl.Code },
        LhsOutput.Deliver d => new JsonObject { ["type"] = "deliver", ["lceHex"] = VectorJson.Hex(d.Frame.LceBytes.Span), ["payloadHex"] = VectorJson.Hex(d.Frame.Payload.Span) },
        LhsOutput.Observe ob => new JsonObject { ["type"] = "telemetry", ["name"] = ob.Name, ["data"] = JsonNode.Parse(ob.Data.GetRawText()) },
        _ => null, // Established: not an action on the wire (the seal or the verified seal is).
    };

    // ---- Client side.

    private sealed record ServerFrames(string Mirror, string Seal, string Signature, string OtherSignature);

    private static void AddClient(LhsVectorCollector c, LhsServerConfig serverCfg, LhsClientConfig cc, ulong seed, int index, string comment,
        Func<ServerFrames, IEnumerable<ClientEvent>> server, string[] flags)
    {
        // The server model answers the client's real hello and bind; a second connection gives a seal to replay.
        var stream = $"lhs-transcripts/client/{index}";
        var hello = cc.HelloText();
        var honest = ServerRun.Drive([T(hello), T(cc.BindText())], serverCfg, new SeededEnvironment(seed, Start, stream));
        var replay = ServerRun.Drive([T(hello), T(cc.BindText())], serverCfg, new SeededEnvironment(seed, Start, stream + "/replay"));
        var frames = new ServerFrames(honest.Texts[0], honest.Texts[1], Signature(honest.Texts[1]), Signature(replay.Texts[1]));
        AddClientRun(c, cc, seed, stream, comment, server(frames).ToArray(), flags);
    }

    /// <summary>One client transcript: the client model with <paramref name="cc"/>, fed the server's <paramref name="events"/>.</summary>
    private static void AddClientRun(LhsVectorCollector c, LhsClientConfig cc, ulong seed, string stream, string comment, ClientEvent[] events, string[] flags)
    {
        var start = LhsClient.Start(cc);
        var state = start.State;
        LhsError? rejected = null;
        var outputs = new List<IReadOnlyList<LhsOutput>>();
        foreach (var ev in events)
        {
            var step = LhsClient.Step(state, ev.Input, cc);
            state = step.State;
            rejected ??= step.Rejected;
            outputs.Add(step.Outputs);
        }
        var config = new JsonObject
        {
            ["lri_version"] = cc.LriVersion, ["encodings"] = Strings(cc.Encodings), ["features"] = Strings(cc.Features),
            ["max_frame_bytes"] = cc.MaxFrameBytes, ["thread"] = cc.Thread, ["trustedServerKey"] = VectorJson.Hex(cc.TrustedServerKey),
        };
        if (cc.Context is { } context) config["context"] = JsonNode.Parse(context.GetRawText());
        var fields = new JsonObject
        {
            ["environment"] = new JsonObject { ["seed"] = seed, ["stream"] = stream },
            ["clientConfig"] = config,
            ["expectedStart"] = Actions(start.Outputs),
            ["serverEvents"] = new JsonArray([.. events.Select(e => (JsonNode)e.ToJson())]),
            ["expected"] = new JsonArray([.. outputs.Select(o => (JsonNode)Actions(o))]),
            ["established"] = outputs.SelectMany(o => o).Any(o => o is LhsOutput.Established),
            ["closed"] = state.Phase == LhsClientPhase.Closed,
        };
        Finish(c, comment, fields, rejected, events.Length, outputs, flags);
    }

    private static string Signature(string seal) => JsonNode.Parse(seal)!["signature"]!.GetValue<string>();

    private static string FlipLast(string signature)
    {
        var dot = signature.LastIndexOf('.');
        Base64Url.TryDecode(signature[(dot + 1)..], out var sig);
        return signature[..(dot + 1)] + Base64Url.Encode(Tamper.FlipBit(sig, (sig.Length - 1) * 8));
    }

    // ---- Frames.

    private static ClientEvent T(string text) => new ClientEvent.Text(text);
    private static ClientEvent Bin(byte[] bytes) => new ClientEvent.Binary(bytes);

    private static string Bind(string thread) => $"{{\"step\":\"bind\",\"thread\":{JsonSerializer.Serialize(thread)}}}";

    private static string Other(string enc) => enc == "json" ? "cbor" : "json";

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static byte[] LceBytes(string enc, string lceJson) => LceCodecs.Find(enc)!.Encode(Parse(lceJson));

    private static byte[] Flow(string enc, string lceJson, string payload) => FlowFrame.Frame(LceBytes(enc, lceJson), Encoding.UTF8.GetBytes(payload));

    /// <summary>A CBOR LCE map written in the given key order (not canonical): v an integer, intent/policy one-member maps.</summary>
    private static byte[] CborMap(params (string Key, object Value)[] members)
    {
        var w = new System.Formats.Cbor.CborWriter(System.Formats.Cbor.CborConformanceMode.Lax);
        w.WriteStartMap(members.Length);
        foreach (var (name, value) in members)
        {
            w.WriteTextString(name);
            switch (value)
            {
                case int i: w.WriteInt32(i); break;
                case string s:
                    w.WriteStartMap(1);
                    w.WriteTextString(name == "intent" ? "type" : "consent");
                    w.WriteTextString(s);
                    w.WriteEndMap();
                    break;
            }
        }
        w.WriteEndMap();
        return w.Encode();
    }
}
