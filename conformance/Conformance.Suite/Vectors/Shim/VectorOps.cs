// Which shim op answers which vector test (adapters/SHIM.md, "Vector ops"): each topic's own plan (its `*.Ops.cs`:
// the request built from the test's fields and the outputs its answer must reproduce), and the checks plans share.
// A topic without a plan has no op yet and is reported as not run.
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

/// <summary>A topic's shim ops and, for each of its tests, the requests that judge it.</summary>
public interface IVectorPlan
{
    IReadOnlyList<string> Ops { get; }
    IReadOnlyList<OpCall> Plan(VectorTest t);
}

public static class VectorOps
{
    /// <summary>The ops each topic needs, by "spec/topic".</summary>
    /// <summary>Each topic's plan (the topic's own `*.Ops.cs`), by "spec/topic".</summary>
    internal static readonly IReadOnlyDictionary<string, IVectorPlan> Plans =
        VectorSet.Topics().OfType<IVectorPlan>().ToDictionary(p => $"{((IVectorTopic)p).Spec}/{((IVectorTopic)p).Topic}");

    /// <summary>The ops each topic needs, by "spec/topic".</summary>
    public static readonly IReadOnlyDictionary<string, string[]> ByTopic = Plans.ToDictionary(kv => kv.Key, kv => kv.Value.Ops.ToArray());

    public static bool Covers(string file) => ByTopic.ContainsKey(file);

    /// <summary>The requests that judge <paramref name="t"/>, in order.</summary>
    public static IReadOnlyList<OpCall> Plan(VectorTest t) => Plans.TryGetValue(t.File, out var plan) ? plan.Plan(t) : [];

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

    internal static string? Same(JsonElement answer, string name, JsonElement test, string testName)
    {
        if (!answer.TryGetProperty(name, out var got)) return $"no {name} in the answer";
        var want = test.GetProperty(testName);
        return JsonNode.DeepEquals(JsonNode.Parse(got.GetRawText()), JsonNode.Parse(want.GetRawText()))
            ? null : $"{name} = {Clip(Compact(got))}, expected {Clip(Compact(want))}";
    }

    /// <summary>The first of <paramref name="names"/> whose value in the answer differs from the test's, or null.</summary>
    internal static string? SameAll(JsonElement answer, JsonElement test, params string[] names) =>
        names.Select(n => Same(answer, n, test, n)).FirstOrDefault(w => w is not null);

    /// <summary>
    /// An edge's replies and registry effects as recorded, leaving out what another implementation may word or number
    /// its own way: an error message's detail (prose), a commit_ack's registry_id and the registry's answers to effects.
    /// </summary>
    internal static string? EdgeOutputsMatch(JsonElement answer, JsonElement test, string replies = "replies")
    {
        foreach (var name in new[] { replies, "effects" })
        {
            if (!answer.TryGetProperty(name, out var got) || got.ValueKind != JsonValueKind.Array) return $"no {name} array in the answer";
            var (g, w) = (Comparable(got), Comparable(test.GetProperty(name)));
            if (!JsonNode.DeepEquals(g, w)) return $"{name} = {Clip(g.ToJsonString())}, expected {Clip(w.ToJsonString())}";
        }
        return null;
    }

    internal static JsonNode Comparable(JsonElement outputs)
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
    internal static JsonObject ReplaySteps(VectorTest t) => new()
    {
        ["steps"] = new JsonArray([.. t.Test.GetProperty("steps").EnumerateArray().Select(s => (JsonNode)new JsonObject
        {
            ["at"] = s.GetProperty("at").GetString(), ["connection"] = s.GetProperty("connection").GetInt32(), ["envelope"] = s.GetProperty("envelope").GetString(),
        })]),
    };

    /// <summary>Every step's verdict: accepted or dropped, and for a drop the rule (its reason is prose).</summary>
    internal static string? VerdictsMatch(JsonElement answer, JsonElement test)
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
    internal static string? ActionsMatch(JsonElement answer, JsonElement test)
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
    internal static JsonNode ComparableActions(JsonNode node)
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

    internal static string? ExpectedErrorMatches(JsonElement answer, JsonElement test)
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
    internal static JsonObject ShardSteps(VectorTest t)
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

    internal static string? ShardStepsMatch(JsonElement answer, JsonElement test)
    {
        var want = test.GetProperty("steps").EnumerateArray().ToArray();
        if (!answer.TryGetProperty("steps", out var s) || s.ValueKind != JsonValueKind.Array || s.GetArrayLength() != want.Length)
            return $"no steps array of {want.Length} in the answer";
        var got = s.EnumerateArray().ToArray();
        for (var i = 0; i < want.Length; i++)
            if (EdgeOutputsMatch(got[i], want[i], "edge") is { } wrong) return $"steps[{i}].{wrong}";
        return null;
    }

    internal static string? MirrorMatches(JsonElement answer, JsonElement expected)
    {
        if (!answer.TryGetProperty("mirror", out var mirror) || mirror.ValueKind != JsonValueKind.Object) return "no mirror object in the answer";
        foreach (var p in expected.EnumerateObject())
            if (Same(mirror, p.Name, expected, p.Name) is { } wrong) return "mirror." + wrong;
        return mirror.TryGetProperty("nonce", out var n) && n.ValueKind == JsonValueKind.String && n.GetString()!.Length > 0
            ? null : "mirror.nonce is not a non-empty string";
    }

    internal static string? ErrorCodeMatches(JsonElement answer, JsonElement expected)
    {
        var want = expected.GetProperty("code").GetString();
        var got = answer.TryGetProperty("errorFrame", out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) ? c.GetRawText() : null;
        return got == JsonSerializer.Serialize(want) ? null : $"errorFrame.code = {got ?? "(none)"}, expected \"{want}\"";
    }

    internal static JsonObject Take(VectorTest t, params string[] names)
    {
        var o = new JsonObject();
        foreach (var n in names) o[n] = JsonNode.Parse(t.Test.GetProperty(n).GetRawText());
        return o;
    }

    /// <summary>Adds the test's field <paramref name="name"/> when the test has it (inputs some tests leave out).</summary>
    internal static JsonObject WithOptional(this JsonObject o, VectorTest t, string name) =>
        t.Test.TryGetProperty(name, out var v) ? o.With(name, v) : o;

    internal static JsonObject With(this JsonObject o, JsonElement group, params string[] names)
    {
        foreach (var n in names) o.With(n, group.GetProperty(n));
        return o;
    }

    internal static JsonObject With(this JsonObject o, string name, JsonElement value)
    {
        o[name] = JsonNode.Parse(value.GetRawText());
        return o;
    }

    /// <summary>A JSON value on one line, whatever the vector file's indentation.</summary>
    public static string Compact(JsonElement e) => JsonNode.Parse(e.GetRawText())?.ToJsonString() ?? "null";

    public static string Clip(string s) => s.Length <= 160 ? s : s[..160] + "…";
}
