// vectors/lhs/negotiation.json: one client hello against one server's capabilities → the mirror the server must
// answer with, or the error it must reject the hello with. Each expected outcome is the server model's: the hello is
// fed to LhsServer.Step as the first text message of a connection and its output recorded.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using static Conformance.Suite.Vectors.Lhs.LhsVectorKit;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class NegotiationVectors : IVectorTopic
{
    public string Spec => "lhs";
    public string Topic => "negotiation";

    private static readonly Dictionary<string, VectorNote> Notes = new()
    {
        ["EncodingPreference"] = Rule("LHS-3.2-encoding-preference", VectorBugType.Reading, "answer with a mirror naming that encoding",
            "§3.2 \"choose a single encoding\": the first of the hello's list that the server supports, whatever the server's own order."),
        ["UnknownEncoding"] = Note(VectorBugType.EdgeCase,
            "The hello offers encodings the server does not know (names are compared exactly, case-sensitive).",
            $"skip them, never choose them; with no known one left, {Reject(LhsErrorCode.EncodingNegotiationFailed)}", LhsRules.Negotiation),
        ["DuplicateEncoding"] = Note(VectorBugType.EdgeCase, "The hello lists an encoding more than once.",
            $"read the list in order as usual; with no supported one, {Reject(LhsErrorCode.EncodingNegotiationFailed)}", LhsRules.Negotiation),
        ["FeatureGrant"] = Rule(LhsRules.FeaturesEnforced, VectorBugType.Basic, "answer with a mirror granting exactly those features",
            "The mirror grants the requested features the server supports, in the hello's order, each once; the rest are disabled. It never grants what the hello did not request.",
            LhsRules.FeaturesSubset),
        ["UnknownFeature"] = Note(VectorBugType.EdgeCase, "Unknown requested features (also other-case spellings).",
            "ignore them, do not reject: the mirror does not grant them", "SPEC-NOTES.md#features-and-frame-size"),
        ["MinorCompatible"] = Rule(LhsRules.MinorCompatible, VectorBugType.Reading, "answer with a mirror carrying the server's own version",
            "Another minor or patch of the server's major: the mirror echoes a compatible version."),
        ["FrameSize"] = Rule(LhsRules.FeaturesSubset, VectorBugType.EdgeCase, "answer with a mirror whose max_frame_bytes is min(hello, server), the limit in both directions",
            "Any JSON spelling of an integer (65536.0, 6.5536e4) is that integer."),
        ["ExtraMembers"] = Note(VectorBugType.EdgeCase, "Members the hello schema does not name.",
            "ignore them (they are still part of the hello the seal signs)", LhsRules.SealCovers),
        ["Session"] = Note(VectorBugType.EdgeCase, "§3.1 optional session metadata: an object of user-agent hints.",
            "do not interpret it: answer as without it", LhsRules.SessionShape),
        ["Precedence"] = Note(VectorBugType.Ordering,
            "Several faults at once: the server reports the first it checks (the hello's fields in the order lri_version, encodings, features, max_frame_bytes, session; then the major; then the encodings).",
            "reject; only the rejection is normative, which code wins is the model's order"),
    };

    /// <summary>The server profiles: the reference's, and variations of each capability.</summary>
    private static readonly (string Name, ServerCapabilities Caps)[] Profiles =
    [
        ("reference", ServerCapabilities.Reference),
        ("json-only", new ServerCapabilities("0.1", ["json"], ["ltp"], 32768)),
        ("cbor-only-no-features", new ServerCapabilities("0.4.2", ["cbor"], [], 1024)),
        ("major-1-cbor-first", new ServerCapabilities("1.3", ["cbor", "json"], ["lss", "telemetry"], 1048576)),
    ];

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "negotiation.schema.json", seed,
            "LHS §3.1 Hello × server capabilities → §3.2 Mirror or §4 error. Each group fixes the server's capabilities (serverCapabilities: its lri_version, encodings, features and max_frame_bytes).",
            "hello: the exact text of the first message the client sends on a new connection. valid: the server answers with a mirror whose lri_version, encoding, features (same order) and max_frame_bytes equal expectedMirror. invalid: the server sends an error frame with expectedError.code and closes without a mirror.",
            "The mirror's nonce is the server's own random token (the reference draws \"n-\" + base64url of 16 random bytes), so it is not part of expectedMirror: check only that it is a non-empty string, unique per connection.",
            "expectedError.rule is the requirement ID the model says the hello breaks; expectedError.detail is informative only.",
            "Expected outcomes are computed by the project's server model (LhsServer) driven with a seeded environment.");
        var c = new LhsVectorCollector(Notes);
        var n = 0;
        foreach (var (name, caps) in Profiles)
        {
            c.Group("NegotiationTest", new JsonObject { ["profile"] = name, ["serverCapabilities"] = CapabilitiesJson(caps) });
            var cfg = new LhsServerConfig(caps, Key(ServerKeyLabel), TimeSpan.FromHours(1));
            void Add(string comment, string hello, params string[] flags) => AddTest(c, cfg, seed, n++, comment, hello, flags);
            var v = caps.LriVersion;
            var feats = new[] { "ltp" };

            // Encodings: every ordered selection from {json, cbor, xml}, then duplicates and spellings.
            foreach (var list in Arrangements(["json", "cbor", "xml"]))
                Add($"encodings [{string.Join(", ", list)}]", Hello(v, list, feats, 65536),
                    When(list.Contains("xml"), "UnknownEncoding", "EncodingPreference"));
            foreach (var list in new[] { new[] { "json", "json" }, ["cbor", "cbor", "json"], ["xml", "xml"], ["xml", "json", "xml", "cbor"] })
                Add($"encodings with duplicates [{string.Join(", ", list)}]", Hello(v, list, feats, 65536), "DuplicateEncoding", "EncodingPreference");
            foreach (var list in new[] { new[] { "JSON" }, ["Cbor", "json"], [""], ["json "], ["application/json", "cbor"] })
                Add($"encodings spelled [{string.Join(", ", list.Select(s => JsonSerializer.Serialize(s)))}]: names are exact", Hello(v, list, feats, 65536), "UnknownEncoding", "EncodingPreference");

            // Features: every subset of {ltp, lss, telemetry, quantum} in that order, then order, duplicates, spellings.
            string[] all = ["ltp", "lss", "telemetry", "quantum"];
            for (var mask = 0; mask < 16; mask++)
            {
                var set = all.Where((_, i) => (mask & (1 << i)) != 0).ToArray();
                Add($"features [{string.Join(", ", set)}]", Hello(v, ["json", "cbor"], set, 65536),
                    When(set.Contains("quantum"), "UnknownFeature", "FeatureGrant"));
            }
            Add("features in reverse order: the mirror keeps the hello's order", Hello(v, ["json", "cbor"], ["telemetry", "lss", "ltp"], 65536), "FeatureGrant");
            Add("features with duplicates: each granted once", Hello(v, ["json", "cbor"], ["lss", "ltp", "lss", "ltp"], 65536), "FeatureGrant");
            Add("features spelled in capitals are unknown", Hello(v, ["json", "cbor"], ["LTP", "Lss", "telemetry"], 65536), "FeatureGrant", "UnknownFeature");
            Add("feature names with empty string", Hello(v, ["json", "cbor"], ["", "ltp"], 65536), "FeatureGrant", "UnknownFeature");

            // Versions: the server's major with other minors/patches, other majors, malformed strings.
            var major = caps.Major;
            foreach (var ver in new[] { v, $"{major}.0", $"{major}.1", $"{major}.2", $"{major}.0.0", $"{major}.99.7", $"{major}.123456789", $"{major + 1}.0", $"{major + 2}.1", "10.1", "123456789.0" })
                Add($"lri_version \"{ver}\" against server {v}", Hello(ver, ["json", "cbor"], feats, 65536), "MinorCompatible");
            foreach (var ver in new[] { $"{major}", $"{major}.1.2.3", $"0{major}.1", $"{major}.01", $"v{major}.1", "", $" {major}.1", $"{major}.1-beta", $"{major}.1.", "1234567890.0", $"{major}.1\u0000", "٠.١" })
                Add($"malformed lri_version {JsonSerializer.Serialize(ver)}", Hello(ver, ["json", "cbor"], feats, 65536));
            var baseHello = Hello(v, ["json", "cbor"], feats, 65536);
            Add("lri_version as the number 0.1", WithRaw(baseHello, "lri_version", "0.1"));
            Add("lri_version null", WithRaw(baseHello, "lri_version", "null"));
            Add("lri_version as an array", WithRaw(baseHello, "lri_version", $"[\"{v}\"]"));

            // max_frame_bytes at and around the limits (the server's, 1024, 32768, 65536, 2^31-1).
            var sizes = new[] { 1, 2, 1023, 1024, 1025, 32767, 32768, 32769, 65535, 65536, 65537, 1048575, 1048576, 1048577, int.MaxValue }
                .Append(caps.MaxFrameBytes - 1).Append(caps.MaxFrameBytes).Append(caps.MaxFrameBytes + 1).Distinct().Order();
            foreach (var size in sizes)
                Add($"max_frame_bytes {size} against server {caps.MaxFrameBytes}", Hello(v, ["json", "cbor"], feats, size), "FrameSize");
            foreach (var (raw, what) in new[] { ("65536.0", "65536.0 (integral double)"), ("6.5536e4", "6.5536e4 (exponent)"), ("1e3", "1e3"), ("1024.000", "1024.000") })
                Add($"max_frame_bytes spelled {what}", WithRaw(baseHello, "max_frame_bytes", raw), "FrameSize");
            foreach (var (raw, what) in new[]
                     {
                         ("0", "0"), ("-1", "-1"), ("2147483648", "2^31 (over the limit)"), ("1e10", "1e10"), ("1024.5", "1024.5"),
                         ("\"65536\"", "a string"), ("null", "null"), ("true", "true"), ("[65536]", "an array"), ("-0", "-0"),
                     })
                Add($"max_frame_bytes {what}", WithRaw(baseHello, "max_frame_bytes", raw), "FrameSize");

            // Missing and malformed required fields.
            foreach (var field in new[] { "lri_version", "encodings", "features", "max_frame_bytes" })
                Add($"required field {field} missing", WithRaw(baseHello, field, null));
            Add("encodings as a string", WithRaw(baseHello, "encodings", "\"json\""));
            Add("encodings with a number among strings", WithRaw(baseHello, "encodings", "[\"json\",7]"));
            Add("encodings null", WithRaw(baseHello, "encodings", "null"));
            Add("encodings as an object", WithRaw(baseHello, "encodings", "{\"json\":1}"));
            Add("features as a string", WithRaw(baseHello, "features", "\"ltp\""));
            Add("features as an object", WithRaw(baseHello, "features", "{\"ltp\":true}"));
            Add("features with a nested array", WithRaw(baseHello, "features", "[[\"ltp\"]]"));
            Add("features with null", WithRaw(baseHello, "features", "[\"ltp\",null]"));
            Add("empty features: nothing granted", WithRaw(baseHello, "features", "[]"), "FeatureGrant");

            // Optional session and extra members.
            Add("session as in §3.1", Hello(v, ["json", "cbor"], ["ltp", "lss"], 65536, new JsonObject { ["kind"] = "ephemeral", ["locale"] = "en-US" }), "Session");
            Add("empty session object", WithRaw(baseHello, "session", "{}"), "Session");
            Add("session as a string", WithRaw(baseHello, "session", "\"ephemeral\""), "Session");
            Add("session as an array", WithRaw(baseHello, "session", "[]"), "Session");
            Add("session null", WithRaw(baseHello, "session", "null"), "Session");
            Add("unknown extra members", WithRaw(WithRaw(baseHello, "x-client", "{\"name\":\"vectors\"}"), "trace", "[1,2,3]"), "ExtraMembers");

            if (name != "reference") continue;
            // Control-frame shape (the same for every profile: only here).
            Add("not JSON", "{\"step\":\"hello\",");
            Add("a JSON array, not an object", $"[{baseHello}]");
            Add("a JSON string", "\"hello\"");
            Add("no step member", WithRaw(baseHello, "step", null));
            Add("step as a number", WithRaw(baseHello, "step", "1"));
            Add("unknown step \"helo\"", WithRaw(baseHello, "step", "\"helo\""));
            Add("step \"HELLO\" in capitals", WithRaw(baseHello, "step", "\"HELLO\""));
            Add("duplicate member lri_version", baseHello[..^1] + ",\"lri_version\":\"" + v + "\"}");
            Add("duplicate member step", "{\"step\":\"hello\"," + baseHello[1..]);
            Add("lone surrogate in a session string", WithRaw(baseHello, "session", "{\"locale\":\"\\ud800\"}"));
            Add("number beyond the double range in an extra member", WithRaw(baseHello, "x", "1e400"));
            Add("whitespace and member order do not matter",
                "\n { \"max_frame_bytes\" : 65536 ,\t\"features\" : [ \"ltp\" ] , \"encodings\" : [ \"cbor\" , \"json\" ] , \"lri_version\" : \"0.1\" , \"step\" : \"hello\" } \n",
                "EncodingPreference");
            Add("escaped member names and values", "{\"st\\u0065p\":\"hello\",\"lri_version\":\"\\u0030.1\",\"encodings\":[\"\\u006ason\"],\"features\":[\"l\\u0074p\"],\"max_frame_bytes\":65536}", "EncodingPreference", "FeatureGrant");
            Add("first message a bind, not a hello", "{\"step\":\"bind\",\"thread\":\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\"}");
            Add("first message a mirror (a server step)", "{\"step\":\"mirror\",\"lri_version\":\"0.1\",\"encoding\":\"json\",\"features\":[],\"max_frame_bytes\":1024,\"nonce\":\"x\"}");
            Add("first message a seal (a server step)", "{\"step\":\"seal\",\"session_id\":\"s\",\"signature\":\"ltp:jws:x\"}");

            // Several faults at once.
            Add("unsupported major and no shared encoding", Hello("7.0", ["xml"], feats, 65536), "Precedence");
            Add("unsupported major and max_frame_bytes 0", WithRaw(Hello("7.0", ["json"], feats, 65536), "max_frame_bytes", "0"), "Precedence");
            Add("malformed version and encodings a string", WithRaw(Hello("x", ["json"], feats, 65536), "encodings", "\"json\""), "Precedence");
            Add("no shared encoding and features an object", WithRaw(Hello(v, ["xml"], feats, 65536), "features", "{}"), "Precedence");
            Add("empty encodings, empty features, max 1", Hello(v, [], [], 1), "Precedence");
            Add("unsupported major, empty encodings, session a string", WithRaw(Hello("3.1", [], feats, 65536), "session", "1"), "Precedence");
        }
        return c.Build(b);
    }

    private static void AddTest(LhsVectorCollector c, LhsServerConfig cfg, ulong seed, int index, string comment, string hello, string[] flags)
    {
        var env = new SeededEnvironment(seed, Start, $"lhs-negotiation/{index}");
        var run = ServerRun.Drive([new ClientEvent.Text(hello)], cfg, env);
        var fields = new JsonObject { ["hello"] = hello };
        if (run.Rejected is { } e)
        {
            fields["expectedError"] = ErrorJson(e);
            c.Test(comment, RejectionResult(e), fields, [.. ErrorFlags(e), .. flags.Where(f => !ValidOnly.Contains(f))]);
            return;
        }
        var mirror = JsonNode.Parse(run.Texts.Single())!.AsObject();
        if ((string?)mirror["step"] != "mirror") throw new InvalidOperationException("server answered a hello with " + run.Texts.Single());
        mirror.Remove("nonce");
        fields["expectedMirror"] = mirror;
        c.Test(comment, VectorResult.Valid, fields, flags);
    }

    private static string[] When(bool condition, string flag, params string[] always) => condition ? [flag, .. always] : always;

    /// <summary>Flags that describe an accepted hello; dropped where the model rejects it (the rule flag says why).</summary>
    private static readonly HashSet<string> ValidOnly = ["EncodingPreference", "FeatureGrant", "MinorCompatible", "FrameSize"];

    /// <summary>Every ordered selection without repetition (the empty one included), shortest first.</summary>
    private static IEnumerable<string[]> Arrangements(string[] items)
    {
        IEnumerable<string[]> Extend(string[] prefix)
        {
            yield return prefix;
            foreach (var i in items.Where(x => !prefix.Contains(x)))
                foreach (var longer in Extend([.. prefix, i])) yield return longer;
        }
        return Extend([]).OrderBy(a => a.Length);
    }
}
