// Every vector topic (found by reflection: a class implementing IVectorTopic with a parameterless constructor), and
// the two operations on the committed set: generate (rewrite vectors/ byte-identically) and verify (compare with a
// fresh generation, validate every file against its schema, check MANIFEST.json).
using System.Reflection;
using NJsonSchema;

namespace Conformance.Suite.Vectors;

public static class VectorSet
{
    /// <summary>The seed every committed vector is generated from.</summary>
    public const ulong DefaultSeed = 1;

    public static IReadOnlyList<IVectorTopic> Topics() =>
        [.. typeof(VectorSet).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IVectorTopic).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (IVectorTopic)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Spec, StringComparer.Ordinal).ThenBy(t => t.Topic, StringComparer.Ordinal)];

    /// <summary>Every file (path relative to vectors/ → bytes), MANIFEST.json included.</summary>
    public static IReadOnlyDictionary<string, byte[]> Generate(ulong seed = DefaultSeed)
    {
        var files = Topics().Select(t => t.Generate(seed)).Select(f => (File: f, Bytes: VectorJson.Serialize(f))).ToArray();
        var dupes = files.GroupBy(f => f.File.RelativePath).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (dupes.Length > 0) throw new InvalidOperationException("two topics write " + string.Join(", ", dupes));
        var result = files.ToDictionary(f => f.File.RelativePath, f => f.Bytes, StringComparer.Ordinal);
        result["MANIFEST.json"] = VectorJson.Manifest(files);
        return result;
    }

    /// <summary>Writes the generated files under <paramref name="dir"/> and removes generated files no topic writes any more.</summary>
    public static IReadOnlyDictionary<string, byte[]> Write(string dir, ulong seed = DefaultSeed)
    {
        var files = Generate(seed);
        foreach (var stale in Existing(dir).Where(p => !files.ContainsKey(p))) File.Delete(Path.Combine(dir, stale));
        foreach (var (path, bytes) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
        return files;
    }

    /// <summary>Every difference between <paramref name="dir"/> and a fresh generation, and every schema violation.</summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(string dir, ulong seed = DefaultSeed)
    {
        var problems = new List<string>();
        var fresh = Generate(seed);
        foreach (var (path, bytes) in fresh)
        {
            var full = Path.Combine(dir, path);
            if (!File.Exists(full)) { problems.Add($"{path}: missing (run `conformance vectors generate`)"); continue; }
            var committed = File.ReadAllBytes(full);
            if (!committed.AsSpan().SequenceEqual(bytes)) problems.Add($"{path}: differs from a fresh generation ({FirstDifference(committed, bytes)})");
        }
        foreach (var extra in Existing(dir).Where(p => !fresh.ContainsKey(p))) problems.Add($"{extra}: no generator writes this file");
        foreach (var path in fresh.Keys.Where(p => p != "MANIFEST.json"))
        {
            var full = Path.Combine(dir, path);
            if (!File.Exists(full)) continue;
            problems.AddRange((await SchemaErrorsAsync(dir, path)).Select(e => $"{path}: schema: {e}"));
        }
        return problems;
    }

    /// <summary>Validates one vector file against the schema its "$schema" names (vectors/schema/*.schema.json).</summary>
    public static async Task<IReadOnlyList<string>> SchemaErrorsAsync(string dir, string path)
    {
        var text = File.ReadAllText(Path.Combine(dir, path));
        string? schemaName;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            schemaName = doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && doc.RootElement.TryGetProperty("$schema", out var s) ? s.GetString() : null;
        }
        catch (System.Text.Json.JsonException e) { return ["not JSON: " + e.Message]; }
        if (schemaName is null) return ["no \"$schema\""];
        var schemaFile = Path.GetFullPath(Path.Combine(dir, Path.GetDirectoryName(path)!, schemaName));
        if (!File.Exists(schemaFile)) return [$"schema {schemaName} not found"];
        var schema = await JsonSchema.FromFileAsync(schemaFile);
        return [.. schema.Validate(text).Select(e => $"{e.Path}: {e.Kind}")];
    }

    private static IEnumerable<string> Existing(string dir) =>
        !Directory.Exists(dir) ? [] :
        Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(p => !p.StartsWith("schema/", StringComparison.Ordinal));

    private static string FirstDifference(byte[] a, byte[] b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        var line = 1 + a.AsSpan(0, Math.Min(i, a.Length)).Count((byte)'\n');
        return $"first difference at byte {i}, line {line}; {a.Length} bytes committed, {b.Length} generated";
    }

    /// <summary>
    /// vectors/ of the checkout: the first folder holding Conformance.sln above the working directory, else above the
    /// running program (a build inside a checkout), else ./vectors.
    /// </summary>
    public static string DefaultDirectory()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) return Path.Combine(dir.FullName, "vectors");
        return Path.Combine(Directory.GetCurrentDirectory(), "vectors");
    }
}
