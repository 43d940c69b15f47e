// The LCE codecs (JSON, canonical CBOR), flow framing against a contract, CBOR → JSON rendering, and the seeded
// environment every model run replays from.
using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class CodecTests
{
    private const string SampleLce = """{"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"},"x":[1,2.5,"s",null,true]}""";

    private static readonly ILceCodec Json = new JsonLceCodec();
    private static readonly ILceCodec Cbor = new CborLceCodec();

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
    private static string Canon(string json) => Encoding.UTF8.GetString(Jcs.Canonicalize(json));

    private static byte[] CborBytes(Action<CborWriter> write, CborConformanceMode mode = CborConformanceMode.Lax)
    {
        var w = new CborWriter(mode);
        write(w);
        return w.Encode();
    }

    private static LceProblem Problem(ILceCodec codec, byte[] bytes, string what)
    {
        var (view, problem) = codec.Decode(bytes);
        Expect.isTrue(view is null, $"{codec.Name}: {what} must not decode");
        Expect.isTrue(problem is not null, $"{codec.Name}: {what} has a problem");
        return problem!;
    }

    private static void Fails(Checked<FlowFrameView> result, LhsErrorCode code, string rule, string what)
    {
        Expect.isFalse(result.IsOk, $"{what} is rejected");
        Expect.equal(result.Error!.Code.Wire(), code.Wire(), $"{what}: code ({result.Error.Detail})");
        Expect.equal(result.Error.Rule, rule, $"{what}: rule ({result.Error.Detail})");
    }

    private static readonly FlowContract JsonLtp = new("json", ["ltp"], 1024);
    private static readonly FlowContract JsonBare = new("json", [], 1024);
    private static readonly FlowContract CborLtp = new("cbor", ["ltp"], 1024);

    private static readonly string[] ShapeFailures =
    [
        """{"intent":{"type":"ping"},"policy":{"consent":"granted"}}""",
        """{"v":2,"intent":{"type":"ping"},"policy":{"consent":"granted"}}""",
        """{"v":"1","intent":{"type":"ping"},"policy":{"consent":"granted"}}""",
        """{"v":1,"policy":{"consent":"granted"}}""",
        """{"v":1,"intent":{},"policy":{"consent":"granted"}}""",
        """{"v":1,"intent":{"type":7},"policy":{"consent":"granted"}}""",
        """{"v":1,"intent":"ping","policy":{"consent":"granted"}}""",
        """{"v":1,"intent":{"type":"ping"}}""",
        """{"v":1,"intent":{"type":"ping"},"policy":{"consent":null}}""",
        """{"v":1,"intent":{"type":"ping"},"policy":[]}""",
    ];

    public static Test Tests() => TestList("model.codec", new Test[]
    {
        TestList("lce codecs", new Test[]
        {
            TestCase("json: encode/decode round trip", () =>
            {
                var bytes = Json.Encode(Parse(SampleLce));
                Expect.equal(Encoding.UTF8.GetString(bytes), SampleLce, "compact JSON, members in their order");
                var (view, problem) = Json.Decode(bytes);
                Expect.isTrue(problem is null, $"decodes ({problem?.Detail})");
                Expect.equal(view!.IntentType, "ping", "intent.type");
                Expect.equal(view.PolicyConsent, "granted", "policy.consent");
                Expect.equal(string.Join(",", view.Members), "v,intent,policy,x", "top-level members");
                Expect.isTrue(view.HasMember("x") && !view.HasMember("sig"), "HasMember");
            }),
            TestCase("cbor: encode/decode round trip", () =>
            {
                var bytes = Cbor.Encode(Parse(SampleLce));
                var (view, problem) = Cbor.Decode(bytes);
                Expect.isTrue(problem is null, $"decodes ({problem?.Detail})");
                Expect.equal(view!.IntentType, "ping", "intent.type");
                Expect.equal(view.PolicyConsent, "granted", "policy.consent");
                Expect.equal(string.Join(",", view.Members.Order(StringComparer.Ordinal)), "intent,policy,v,x", "top-level members");
                Expect.equal(Canon(CborJson.TryToJson(bytes)!), Canon(SampleLce), "same JSON data model after the trip");
            }),
            TestCase("cbor: canonical encoding (definite lengths, sorted keys, minimal integers)", () =>
            {
                var bytes = Cbor.Encode(Parse(SampleLce));
                Expect.equal(bytes[0], (byte)0xA4, "definite map of 4");
                // RFC 8949 §4.2.1 order: shorter encoded keys first, then bytewise: v, x, intent, policy.
                Expect.equal(Hex(bytes[..4]), "A4617601", "first key \"v\" with integer 1 as one byte");
                var expected = CborBytes(w =>
                {
                    w.WriteStartMap(4);
                    w.WriteTextString("v"); w.WriteInt32(1);
                    w.WriteTextString("x");
                    w.WriteStartArray(5); w.WriteInt32(1); w.WriteDouble(2.5); w.WriteTextString("s"); w.WriteNull(); w.WriteBoolean(true); w.WriteEndArray();
                    w.WriteTextString("intent"); w.WriteStartMap(1); w.WriteTextString("type"); w.WriteTextString("ping"); w.WriteEndMap();
                    w.WriteTextString("policy"); w.WriteStartMap(1); w.WriteTextString("consent"); w.WriteTextString("granted"); w.WriteEndMap();
                    w.WriteEndMap();
                }, CborConformanceMode.Canonical);
                Expect.equal(Hex(bytes), Hex(expected), "same bytes as a hand-ordered canonical writer");
                // A canonical reader rejects unsorted maps and indefinite lengths.
                var reader = new CborReader(bytes, CborConformanceMode.Canonical);
                reader.SkipValue();
                Expect.equal(reader.BytesRemaining, 0, "exactly one canonical item");
            }),
            TestCase("cbor: member order of the input does not change the bytes", () =>
            {
                var reordered = """{"x":[1,2.5,"s",null,true],"policy":{"consent":"granted"},"intent":{"type":"ping"},"v":1}""";
                Expect.equal(Hex(Cbor.Encode(Parse(reordered))), Hex(Cbor.Encode(Parse(SampleLce))), "canonical regardless of input order");
            }),
            TestCase("json bytes under the cbor codec → wrong encoding", () =>
                Expect.isTrue(Problem(Cbor, Encoding.UTF8.GetBytes(SampleLce), "JSON text").WrongEncoding, "WrongEncoding")),
            TestCase("cbor bytes under the json codec → wrong encoding", () =>
                Expect.isTrue(Problem(Json, Cbor.Encode(Parse(SampleLce)), "CBOR").WrongEncoding, "WrongEncoding")),
            TestCase("not an object/map → wrong encoding", () =>
            {
                Expect.isTrue(Problem(Json, "[1]"u8.ToArray(), "JSON array").WrongEncoding, "JSON array");
                Expect.isTrue(Problem(Cbor, CborBytes(w => w.WriteInt32(1)), "CBOR integer").WrongEncoding, "CBOR integer");
                Expect.isTrue(Problem(Json, [], "empty").WrongEncoding, "empty JSON");
                Expect.isTrue(Problem(Cbor, [], "empty").WrongEncoding, "empty CBOR");
            }),
            TestCase("missing v / intent.type / policy.consent → shape problem, not wrong encoding", () =>
            {
                foreach (var json in ShapeFailures)
                {
                    Expect.isFalse(Problem(Json, Encoding.UTF8.GetBytes(json), json).WrongEncoding, "json: " + json);
                    Expect.isFalse(Problem(Cbor, Cbor.Encode(Parse(json)), json).WrongEncoding, "cbor: " + json);
                }
            }),
            TestCase("v = 1 in another numeric form is still v = 1", () =>
            {
                const string lce = """{"v":1.0,"intent":{"type":"ping"},"policy":{"consent":"granted"}}""";
                Expect.isTrue(Json.Decode(Encoding.UTF8.GetBytes(lce)).View is not null, "JSON 1.0");
                var halfFloatV = CborBytes(w =>
                {
                    w.WriteStartMap(3);
                    w.WriteTextString("v"); w.WriteHalf((Half)1);
                    w.WriteTextString("intent"); w.WriteStartMap(1); w.WriteTextString("type"); w.WriteTextString("ping"); w.WriteEndMap();
                    w.WriteTextString("policy"); w.WriteStartMap(1); w.WriteTextString("consent"); w.WriteTextString("granted"); w.WriteEndMap();
                    w.WriteEndMap();
                });
                Expect.isTrue(Cbor.Decode(halfFloatV).View is not null, "CBOR half-float 1.0");
            }),
            TestCase("bytes after the CBOR map are rejected", () =>
            {
                var bytes = Cbor.Encode(Parse(SampleLce));
                Problem(Cbor, [.. bytes, 0x00], "map followed by 0x00");
                Problem(Cbor, [.. bytes, .. bytes], "two maps");
            }),
            TestCase("bytes after the JSON object are rejected", () =>
                Problem(Json, Encoding.UTF8.GetBytes(SampleLce + " {}"), "object followed by another")),
            TestCase("truncated CBOR is rejected as wrong encoding", () =>
            {
                var bytes = Cbor.Encode(Parse(SampleLce));
                Expect.isTrue(Problem(Cbor, bytes[..^1], "truncated").WrongEncoding, "WrongEncoding");
            }),
            TestCase("duplicate keys are rejected (json)", () =>
                Problem(Json, """{"v":1,"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"}}"""u8.ToArray(), "duplicate v")),
            TestCase("duplicate keys are rejected (cbor)", () =>
            {
                var bytes = CborBytes(w =>
                {
                    w.WriteStartMap(4);
                    w.WriteTextString("v"); w.WriteInt32(1);
                    w.WriteTextString("intent"); w.WriteStartMap(1); w.WriteTextString("type"); w.WriteTextString("ping"); w.WriteEndMap();
                    w.WriteTextString("policy"); w.WriteStartMap(1); w.WriteTextString("consent"); w.WriteTextString("granted"); w.WriteEndMap();
                    w.WriteTextString("v"); w.WriteInt32(1);
                    w.WriteEndMap();
                });
                Problem(Cbor, bytes, "duplicate v");
            }),
            TestCase("invalid UTF-8 inside a string is a problem, not an exception (json)", () =>
            {
                foreach (var (what, text) in new[] { ("in a value", SampleLce.Replace("ping", "p\u0001ng")), ("in a member name", SampleLce.Replace("\"x\"", "\"\u0001\"")) })
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    bytes[Array.IndexOf(bytes, (byte)1)] = 0xEA;
                    (LceView? View, LceProblem? Problem) result = default;
                    try { result = Json.Decode(bytes); }
                    catch (Exception e) { Expect.isTrue(false, $"{what}: threw {e.GetType().Name}: {e.Message}"); }
                    Expect.isTrue(result.View is null && result.Problem is not null, $"{what}: rejected");
                }
            }),
            TestCase("invalid UTF-8 inside a text string is a problem, not an exception (cbor)", () =>
            {
                var bytes = Cbor.Encode(Parse(SampleLce.Replace("ping", "p\\u0001ng")));
                bytes[bytes.AsSpan().IndexOf("p\u0001n"u8) + 1] = 0xEA;
                (LceView? View, LceProblem? Problem) result = default;
                try { result = Cbor.Decode(bytes); }
                catch (Exception e) { Expect.isTrue(false, $"threw {e.GetType().Name}: {e.Message}"); }
                Expect.isTrue(result.View is null && result.Problem is not null, "rejected");
            }),
            TestCase("cbor: non-text map keys are a shape problem", () =>
            {
                var bytes = CborBytes(w => { w.WriteStartMap(1); w.WriteInt32(1); w.WriteInt32(1); w.WriteEndMap(); });
                Expect.isFalse(Problem(Cbor, bytes, "integer key").WrongEncoding, "WrongEncoding");
            }),
            TestCase("LceCodecs.Find", () =>
            {
                Expect.equal(LceCodecs.Find("json")?.Name, "json", "json");
                Expect.equal(LceCodecs.Find("cbor")?.Name, "cbor", "cbor");
                Expect.isTrue(LceCodecs.Find("JSON") is null && LceCodecs.Find("x") is null, "unknown names");
            }),
        }),

        TestList("flow frame", new Test[]
        {
            TestCase("encode then check round trip (json and cbor)", () =>
            {
                byte[] payload = [1, 2, 3, 0, 255];
                foreach (var contract in new[] { JsonLtp, CborLtp })
                {
                    var lce = LceCodecs.Find(contract.Encoding)!.Encode(Parse(SampleLce));
                    var frame = FlowFrame.Encode(contract, Parse(SampleLce), payload);
                    Expect.equal(frame.Length, 4 + lce.Length + payload.Length, $"{contract.Encoding}: frame length");
                    Expect.equal(BinaryPrimitives.ReadUInt32BigEndian(frame), (uint)lce.Length, $"{contract.Encoding}: big-endian length prefix");
                    var result = FlowFrame.Check(contract, frame);
                    Expect.isTrue(result.IsOk, $"{contract.Encoding}: accepted ({result.Error})");
                    var view = result.Value!;
                    Expect.equal(view.Lce.IntentType, "ping", $"{contract.Encoding}: intent.type");
                    Expect.equal(Hex(view.LceBytes.Span), Hex(lce), $"{contract.Encoding}: LCE bytes");
                    Expect.equal(Hex(view.Payload.Span), Hex(payload), $"{contract.Encoding}: payload");
                }
            }),
            TestCase("empty payload", () =>
            {
                var result = FlowFrame.Check(JsonLtp, FlowFrame.Encode(JsonLtp, Parse(SampleLce), []));
                Expect.isTrue(result.IsOk, $"accepted ({result.Error})");
                Expect.equal(result.Value!.Payload.Length, 0, "no payload");
            }),
            TestCase("frame over max_frame_bytes → frame_too_large; exactly max is fine", () =>
            {
                var lce = Json.Encode(Parse(SampleLce));
                var max = 4 + lce.Length + 10;
                var contract = JsonLtp with { MaxFrameBytes = max };
                Expect.isTrue(FlowFrame.Check(contract, FlowFrame.Frame(lce, new byte[10])).IsOk, "exactly max_frame_bytes");
                Fails(FlowFrame.Check(contract, FlowFrame.Frame(lce, new byte[11])), LhsErrorCode.FrameTooLarge, LhsRules.FrameLimit, "max + 1");
            }),
            TestCase("length prefix beyond the frame → invalid_lce", () =>
            {
                var lce = Json.Encode(Parse(SampleLce));
                var frame = FlowFrame.Frame(lce, []);
                BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)lce.Length + 1);
                Fails(FlowFrame.Check(JsonLtp, frame), LhsErrorCode.InvalidLce, LhsRules.LceShape, "prefix one past the end");
                BinaryPrimitives.WriteUInt32BigEndian(frame, uint.MaxValue);
                Fails(FlowFrame.Check(JsonLtp, frame), LhsErrorCode.InvalidLce, LhsRules.LceShape, "prefix 2^32-1");
            }),
            TestCase("frame shorter than the length prefix → invalid_lce", () =>
            {
                Fails(FlowFrame.Check(JsonLtp, new byte[3]), LhsErrorCode.InvalidLce, LhsRules.LceShape, "3 bytes");
                Fails(FlowFrame.Check(JsonLtp, Array.Empty<byte>()), LhsErrorCode.InvalidLce, LhsRules.LceShape, "0 bytes");
            }),
            TestCase("LCE in the other encoding → encoding-enforced", () =>
            {
                Fails(FlowFrame.Check(JsonLtp, FlowFrame.Encode(CborLtp, Parse(SampleLce), [])),
                    LhsErrorCode.InvalidLce, LhsRules.EncodingEnforced, "CBOR LCE on a JSON contract");
                Fails(FlowFrame.Check(CborLtp, FlowFrame.Encode(JsonLtp, Parse(SampleLce), [])),
                    LhsErrorCode.InvalidLce, LhsRules.EncodingEnforced, "JSON LCE on a CBOR contract");
            }),
            TestCase("LCE of the wrong shape → lce-shape", () =>
                Fails(FlowFrame.Check(JsonLtp, FlowFrame.Frame("""{"v":1}"""u8, [])), LhsErrorCode.InvalidLce, LhsRules.LceShape, "no intent")),
            TestCase("the length prefix delimits the LCE: payload bytes are not parsed", () =>
            {
                var frame = FlowFrame.Frame(Json.Encode(Parse(SampleLce)), "} not json"u8);
                Expect.isTrue(FlowFrame.Check(JsonLtp, frame).IsOk, "payload is opaque");
            }),
            TestCase("feature members need the feature: sig/ltp (must), lss/lss and telemetry/telemetry (the model-level reading)", () =>
            {
                foreach (var (member, feature, rule) in new[] { ("sig", "ltp", LhsRules.FeaturesEnforced), ("lss", "lss", LhsRules.FeatureMembers), ("telemetry", "telemetry", LhsRules.FeatureMembers) })
                {
                    var lce = Parse($$$"""{"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"},"{{{member}}}":{}}""");
                    foreach (var encoding in new[] { "json", "cbor" })
                    {
                        var without = new FlowContract(encoding, ["other"], 1024);
                        var with = new FlowContract(encoding, ["other", feature], 1024);
                        Fails(FlowFrame.Check(without, FlowFrame.Encode(without, lce, [])),
                            LhsErrorCode.FeatureNotNegotiated, rule, $"{encoding}: \"{member}\" without {feature}");
                        var ok = FlowFrame.Check(with, FlowFrame.Encode(with, lce, []));
                        Expect.isTrue(ok.IsOk, $"{encoding}: \"{member}\" with {feature} ({ok.Error})");
                    }
                }
            }),
            TestCase("a feature member nested deeper is not a feature use", () =>
            {
                var lce = Parse("""{"v":1,"intent":{"type":"ping","sig":1},"policy":{"consent":"granted"}}""");
                Expect.isTrue(FlowFrame.Check(JsonBare, FlowFrame.Encode(JsonBare, lce, [])).IsOk, "only top-level members count");
            }),
        }),

        TestList("cbor json", new Test[]
        {
            TestCase("renders a map as JSON", () =>
            {
                var bytes = CborBytes(w =>
                {
                    w.WriteStartMap(3);
                    w.WriteTextString("a"); w.WriteStartArray(6); w.WriteInt32(1); w.WriteInt32(-2); w.WriteTextString("x\"y"); w.WriteBoolean(true); w.WriteNull(); w.WriteDouble(0.5); w.WriteEndArray();
                    w.WriteTextString("b"); w.WriteByteString([0xfb, 0xff]);
                    w.WriteTextString("c"); w.WriteStartMap(0); w.WriteEndMap();
                    w.WriteEndMap();
                });
                var json = CborJson.TryToJson(bytes);
                Expect.isTrue(json is not null, "renders");
                // Compared as canonical JSON: the renderer may escape more than JCS does (it writes '"' as \u0022).
                Expect.equal(Canon(json!), """{"a":[1,-2,"x\"y",true,null,0.5],"b":"-_8","c":{}}""", "JSON rendering");
            }),
            TestCase("keeps the map's key order", () =>
            {
                var bytes = CborBytes(w => { w.WriteStartMap(2); w.WriteTextString("z"); w.WriteInt32(1); w.WriteTextString("a"); w.WriteInt32(2); w.WriteEndMap(); });
                Expect.equal(CborJson.TryToJson(bytes), """{"z":1,"a":2}""", "no reordering");
            }),
            TestCase("the canonical LCE renders to the same JSON data", () =>
                Expect.equal(Canon(CborJson.TryToJson(Cbor.Encode(Parse(SampleLce)))!), Canon(SampleLce), "same canonical JSON")),
            TestCase("floats render in the ECMAScript form and read back as the same double", () =>
            {
                // 2^-25: .NET's "R" writes 2.980232238769531E-08, which reads back as another double.
                var tiny = Math.ScaleB(1.0, -25);
                var bytes = CborBytes(w => { w.WriteStartArray(4); w.WriteDouble(tiny); w.WriteDouble(1e21); w.WriteSingle(0.1f); w.WriteDouble(-0.0); w.WriteEndArray(); });
                var json = CborJson.TryToJson(bytes);
                Expect.equal(json, "[2.9802322387695312e-8,1e+21,0.10000000149011612,0]", "JCS number forms (a single widens exactly; -0 is 0)");
                using var doc = JsonDocument.Parse(json!);
                Expect.equal(doc.RootElement[0].GetDouble(), tiny, "2^-25 reads back");
            }),
            TestCase("garbage → null", () =>
            {
                Expect.isTrue(CborJson.TryToJson(Array.Empty<byte>()) is null, "empty");
                Expect.isTrue(CborJson.TryToJson(new byte[] { 0xff }) is null, "lone break");
                Expect.isTrue(CborJson.TryToJson(new byte[] { 0xa1, 0x61 }) is null, "truncated map");
                Expect.isTrue(CborJson.TryToJson(new byte[] { 0x01, 0x02 }) is null, "two items");
                Expect.isTrue(CborJson.TryToJson("{\"v\":1}"u8.ToArray()) is null, "JSON text");
            }),
        }),

        TestList("seeded environment", new Test[]
        {
            TestCase("same seed and stream → same bytes", () =>
            {
                var a = new SeededEnvironment(7, stream: "s").NextBytes(100);
                var b = new SeededEnvironment(7, stream: "s").NextBytes(100);
                Expect.equal(Hex(a), Hex(b), "identical streams");
                Expect.isTrue(a.Any(x => x != 0), "not all zero");
            }),
            TestCase("different stream or seed → different bytes", () =>
            {
                var a = Hex(new SeededEnvironment(7, stream: "s").NextBytes(32));
                Expect.notEqual(Hex(new SeededEnvironment(7, stream: "t").NextBytes(32)), a, "other stream");
                Expect.notEqual(Hex(new SeededEnvironment(8, stream: "s").NextBytes(32)), a, "other seed");
                Expect.notEqual(Hex(new SeededEnvironment(7).NextBytes(32)), a, "default stream");
            }),
            TestCase("the stream does not depend on how it is read", () =>
            {
                var whole = new SeededEnvironment(3).NextBytes(100);
                var env = new SeededEnvironment(3);
                var pieces = new List<byte>();
                foreach (var n in new[] { 1, 31, 32, 0, 7, 29 }) pieces.AddRange(env.NextBytes(n));
                Expect.equal(Hex(pieces.ToArray()), Hex(whole), "chunked reads equal one read");
                Expect.notEqual(Hex(whole[..32]), Hex(whole[32..64]), "successive blocks differ");
            }),
            TestCase("NewUuid is a version 4, RFC 9562 variant UUID, fresh each time", () =>
            {
                var env = new SeededEnvironment(11);
                var shape = new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
                var seen = new HashSet<string>();
                for (var i = 0; i < 200; i++)
                {
                    var id = env.NewUuid();
                    Expect.isTrue(shape.IsMatch(id), $"v4 shape: {id}");
                    Expect.isTrue(seen.Add(id), $"unique: {id}");
                }
                Expect.equal(new SeededEnvironment(11).NewUuid(), seen.First(), "reproducible from the seed");
            }),
            TestCase("the clock starts at 2026-01-01T00:00:00Z and moves only when advanced", () =>
            {
                var env = new SeededEnvironment(1);
                var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                Expect.equal(env.Now, start, "default start");
                env.NextBytes(64);
                Expect.equal(env.Now, start, "drawing bytes does not move the clock");
                env.Advance(TimeSpan.FromSeconds(90));
                Expect.equal(env.Now, start.AddSeconds(90), "advanced");
                var other = new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);
                Expect.equal(new SeededEnvironment(1, other).Now, other, "explicit start");
            }),
        }),
    });
}
