// --skip FILE: cases a CI pipeline disables on purpose, each with a written reason. A skipped case is not run and shows
// in every report as "skipped" with its reason, so nothing disappears silently.
namespace Conformance.Suite.Core;

/// <summary>One line of a skip file: an ID or glob, and why.</summary>
public sealed record SkipEntry(string Pattern, string Reason, string File, int Line)
{
    public string Where => $"{Path.GetFileName(File)}:{Line}";
}

public sealed class SkipList
{
    private readonly IReadOnlyList<SkipEntry> _entries;

    private SkipList(IReadOnlyList<SkipEntry> entries) => _entries = entries;

    public IReadOnlyList<SkipEntry> Entries => _entries;

    /// <summary>
    /// Lines are "ID-OR-GLOB reason…"; blank lines and lines starting with # are ignored. A line without a reason is an
    /// error: a skip nobody can explain is the kind a baseline should not hide.
    /// </summary>
    public static SkipList Parse(string text, string file)
    {
        var entries = new List<SkipEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var split = line.IndexOfAny([' ', '\t']);
            var reason = split < 0 ? "" : line[split..].Trim();
            if (reason.Length == 0) throw new FormatException($"{file}:{i + 1}: \"{line}\" has no reason (write: ID-OR-GLOB why it is skipped)");
            entries.Add(new SkipEntry(line[..split], reason, file, i + 1));
        }
        return new SkipList(entries);
    }

    public static SkipList Load(string file) => Parse(File.ReadAllText(file), file);

    /// <summary>
    /// Which of <paramref name="cases"/> are skipped, and why (the first matching line wins). An entry that matches no
    /// case is an error: it is a typo or a stale line, and either way it skips nothing the reader thinks it does.
    /// </summary>
    public IReadOnlyDictionary<string, SkipEntry> Resolve(IEnumerable<CaseDef> cases)
    {
        var ids = cases.Select(c => c.Id).ToArray();
        var skipped = new Dictionary<string, SkipEntry>();
        foreach (var e in _entries)
        {
            var match = Glob.Compile(e.Pattern);
            var hits = ids.Where(match).ToArray();
            if (hits.Length == 0) throw new FormatException($"{e.Where}: \"{e.Pattern}\" matches no case of this run");
            foreach (var id in hits) skipped.TryAdd(id, e);
        }
        return skipped;
    }
}
