using System.Text.RegularExpressions;

namespace Conformance.Suite.Core;

/// <summary>ID filters: comma-separated globs with * and ?, matched against the whole ID, case-sensitive.</summary>
public static class Glob
{
    public static Func<string, bool> Compile(string patterns)
    {
        var regexes = patterns.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new Regex("^" + Regex.Escape(p).Replace("\\*", ".*").Replace("\\?", ".") + "$"))
            .ToArray();
        return id => regexes.Any(r => r.IsMatch(id));
    }
}
