// Shared by the LHS vector topics: the rule flags (one per rule ID the model names, each noted from the catalog entry
// it enforces), a collector that registers only the notes of the flags actually used, the fixed keys, and a driver that
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
internal sealed class LhsVectorCollector(IReadOnlyDictionary<string, VectorNote> notes)
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

    /// <summary>A rejection as the server model makes it: the error frame with <paramref name="code"/>, then the close.</summary>
    public static string Reject(LhsErrorCode code) => $"reject: error frame {code.Wire()}, then close";

    /// <summary>A note derived from the LHS catalog entry <paramref name="id"/>.</summary>
    public static VectorNote Rule(string id, VectorBugType t, string effect, string? remark = null, params string[] links) =>
        VectorNotes.FromRule(Suite.Lhs.LhsCatalog.Spec, t, id, effect, remark, links);

    /// <summary>A note for a flag that checks no single requirement.</summary>
    public static VectorNote Note(VectorBugType t, string description, string effect, params string[] links) => new(t, description, effect, links);

    /// <summary>The note of a vector found by a property-based trace.</summary>
    public static VectorNote TraceFoundNote(string origin) =>
        Note(VectorBugType.Generated, "Found by a property-based trace: " + origin, "as each event's expected outputs say");

    /// <summary>The notes of the rule flags, derived from the LHS catalog; only the vector-specific remark is written here.</summary>
    public static readonly IReadOnlyDictionary<string, VectorNote> RuleNotes = new Dictionary<string, VectorNote>
    {
        ["StepOrder"] = Rule(LhsRules.Order, VectorBugType.Ordering, Reject(LhsErrorCode.UnexpectedStep), "A flow frame before the seal is out of order too; the code is the project's."),
        ["SingleShot"] = Rule(LhsRules.SingleShot, VectorBugType.Ordering, Reject(LhsErrorCode.UnexpectedStep), "A retry needs a new connection."),
        ["FrameLimit"] = Rule(LhsRules.FrameLimit, VectorBugType.EdgeCase, Reject(LhsErrorCode.FrameTooLarge),
            "§3.1 calls max_frame_bytes a \"soft limit for downstream frames\"; the mirror's value bounds every flow frame (the whole binary message) in both directions."),
        ["ControlFrameJson"] = Rule(LhsRules.Json, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidFrame),
            "One I-JSON object (no lone surrogates, numbers within double range) with a string \"step\" naming a known step."),
        ["DuplicateMemberNames"] = Rule(LhsRules.DuplicateMembers, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidFrame),
            "RFC 8785 takes I-JSON input, and RFC 7493 §2.3 forbids duplicate member names.", "SPEC-NOTES.md#duplicate-members", "RFC 8785", "RFC 7493 §2.3"),
        ["HelloRequiredFields"] = Rule(LhsRules.HelloRequired, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidFrame),
            "lri_version a major.minor[.patch] string (decimal, no leading zeros), encodings and features arrays of strings, max_frame_bytes an integer 1..2^31-1 (any JSON spelling of that number)."),
        ["HelloSessionShape"] = Rule(LhsRules.SessionShape, VectorBugType.Reading, Reject(LhsErrorCode.InvalidFrame), null, "SPEC-NOTES.md#hello-session"),
        ["UnsupportedMajor"] = Rule(LhsRules.Version, VectorBugType.ModifiedParameter, Reject(LhsErrorCode.VersionMismatch)),
        ["NoSharedEncoding"] = Rule(LhsRules.Negotiation, VectorBugType.ModifiedParameter, Reject(LhsErrorCode.EncodingNegotiationFailed),
            "No encoding of the hello is supported by the server (an empty list included)."),
        ["MirrorFields"] = Rule(LhsRules.MirrorFields, VectorBugType.Malformed, "the client rejects the mirror: " + Reject(LhsErrorCode.InvalidFrame)),
        ["FeaturesSubset"] = Rule(LhsRules.FeaturesSubset, VectorBugType.ModifiedParameter,
            $"the client rejects the mirror: {Reject(LhsErrorCode.FeatureNotNegotiated)} for a widened feature, {LhsErrorCode.InvalidFrame.Wire()} for a larger max_frame_bytes"),
        ["FeatureNotNegotiated"] = Rule(LhsRules.FeaturesEnforced, VectorBugType.ModifiedParameter, Reject(LhsErrorCode.FeatureNotNegotiated),
            "An LCE carrying the LTP sig member without ltp negotiated."),
        ["FeatureMemberReading"] = Rule(LhsRules.FeatureMembers, VectorBugType.Reading, Reject(LhsErrorCode.FeatureNotNegotiated), null, "SPEC-NOTES.md#features-and-frame-size"),
        ["BindThread"] = Rule(LhsRules.Thread, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidBind),
            "A UUID is 8-4-4-4-12 hex (either case); a ULID 26 Crockford base32 characters, the first 0-7."),
        ["BindShape"] = Rule(LhsRules.BindShape, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidBind)),
        ["SealVerification"] = Rule(LhsRules.SealCovers, VectorBugType.AuthBypass, Reject(LhsErrorCode.TrustFailed),
            "A client whose verification fails must abort (LHS-3.4-seal-verified).", "LHS-3.4-seal-verified"),
        ["SealFields"] = Rule(LhsRules.SealFields, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidFrame)),
        ["EncodingEnforced"] = Rule(LhsRules.EncodingEnforced, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidLce),
            "An LCE that is not an object/map of the negotiated encoding."),
        ["LceOnly"] = Rule(LhsRules.LceOnly, VectorBugType.Ordering, Reject(LhsErrorCode.UnexpectedStep),
            "A text message that is not an error frame, or any control step, after the seal."),
        ["LceShape"] = Rule(LhsRules.LceShape, VectorBugType.Malformed, Reject(LhsErrorCode.InvalidLce),
            "A flow frame is a 4-byte big-endian LCE length, the LCE, the payload."),
        // The model's rule LHS-2-timeout has no catalog entry, so this note is written, not derived.
        ["HandshakeTimeout"] = new(VectorBugType.EdgeCase,
            "A handshake that does not complete in time. §2: \"HELLO --> [*] : Reject / timeout\" (the model's rule LHS-2-timeout).",
            Reject(LhsErrorCode.HandshakeTimeout), []),
        ["ProjectErrorCode"] = Rule("LHS-4-code-project", VectorBugType.Reading, "reject; the error code itself is the project's (model level)",
            "The §4 table (\"Common error codes\") has none for this failure.", "SPEC-NOTES.md#lhs-error-codes"),
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
