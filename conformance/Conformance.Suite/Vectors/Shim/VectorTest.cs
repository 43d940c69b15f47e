// The golden vector files as a flat list of tests, each with its group (shared inputs) and a stable ID
// "spec/topic#tcId" that --filter matches.
using System.Text.Json;

namespace Conformance.Suite.Vectors.Shim;

public sealed record VectorTest(string Spec, string Topic, int TcId, string Comment, string Result, JsonElement Group, JsonElement Test)
{
    public string File => $"{Spec}/{Topic}";
    public string Id => $"{File}#{TcId}";
    public string GroupType => Group.GetProperty("type").GetString()!;
}

/// <summary>One vector file: its topic, the first header line (what it tests) and its tests.</summary>
public sealed record VectorTopicFile(string Spec, string Topic, string Header, IReadOnlyList<VectorTest> Tests)
{
    public string File => $"{Spec}/{Topic}";

    /// <summary>Every vector file listed in MANIFEST.json of <paramref name="dir"/>, in manifest order.</summary>
    public static IReadOnlyList<VectorTopicFile> LoadAll(string dir)
    {
        using var manifest = JsonDocument.Parse(System.IO.File.ReadAllBytes(Path.Combine(dir, "MANIFEST.json")));
        return [.. manifest.RootElement.GetProperty("files").EnumerateArray().Select(entry => Load(Path.Combine(dir, entry.GetProperty("path").GetString()!)))];
    }

    /// <summary>One vector file (a golden one, or one `run --save-vector` wrote).</summary>
    public static VectorTopicFile Load(string path)
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        var root = doc.RootElement.Clone();
        var spec = root.GetProperty("spec").GetString()!;
        var topic = root.GetProperty("topic").GetString()!;
        var tests = new List<VectorTest>();
        foreach (var g in root.GetProperty("testGroups").EnumerateArray())
        foreach (var t in g.GetProperty("tests").EnumerateArray())
            tests.Add(new(spec, topic, t.GetProperty("tcId").GetInt32(), t.GetProperty("comment").GetString() ?? "", t.GetProperty("result").GetString()!, g, t));
        var header = root.GetProperty("header").EnumerateArray().FirstOrDefault().GetString() ?? "";
        return new(spec, topic, header, tests);
    }
}
