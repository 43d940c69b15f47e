// Shared by the LHS vector topics: the rule flags (one per rule ID the model names, each with the spec sentence it
// enforces), a collector that registers only the notes of the flags actually used, the fixed keys, and a driver that
// runs the server model over a list of client events and records what it sends.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;

namespace Conformance.Suite.Vectors.Lhs;

/// <summary>Groups and tests gathered first; the builder then gets exactly the notes of the flags used.</summary>
internal sealed class LhsVectorCollector(IReadOnlyDictionary<string, string> notes)
{
    private readonly List<(string Type, JsonObject Shared, List<(string Comment, VectorResult Result, JsonObject Fields, string[] Flags)> Tests)> _groups = [];

    public void Group(string type, JsonObject? shared = null) => _groups.Add((type, shared ?? [], []));

    public void Test(string comment, VectorResult result, JsonObject fields, IEnumerable<string> flags)
    {
        var list = flags.Distinct(StringComparer.Ordinal).ToArray();
        foreach (var f in list)
            if (!notes.ContainsKey(f) && !LhsVectorKit.RuleNotes.ContainsKey(f)) throw new InvalidOperationException($"flag {f} has no note");
        _groups[^1].Tests.Add((comment, result, fields, list));
    }

    public VectorFile Build(VectorFileBuilder b)
    {
        var used = _groups.SelectMany(g => g.Tests).SelectMany(t => t.Flags).ToHashSet(StringComparer.Ordinal);
        foreach (var flag in used.Order(StringComparer.Ordinal))
            b.Note(flag, notes.TryGetValue(flag, out var n) ? n : LhsVectorKit.RuleNotes[flag]);
        foreach (var g in _groups)
        {
            b.Group(g.Type, g.Shared);
            foreach (var t in g.Tests) b.Test(t.Comment, t.Result, t.Fields, t.Flags);
        }
        return b.Build();
    }
}

internal static class LhsVectorKit
{
    /// <summary>The instant every seeded environment starts at.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string ServerKeyLabel = "conformance-vectors/lhs/server/v1";
    public const string OtherKeyLabel = "conformance-vectors/lhs/other-server/v1";

    /// <summary>The 32-byte Ed25519 seed of a labelled key: SHA-256(UTF-8(label)), as TestKeys.FromLabel makes it.</summary>
    public static byte[] Seed(string label) => SHA256.HashData(Encoding.UTF8.GetBytes(label));

    public static Ed25519Signer Key(string label) => new(Seed(label));

    /// <summary>One flag per rule ID of the model (LhsRules), named for what it checks.</summary>
    public static readonly IReadOnlyDictionary<string, string> RuleFlags = new Dictionary<string, string>
    {
        [LhsRules.Order] = "StepOrder",
        [LhsRules.SingleShot] = "SingleShot",
        [LhsRules.FrameLimit] = "FrameLimit",
        [LhsRules.Json] = "ControlFrameJson",
        [LhsRules.DuplicateMembers] = "DuplicateMemberNames",
        [LhsRules.HelloRequired] = "HelloRequiredFields",
        [LhsRules.SessionShape] = "HelloSessionShape",
        [LhsRules.Version] = "UnsupportedMajor",
        [LhsRules.Negotiation] = "NoSharedEncoding",
        [LhsRules.MirrorFields] = "MirrorFields",
        [LhsRules.FeaturesSubset] = "FeaturesSubset",
        [LhsRules.FeaturesEnforced] = "FeatureNotNegotiated",
        [LhsRules.FeatureMembers] = "FeatureMemberReading",
        [LhsRules.Thread] = "BindThread",
        [LhsRules.BindShape] = "BindShape",
        [LhsRules.SealCovers] = "SealVerification",
        [LhsRules.SealFields] = "SealFields",
        [LhsRules.EncodingEnforced] = "EncodingEnforced",
        [LhsRules.LceOnly] = "LceOnly",
        [LhsRules.LceShape] = "LceShape",
        [LhsRules.Timeout] = "HandshakeTimeout",
    };

    public static readonly IReadOnlyDictionary<string, string> RuleNotes = new Dictionary<string, string>
    {
        ["StepOrder"] = "LHS-1-order. §1: \"Steps must arrive in the precise order hello → mirror → bind → seal. Any deviation is a protocol error.\" A flow frame before the seal is out of order too. Code lhs.unexpected_step (the project's).",
        ["SingleShot"] = "LHS-1-single-shot. §1: \"hello MAY be retried after connection loss; all subsequent steps are single-shot per connection.\" A second hello or bind on one connection is a protocol error (a retry needs a new connection). Code lhs.unexpected_step.",
        ["FrameLimit"] = "LHS-1-frame-limit. §3.1 max_frame_bytes is a \"soft limit for downstream frames\"; §1 \"MUST treat the negotiated result as binding\". The mirror's max_frame_bytes bounds every flow frame (the whole binary message) in both directions. Code lhs.frame_too_large.",
        ["ControlFrameJson"] = "LHS-3-json. §3: \"All LHS control frames are JSON objects\": one I-JSON object (no lone surrogates, numbers within double range) with a string \"step\" naming a known step. Code lhs.invalid_frame.",
        ["DuplicateMemberNames"] = "LHS-3-duplicate-members (model level; SPEC-NOTES.md \"Duplicate members\"). §3 says only \"JSON objects\"; the seal signs the frames' JCS form and RFC 8785 takes I-JSON input (RFC 7493 §2.3: \"Objects in I-JSON messages MUST NOT have members with duplicate names\"), so the project rejects a control frame in which a member name occurs twice. Code lhs.invalid_frame.",
        ["HelloRequiredFields"] = "LHS-3.1-required. §3.1 \"Required fields: lri_version, encodings, features, max_frame_bytes\": lri_version a major.minor[.patch] string (decimal, no leading zeros), encodings and features arrays of strings, max_frame_bytes an integer 1..2^31-1 (any JSON spelling of that number). Code lhs.invalid_frame.",
        ["HelloSessionShape"] = "LHS-3.1-session-shape (model level; SPEC-NOTES.md \"Hello session\"). §3.1: \"Optional session metadata allows the client to communicate user agent hints\"; that session is an object when present is the project's reading of the example. Code lhs.invalid_frame.",
        ["UnsupportedMajor"] = "LHS-3.1-version. §3.1: \"The server MUST compare against supported versions and reject unknown majors.\" Code lhs.version_mismatch (§4 table).",
        ["NoSharedEncoding"] = "LHS-3.2-negotiation. §3.2 \"choose a single encoding\"; §4 lhs.encoding_negotiation_failed: \"no shared encoding between hello/mirror\". No encoding of the hello is supported by the server (an empty list included).",
        ["MirrorFields"] = "LHS-3.2-mirror-fields. §3.2: the mirror carries lri_version, encoding, features, max_frame_bytes and nonce. Code lhs.invalid_frame.",
        ["FeaturesSubset"] = "LHS-3.2-features-subset. §1 capability envelopes \"converge\": the mirror's features are a subset of the hello's and its max_frame_bytes at most the hello's.",
        ["FeatureNotNegotiated"] = "LHS-3.2-features-enforced. §3.2: \"Features reported here are authoritative: any capability absent from the array is considered disabled.\" An LCE carrying the LTP sig member without ltp negotiated. Code lhs.feature_not_negotiated.",
        ["FeatureMemberReading"] = "LHS-3.2-feature-members (model level; SPEC-NOTES.md \"Features and frame size\"). That a top-level lss or telemetry member of an LCE \"uses\" the lss or telemetry feature is the project's reading of \"any capability absent from the array is considered disabled\". Code lhs.feature_not_negotiated.",
        ["BindThread"] = "LHS-3.3-thread. §3.3: \"thread MUST be a stable identifier (UUID or ULID).\" A UUID is 8-4-4-4-12 hex (either case); a ULID 26 Crockford base32 characters, the first 0-7. Code lhs.invalid_bind (§4 table).",
        ["BindShape"] = "LHS-3.3-bind-shape. §3.3/§4 \"session thread/auth data missing or invalid\": auth, when present, is an object with string scheme and token; context, when present, an object. Code lhs.invalid_bind.",
        ["SealVerification"] = "LHS-3.4-seal-covers / seal-verified. §3.4: \"The signature MUST be produced via LTP over the canonical concatenation of the hello, mirror and bind payloads plus the server nonce. If verification fails, the client MUST abort the connection.\" Code lhs.trust_failed (§4 table).",
        ["SealFields"] = "LHS-3.4-seal-fields. The seal carries session_id, expires_at (RFC 3339, future) and features.ltp.jws {alg EdDSA, nonce = the mirror's}. Code lhs.invalid_frame.",
        ["EncodingEnforced"] = "LHS-6-encoding-enforced. §6: \"endpoints MUST prefix all subsequent messages with LCE payloads encoded according to the negotiated encoding.\" An LCE that is not an object/map of the negotiated encoding. Code lhs.invalid_lce.",
        ["LceOnly"] = "LHS-6-lce-only. §6: after the seal only LCE flow frames (binary messages) travel; a text message that is not an error frame, or any control step, is a protocol error. Code lhs.unexpected_step.",
        ["LceShape"] = "LHS-6-lce-shape (model level). A flow frame is a 4-byte big-endian LCE length, the LCE, the payload; the LCE has v = 1 and string intent.type and policy.consent. Code lhs.invalid_lce.",
        ["HandshakeTimeout"] = "LHS-2-timeout. §2: \"HELLO --> [*] : Reject / timeout\": a handshake that does not complete in time is rejected. Code lhs.handshake_timeout.",
        ["ProjectErrorCode"] = "The error code is the project's (SPEC-NOTES.md \"LHS error codes\"): the §4 table (\"Common error codes\") has none for this failure. A conformant peer must reject; the code itself is model level (LHS-4-code-project).",
    };

    /// <summary>
    /// A rejection under a model-level rule (a project reading the spec does not state) is acceptable, not invalid: the
    /// spec lets a peer accept it; expectedError says what the reference does.
    /// </summary>
    public static VectorResult RejectionResult(LhsError e) =>
        Suite.Lhs.LhsCatalog.Instance.Requirements.SingleOrDefault(r => r.Id == e.Rule)?.Level == Conformance.Reports.Model.Level.Model ? VectorResult.Acceptable : VectorResult.Invalid;

    /// <summary>The rule flags for a rejection: the rule's own flag, and ProjectErrorCode for a code outside the §4 table.</summary>
    public static IEnumerable<string> ErrorFlags(LhsError e)
    {
        yield return RuleFlags[e.Rule];
        if (!e.Code.IsFromSpecTable()) yield return "ProjectErrorCode";
    }

    public static JsonObject ErrorJson(LhsError e) => new() { ["code"] = e.Code.Wire(), ["rule"] = e.Rule, ["detail"] = e.Detail };

    public static JsonArray Strings(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode)s)]);

    public static JsonObject CapabilitiesJson(ServerCapabilities c) => new()
    {
        ["lri_version"] = c.LriVersion,
        ["encodings"] = Strings(c.Encodings),
        ["features"] = Strings(c.Features),
        ["max_frame_bytes"] = c.MaxFrameBytes,
    };

    /// <summary>A hello as the reference client writes it (member order of §3.1), with any member overridden or removed.</summary>
    public static string Hello(string version, IEnumerable<string> encodings, IEnumerable<string> features, int max, JsonNode? session = null)
    {
        var o = new JsonObject
        {
            ["step"] = "hello",
            ["lri_version"] = version,
            ["encodings"] = Strings(encodings),
            ["features"] = Strings(features),
            ["max_frame_bytes"] = max,
        };
        if (session is not null) o["session"] = session;
        return o.ToJsonString(Compact);
    }

    public static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON object <paramref name="json"/> with member <paramref name="name"/> set to raw JSON text (null: removed).
    /// Raw text so that spellings such as 65536.0 or 1e400 reach the wire unchanged.</summary>
    public static string WithRaw(string json, string name, string? rawValue)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        var parts = new List<string>();
        var found = false;
        foreach (var (k, v) in node)
        {
            if (k == name)
            {
                found = true;
                if (rawValue is not null) parts.Add(JsonSerializer.Serialize(k) + ":" + rawValue);
            }
            else parts.Add(JsonSerializer.Serialize(k) + ":" + v!.ToJsonString(Compact));
        }
        if (!found && rawValue is not null) parts.Add(JsonSerializer.Serialize(name) + ":" + rawValue);
        return "{" + string.Join(",", parts) + "}";
    }

    /// <summary>An LCE in JSON form; <paramref name="extra"/> adds top-level members (raw JSON values).</summary>
    public static string Lce(string intent, params (string Name, string Raw)[] extra) =>
        "{\"v\":1,\"intent\":{\"type\":" + JsonSerializer.Serialize(intent) + "},\"policy\":{\"consent\":\"granted\"}"
        + string.Concat(extra.Select(e => "," + JsonSerializer.Serialize(e.Name) + ":" + e.Raw)) + "}";
}

/// <summary>A client event fed to the server model: a text or binary message, a handshake timeout, or the peer's close.</summary>
internal abstract record ClientEvent
{
    public sealed record Text(string Value) : ClientEvent;
    public sealed record Binary(byte[] Value) : ClientEvent;
    public sealed record Timeout : ClientEvent;
    public sealed record Closed : ClientEvent;

    public LhsInput Input => this switch
    {
        Text t => new LhsInput.Text(t.Value),
        Binary b => new LhsInput.Binary(b.Value),
        Timeout => new LhsInput.HandshakeTimeout(),
        _ => new LhsInput.PeerClosed(),
    };

    public JsonObject ToJson() => this switch
    {
        Text t => new JsonObject { ["type"] = "text", ["text"] = t.Value },
        Binary b => new JsonObject { ["type"] = "binary", ["hex"] = VectorJson.Hex(b.Value) },
        Timeout => new JsonObject { ["type"] = "handshake_timeout" },
        _ => new JsonObject { ["type"] = "peer_close" },
    };
}

/// <summary>What the server model did for a whole list of client events.</summary>
internal sealed record ServerRun(
    IReadOnlyList<IReadOnlyList<LhsOutput>> Outputs,
    LhsServerState Final,
    LhsError? Rejected,
    IReadOnlyList<string> Texts)
{
    public static ServerRun Drive(IEnumerable<ClientEvent> events, LhsServerConfig cfg, IModelEnvironment env)
    {
        var state = LhsServerState.Initial;
        var outputs = new List<IReadOnlyList<LhsOutput>>();
        var texts = new List<string>();
        LhsError? rejected = null;
        foreach (var ev in events)
        {
            var step = LhsServer.Step(state, ev.Input, cfg, env);
            state = step.State;
            rejected ??= step.Rejected;
            outputs.Add(step.Outputs);
            texts.AddRange(step.Outputs.OfType<LhsOutput.SendText>().Select(t => t.Value));
        }
        return new(outputs, state, rejected, texts);
    }
}
