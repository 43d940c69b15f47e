// Serialises vector files and the manifest deterministically: fixed key order (as built), two-space indentation,
// "\n" line ends, non-ASCII kept readable. Same input, same bytes, on every machine.
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Suite.Vectors;

public static class VectorJson
{
    public const string Generator = "conformance vectors generate";
    /// <summary>Bumped when the file format (not the content) changes. 2: each note is an object (bugType, description, effect, links).</summary>
    public const string GeneratorVersion = "2";

    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Name(VectorResult r) => r switch
    {
        VectorResult.Valid => "valid",
        VectorResult.Invalid => "invalid",
        _ => "acceptable",
    };

    public static byte[] Serialize(VectorFile f)
    {
        var root = new JsonObject
        {
            ["$schema"] = $"../schema/{f.Schema}",
            ["spec"] = f.Spec,
            ["topic"] = f.Topic,
            ["generator"] = Generator,
            ["generatorVersion"] = GeneratorVersion,
            ["seed"] = f.Seed,
            ["numberOfTests"] = f.NumberOfTests,
            ["header"] = new JsonArray([.. f.Header.Select(h => (JsonNode)h)]),
            ["notes"] = new JsonObject(f.Notes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => KeyValuePair.Create(n.Key, Note(n.Value)))),
            ["testGroups"] = new JsonArray([.. f.Groups.Select(Group)]),
        };
        return Bytes(root);
    }

    private static JsonNode? Note(VectorNote n) => new JsonObject
    {
        ["bugType"] = VectorNotes.Name(n.BugType),
        ["description"] = n.Description,
        ["effect"] = n.Effect,
        ["links"] = new JsonArray([.. n.Links.Select(l => (JsonNode)l)]),
    };

    private static JsonNode Group(VectorGroup g)
    {
        var o = new JsonObject { ["type"] = g.Type };
        foreach (var (k, v) in g.Shared) o[k] = v?.DeepClone();
        o["tests"] = new JsonArray([.. g.Tests.Select(Test)]);
        return o;
    }

    private static JsonNode Test(VectorTest t)
    {
        var o = new JsonObject
        {
            ["tcId"] = t.TcId,
            ["comment"] = t.Comment,
            ["flags"] = new JsonArray([.. t.Flags.Select(x => (JsonNode)x)]),
        };
        foreach (var (k, v) in t.Fields) o[k] = v?.DeepClone();
        o["result"] = Name(t.Result);
        return o;
    }

    /// <summary>MANIFEST.json: every file with its SHA-256 and test count, in path order.</summary>
    public static byte[] Manifest(IReadOnlyList<(VectorFile File, byte[] Bytes)> files)
    {
        var root = new JsonObject
        {
            ["generator"] = Generator,
            ["generatorVersion"] = GeneratorVersion,
            ["numberOfFiles"] = files.Count,
            ["numberOfTests"] = files.Sum(f => f.File.NumberOfTests),
            ["files"] = new JsonArray([.. files.OrderBy(f => f.File.RelativePath, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject
            {
                ["path"] = f.File.RelativePath,
                ["schema"] = $"schema/{f.File.Schema}",
                ["numberOfTests"] = f.File.NumberOfTests,
                ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(f.Bytes)),
            })]),
        };
        return Bytes(root);
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(Options) + "\n");

    /// <summary>Hex of bytes, lowercase: how every binary value appears in a vector.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
