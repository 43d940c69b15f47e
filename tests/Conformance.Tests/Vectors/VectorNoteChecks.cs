// Reads the notes of the committed vector files, and the section anchors of SPEC-NOTES.md their links may cite.
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Tests.Support;

namespace Conformance.Tests.Vectors;

internal static class VectorNoteChecks
{
    /// <summary>Every note of every file under <paramref name="dir"/>: (spec/topic.json, spec, flag, note).</summary>
    public static IEnumerable<(string Path, string Spec, string Flag, JsonElement Note)> Notes(string dir)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "MANIFEST.json")));
        foreach (var f in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            var path = f.GetProperty("path").GetString()!;
            var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, path)));
            var spec = doc.RootElement.GetProperty("spec").GetString()!;
            foreach (var n in doc.RootElement.GetProperty("notes").EnumerateObject())
                yield return (path, spec, n.Name, n.Value.Clone());
        }
    }

    /// <summary>GitHub's anchors of the headings of conformance/SPEC-NOTES.md (lower case, punctuation dropped, spaces to '-').</summary>
    public static HashSet<string> SpecNotesAnchors() =>
        File.ReadLines(Path.Combine(ReportSchema.RepoRoot(), "conformance", "SPEC-NOTES.md"))
            .Where(l => l.StartsWith('#'))
            .Select(l => Regex.Replace(l.TrimStart('#').Trim().ToLowerInvariant(), "[^a-z0-9 -]", "").Replace(' ', '-'))
            .ToHashSet(StringComparer.Ordinal);
}
