// The report directory a run leaves behind: every format side by side, plus one trace file per case so a single
// failing exchange can be attached to a bug report without the whole run.
using System.Text;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class ReportFolder
{
    public const string TracesDirectory = "traces";

    // No BOM: report.json and junit.xml are read by tools that choke on one.
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static void Write(RunResult r, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteFile(Path.Combine(directory, "report.json"), JsonReportWriter.Write(r));
        WriteFile(Path.Combine(directory, "junit.xml"), JUnitWriter.Write(r));
        WriteFile(Path.Combine(directory, "summary.md"), MarkdownWriter.Write(r));
        WriteFile(Path.Combine(directory, "index.html"), HtmlWriter.Write(r));
        WriteFile(Path.Combine(directory, "badge.svg"), BadgeWriter.Write(r));

        var traces = Path.Combine(directory, TracesDirectory);
        Directory.CreateDirectory(traces);
        var names = TraceFileNames(r.Cases);
        // A previous run with other cases must not leave traces that look like they belong to this one. Ordinal: a
        // differently-cased leftover is stale too (on a case-insensitive file system it is rewritten right after).
        var keep = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(traces))
            if (!keep.Contains(Path.GetFileName(stale))) File.Delete(stale);
        for (var i = 0; i < r.Cases.Count; i++)
            WriteFile(Path.Combine(traces, names[i]), JsonReportWriter.WriteTrace(r.Cases[i].Trace));
    }

    /// <summary>
    /// The trace file name of each case, parallel to <paramref name="cases"/>: the case ID reduced to [A-Za-z0-9._-]
    /// (IDs come from the catalog, but a file name must never escape traces/), made unique case-insensitively
    /// because two IDs may reduce to the same name and file systems may ignore case.
    /// </summary>
    public static IReadOnlyList<string> TraceFileNames(IReadOnlyList<CaseResult> cases)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var names = new List<string>(cases.Count);
        foreach (var c in cases)
        {
            var stem = Sanitize(c.Id);
            var name = stem + ".json";
            for (var n = 2; !used.Add(name); n++) name = $"{stem}-{n}.json";
            names.Add(name);
        }
        return names;
    }

    private static string Sanitize(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (var ch in id) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
        var s = sb.ToString().Trim('.'); // no "..", no hidden files, no trailing dot (Windows)
        if (s.Length > 100) s = s[..100];
        return s.Length == 0 ? "case" : s;
    }

    private static void WriteFile(string path, string text) => File.WriteAllText(path, text, Utf8);
}
