// Which shim op answers which vector test (adapters/SHIM.md, "Vector ops"): the request built from the test's
// fields and the outputs its answer must reproduce. A topic absent here has no op yet and is reported as not run.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Suite.Vectors.Shim;

/// <summary>
/// One request for a test. <paramref name="Expect"/>: the result the answer must give (valid, invalid or acceptable);
/// <paramref name="Outputs"/>: fields of a valid answer that must equal the test's fields of the same name;
/// <paramref name="WhenValid"/>, <paramref name="WhenInvalid"/>: further checks of an answer to a valid or an invalid test
/// (null when it holds, else what is wrong).
/// </summary>
public sealed record OpCall(string Op, JsonObject Fields, string Expect, IReadOnlyList<string> Outputs,
    Func<JsonElement, string?>? WhenValid = null, Func<JsonElement, string?>? WhenInvalid = null);

public static class VectorOps
{
    /// <summary>The ops each topic needs, by "spec/topic".</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByTopic = new Dictionary<string, string[]>
    {
        ["ltp/jcs"] = ["jcs.canonicalize"],
        ["ltp/ed25519"] = ["ed25519.verify", "ed25519.sign"],
        ["lhs/negotiation"] = ["lhs.negotiate"],
        ["lhs/seal"] = ["lhs.seal.verify"],
        ["shard/merkle"] = ["merkle.root", "merkle.payload", "merkle.inclusion.verify", "shard.version-id"],
        ["cip/envelopes"] = ["cip.envelope.verify"],
        ["cip/trust-fsm"] = ["cip.trust-fsm"],
        ["cip/knowledge"] = ["cip.knowledge"],
        ["shard/header"] = ["shard.header"],
        ["cip/replay"] = ["cip.replay"],
        ["lhs/transcripts"] = ["lhs.transcript.server", "lhs.transcript.client"],
        ["shard/transcripts"] = ["shard.transcript"],
    };

    public static bool Covers(string file) => ByTopic.ContainsKey(file);

    /// <summary>The requests that judge <paramref name="t"/>, in order.</summary>
    public static IReadOnlyList<OpCall> Plan(VectorTest t) => (t.File, t.GroupType) switch
    {
        ("ltp/jcs", _) => [new("jcs.canonicalize", Take(t, "input"), t.Result, [], WhenValid: a => Same(a, "outputHex", t.Test, "expectedHex"))],
        ("ltp/ed25519", _) => t.Result == "valid" && t.Test.TryGetProperty("seed", out _)
            ? [Verify(t), new("ed25519.sign", Take(t, "seed", "msg"), "valid", ["publicKey", "sig"])]
            : [Verify(t)],
        ("lhs/negotiation", _) => [new("lhs.negotiate", Take(t, "hello").With("serverCapabilities", t.Group.GetProperty("serverCapabilities")), t.Result, [],
            WhenValid: a => MirrorMatches(a, t.Test.GetProperty("expectedMirror")), WhenInvalid: a => ErrorCodeMatches(a, t.Test.GetProperty("expectedError")))],
        ("lhs/seal", _) => [new("lhs.seal.verify", Take(t, "hello", "mirror", "bind", "nonce", "signature").With("serverPublicKey", t.Group.GetProperty("serverPublicKey")), t.Result, [])],
        ("shard/merkle", "MerkleRoot") => [new("merkle.root", Take(t, "leaves"), t.Result, ["leafHashes", "root", "versionId"])],
        ("shard/merkle", "MerklePayload") => [new("merkle.payload", Take(t, "payload", "chunkSize"), t.Result, ["chunkCount", "leafHashes", "root", "versionId"])],
        ("shard/merkle", "MerkleInclusion" or "MerkleInclusionInvalid") =>
            [new("merkle.inclusion.verify", Take(t, "leaf", "leafHash", "index", "treeSize", "proof", "root"), t.Result, [])],
        ("shard/merkle", "VersionIdForm") => [new("shard.version-id", Take(t, "versionId"), t.Result, ["form"])],
        ("cip/envelopes", _) => [new("cip.envelope.verify", Take(t, "envelope"), t.Result, ["msgType", "publicKey", "fingerprint", "signature", "signingInput"])],
        ("cip/trust-fsm", _) => [new("cip.trust-fsm", Take(t, "initial", "events"), t.Result, ["states", "final"])],
        ("cip/knowledge", _) => [new("cip.knowledge", Take(t, "claim", "proposerTrust", "causalMemory", "confirmations", "conflicts", "selfOverloaded").WithOptional(t, "proposerTrustLater"),
            t.Result, ["status", "stage", "rule", "resolution"], WhenInvalid: a => SameAll(a, t.Test, "status", "rule"))],
        ("shard/header", _) => [new("shard.header", Take(t, "now", "sessionToken", "hello", "registry", "header").With("keys", t.Group.GetProperty("keys")).With("edge", t.Group.GetProperty("edge")),
            t.Result, [], WhenValid: a => EdgeOutputsMatch(a, t.Test), WhenInvalid: a => SameAll(a, t.Test, "errorCode"))],
        ("cip/replay", _) => [new("cip.replay", ReplaySteps(t).With("agent", t.Group.GetProperty("agent")).With("replayWindowSeconds", t.Group.GetProperty("replayWindowSeconds")),
            t.Result, ["outcome"], WhenValid: a => VerdictsMatch(a, t.Test), WhenInvalid: a => VerdictsMatch(a, t.Test))],
        ("lhs/transcripts", "ServerTranscript") => [new("lhs.transcript.server",
            Take(t, "environment", "clientEvents").With(t.Group, "serverCapabilities", "serverPrivateSeed", "sessionLifetimeSeconds", "environmentStart"),
            t.Result, ["established", "closed"], WhenValid: a => ActionsMatch(a, t.Test), WhenInvalid: a => ActionsMatch(a, t.Test) ?? ExpectedErrorMatches(a, t.Test))],
        ("lhs/transcripts", "ClientTranscript") => [new("lhs.transcript.client", Take(t, "clientConfig", "serverEvents"),
            t.Result, ["established", "closed"], WhenValid: a => ActionsMatch(a, t.Test), WhenInvalid: a => ActionsMatch(a, t.Test) ?? ExpectedErrorMatches(a, t.Test))],
        ("shard/transcripts", _) => [new("shard.transcript", ShardSteps(t).With(t.Group, "keys", "edge"), t.Result, ["registryAfter", "refusals"],
            WhenValid: a => ShardStepsMatch(a, t.Test), WhenInvalid: a => ShardStepsMatch(a, t.Test) ?? SameAll(a, t.Test, "refusals"))],
        _ => [],
    };

    private static OpCall Verify(VectorTest t) => new("ed25519.verify", Take(t, "publicKey", "msg", "sig"), t.Result, []);

    /// <summary>
    /// Judges one answer (its "result" already known to be valid or invalid): null when it agrees with the call, else
    /// what disagrees. A valid answer's outputs are checked whatever the test's result (acceptable included).
    /// </summary>
    public static string? Judge(OpCall call, string result, JsonElement answer, JsonElement test)
    {
        if (call.Expect != "acceptable" && result != call.Expect) return $"result {result}, expected {call.Expect}";
        if (result == "invalid") return call.Expect == "invalid" ? call.WhenInvalid?.Invoke(answer) : null;
        // An acceptable test the reference rejects (a model-level reading) records no outputs for an accepting peer.
        if (call.Expect == "acceptable" && test.TryGetProperty("expectedError", out _)) return null;
        foreach (var name in call.Outputs)
            if (Same(answer, name, test, name) is { } wrong) return wrong;
        return call.Expect == "valid" ? call.WhenValid?.Invoke(answer) : null;
    }

    /// <summary>The expected side of a call, as evidence text.</summary>
    public static string Describe(OpCall call, VectorTest t)
    {
        var outputs = call.Expect == "invalid" ? [] : call.Outputs.Select(o => $"{o} = {Clip(Compact(t.Test.GetProperty(o)))}");
        var extra = (t.File, call.Expect) switch
        {
            ("ltp/jcs", "valid") => [$"outputHex = {Clip(t.Test.GetProperty("expectedHex").GetString()!)}"],
            ("lhs/negotiation", "valid") => [$"mirror ⊇ {Clip(Compact(t.Test.GetProperty("expectedMirror")))}, nonce a non-empty string"],
            ("lhs/negotiation", "invalid") => [$"errorFrame.code = {t.Test.GetProperty("expectedError").GetProperty("code").GetString()}"],
            ("shard/header", "valid") => ["replies, effects as recorded (error detail, commit_ack registry_id and effect answers aside)"],
            ("shard/header", "invalid") => [$"errorCode = {t.Test.GetProperty("errorCode").GetString()}"],
            ("cip/replay", _) => ["verdicts: " + string.Join(", ", t.Test.GetProperty("steps").EnumerateArray().Select(s => s.TryGetProperty("rule", out var r) ? $"dropped ({r.GetString()})" : "accepted"))],
            ("lhs/transcripts", "valid") => ["actions as `expected`" + (t.Test.TryGetProperty("expectedStart", out _) ? ", startActions as `expectedStart`" : "")],
            ("lhs/transcripts", "invalid") => [$"actions as `expected`; errorCode = {t.Test.GetProperty("expectedError").GetProperty("code").GetString()}"],
            ("shard/transcripts", _) => ["every step's edge replies and effects as recorded (error detail, commit_ack registry_id and effect answers aside)"
                + (call.Expect == "invalid" ? $"; refusals = {Compact(t.Test.GetProperty("refusals"))}" : "")],
            ("cip/knowledge", "invalid") => [$"status = {t.Test.GetProperty("status").GetString()}; rule = {t.Test.GetProperty("rule").GetString()}"],
            _ => Array.Empty<string>(),
        };
        var expect = call.Expect == "acceptable" ? "valid or invalid" : call.Expect;
        return $"{call.Op}: {expect}" + (!outputs.Concat(extra).Any() ? "" : "; " + string.Join("; ", outputs.Concat(extra)));
    }

    private static string? Same(JsonElement answer, string name, JsonElement test, string testName)
    {
        if (!answer.TryGetProperty(name, out var got)) return $"no {name} in the answer";
        var want = test.GetProperty(testName);
        return JsonNode.DeepEquals(JsonNode.Parse(got.GetRawText()), JsonNode.Parse(want.GetRawText()))
            ? null : $"{name} = {Clip(Compact(got))}, expected {Clip(Compact(want))}";
    }

    /// <summary>The first of <paramref name="names"/> whose value in the answer differs from the test's, or null.</summary>
    private static string? SameAll(JsonElement answer, JsonElement test, params string[] names) =>
        names.Select(n => Same(answer, n, test, n)).FirstOrDefault(w => w is not null);

    /// <summary>
    /// An edge's replies and registry effects as recorded, leaving out what another implementation may word or number
    /// its own way: an error message's detail (prose), a commit_ack's registry_id and the registry's answers to effects.
    /// </summary>
    private static string? EdgeOutputsMatch(JsonElement answer, JsonElement test, string replies = "replies")
    {
        foreach (var name in new[] { replies, "effects" })
        {
            if (!answer.TryGetProperty(name, out var got) || got.ValueKind != JsonValueKind.Array) return $"no {name} array in the answer";
            var (g, w) = (Comparable(got), Comparable(test.GetProperty(name)));
            if (!JsonNode.DeepEquals(g, w)) return $"{name} = {Clip(g.ToJsonString())}, expected {Clip(w.ToJsonString())}";
        }
        return null;
    }

    private static JsonNode Comparable(JsonElement outputs)
    {
        var list = JsonNode.Parse(outputs.GetRawText())!;
        foreach (var item in list.AsArray().OfType<JsonObject>())
        {
            item.Remove("answer");
            if (item["message"] is not JsonObject m) continue;
            if ((string?)m["type"] == "error") m.Remove("detail");
            if ((string?)m["type"] == "commit_ack") m.Remove("registry_id");
        }
        return list;
    }

    /// <summary>The steps' inputs alone: arrival time, connection, envelope (not their verdicts).</summary>
    private static JsonObject ReplaySteps(VectorTest t) => new()
    {
        ["steps"] = new JsonArray([.. t.Test.GetProperty("steps").EnumerateArray().Select(s => (JsonNode)new JsonObject
        {
            ["at"] = s.GetProperty("at").GetString(), ["connection"] = s.GetProperty("connection").GetInt32(), ["envelope"] = s.GetProperty("envelope").GetString(),
        })]),
    };

    /// <summary>Every step's verdict: accepted or dropped, and for a drop the rule (its reason is prose).</summary>
    private static string? VerdictsMatch(JsonElement answer, JsonElement test)
    {
        var want = test.GetProperty("steps").EnumerateArray().ToArray();
        if (!answer.TryGetProperty("verdicts", out var v) || v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != want.Length)
            return $"no verdicts array of {want.Length} in the answer";
        var got = v.EnumerateArray().ToArray();
        for (var i = 0; i < want.Length; i++)
        {
            var names = want[i].TryGetProperty("rule", out _) ? new[] { "expected", "rule" } : ["expected"];
            if (SameAll(got[i], want[i], names) is { } wrong) return $"verdicts[{i}].{wrong}";
        }
        return null;
    }

    /// <summary>
    /// A transcript's actions, event by event (and the client's start), as the vector's header says to compare them:
    /// text frames as JSON values, an error frame by step and code only; every other action exactly.
    /// </summary>
    private static string? ActionsMatch(JsonElement answer, JsonElement test)
    {
        var pairs = new List<(string Got, string Want)> { ("actions", "expected") };
        if (test.TryGetProperty("expectedStart", out _)) pairs.Add(("startActions", "expectedStart"));
        foreach (var (got, want) in pairs)
        {
            if (!answer.TryGetProperty(got, out var g) || g.ValueKind != JsonValueKind.Array) return $"no {got} array in the answer";
            var (a, b) = (ComparableActions(JsonNode.Parse(g.GetRawText())!), ComparableActions(JsonNode.Parse(test.GetProperty(want).GetRawText())!));
            if (!JsonNode.DeepEquals(a, b)) return $"{got} = {Clip(a.ToJsonString())}, expected {Clip(b.ToJsonString())}";
        }
        return null;
    }

    /// <summary>Text frames parsed (an error frame cut to step and code); lists of actions nest one level for per-event lists.</summary>
    private static JsonNode ComparableActions(JsonNode node)
    {
        if (node is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++) list[i] = list[i] is { } item ? ComparableActions(item.DeepClone()) : null;
            return list;
        }
        if (node is JsonObject o && (string?)o["type"] == "text" && o["text"]?.GetValue<string>() is { } text)
        {
            JsonNode? frame;
            try { frame = JsonNode.Parse(text); }
            catch (JsonException) { return o; }
            if (frame is JsonObject f && (string?)f["step"] == "error") frame = new JsonObject { ["step"] = "error", ["code"] = f["code"]?.DeepClone() };
            return new JsonObject { ["type"] = "text", ["json"] = frame };
        }
        return node;
    }

    private static string? ExpectedErrorMatches(JsonElement answer, JsonElement test)
    {
        var want = test.GetProperty("expectedError").GetProperty("code").GetString();
        var got = answer.TryGetProperty("errorCode", out var c) ? c.GetRawText() : null;
        return got == JsonSerializer.Serialize(want) ? null : $"errorCode = {got ?? "(none)"}, expected \"{want}\"";
    }

    /// <summary>
    /// A Shard transcript's inputs: the clock, the registry before, each step's connection, time and what the node sent;
    /// and the session tokens the edge is to issue, in order (its random draws: the hello_acks' tokens, which the node's
    /// later messages carry), since the vector's headers and chunks are signed over them.
    /// </summary>
    private static JsonObject ShardSteps(VectorTest t)
    {
        var steps = t.Test.GetProperty("steps").EnumerateArray().ToArray();
        var tokens = steps.SelectMany(s => s.GetProperty("edge").EnumerateArray())
            .Where(w => w.TryGetProperty("message", out var m) && m.GetProperty("type").GetString() == "hello_ack")
            .Select(w => (JsonNode)w.GetProperty("message").GetProperty("session_token").GetString()!);
        return new JsonObject
        {
            ["now"] = t.Test.GetProperty("now").GetString(),
            ["registryBefore"] = JsonNode.Parse(t.Test.GetProperty("registryBefore").GetRawText()),
            ["sessionTokens"] = new JsonArray([.. tokens]),
            ["steps"] = new JsonArray([.. steps.Select(s => (JsonNode)new JsonObject
            {
                ["connection"] = s.GetProperty("connection").GetInt32(), ["at"] = s.GetProperty("at").GetString(), ["node"] = JsonNode.Parse(s.GetProperty("node").GetRawText()),
            })]),
        };
    }

    private static string? ShardStepsMatch(JsonElement answer, JsonElement test)
    {
        var want = test.GetProperty("steps").EnumerateArray().ToArray();
        if (!answer.TryGetProperty("steps", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() != want.Length)
            return $"no steps array of {want.Length} in the answer";
        var got = s.EnumerateArray().ToArray();
        for (var i = 0; i < want.Length; i++)
            if (EdgeOutputsMatch(got[i], want[i], "edge") is { } wrong) return $"steps[{i}].{wrong}";
        return null;
    }

    private static string? MirrorMatches(JsonElement answer, JsonElement expected)
    {
        if (!answer.TryGetProperty("mirror", out var mirror) || mirror.ValueKind != JsonValueKind.Object) return "no mirror object in the answer";
        foreach (var p in expected.EnumerateObject())
            if (Same(mirror, p.Name, expected, p.Name) is { } wrong) return "mirror." + wrong;
        return mirror.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String && n.GetString()!.Length > 0
            ? null : "mirror.nonce is not a non-empty string";
    }

    private static string? ErrorCodeMatches(JsonElement answer, JsonElement expected)
    {
        var want = expected.GetProperty("code").GetString();
        var got = answer.TryGetProperty("errorFrame", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) ? c.GetRawText() : null;
        return got == JsonSerializer.Serialize(want) ? null : $"errorFrame.code = {got ?? "(none)"}, expected \"{want}\"";
    }

    private static JsonObject Take(VectorTest t, params string[] names)
    {
        var o = new JsonObject();
        foreach (var n in names) o[n] = JsonNode.Parse(t.Test.GetProperty(n).GetRawText());
        return o;
    }

    /// <summary>Adds the test's field <paramref name="name"/> when the test has it (inputs some tests leave out).</summary>
    private static JsonObject WithOptional(this JsonObject o, VectorTest t, string name) =>
        t.Test.TryGetProperty(name, out var v) ? o.With(name, v) : o;

    private static JsonObject With(this JsonObject o, JsonElement group, params string[] names)
    {
        foreach (var n in names) o.With(n, group.GetProperty(n));
        return o;
    }

    private static JsonObject With(this JsonObject o, string name, JsonElement value)
    {
        o[name] = JsonNode.Parse(value.GetRawText());
        return o;
    }

    /// <summary>A JSON value on one line, whatever the vector file's indentation.</summary>
    public static string Compact(JsonElement e) => JsonNode.Parse(e.GetRawText())?.ToJsonString() ?? "null";

    public static string Clip(string s) => s.Length <= 160 ? s : s[..160] + "…";
}
