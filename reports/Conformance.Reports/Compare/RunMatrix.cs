// `conformance compare`: several runs' report.json side by side, as a matrix of requirements × runs (a row per
// requirement, a column per implementation or variant), so "what does B fail that A passes?" is one look.
using System.Text.Json;

namespace Conformance.Reports.Compare;

/// <summary>One run as the matrix needs it.</summary>
public sealed record RunColumn(string Name, string Directory, string Verdict, bool Ratified, string Target, string? Fault, IReadOnlyDictionary<string, string> Status);

/// <summary>One requirement across runs; <see cref="Cells"/> is parallel to the columns ("absent" where a run lacks it).</summary>
public sealed record MatrixRow(string Id, string Spec, string Level, string Quote, IReadOnlyList<string> Cells)
{
    /// <summary>True when the runs disagree (a requirement one run lacks counts as disagreement).</summary>
    public bool Differs => Cells.Distinct(StringComparer.Ordinal).Count() > 1;
}

public sealed record RunMatrix(IReadOnlyList<RunColumn> Columns, IReadOnlyList<MatrixRow> Rows)
{
    public const string Absent = "absent";

    public int Differing => Rows.Count(r => r.Differs);

    /// <summary>Reads DIR/report.json for each directory (or the file itself when given one).</summary>
    public static RunMatrix Load(IReadOnlyList<string> runs)
    {
        var columns = new List<RunColumn>();
        var rows = new Dictionary<string, (string Spec, string Level, string Quote)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var run in runs)
        {
            var file = File.Exists(run) ? run : Path.Combine(run, "report.json");
            if (!File.Exists(file)) throw new FileNotFoundException($"{run}: no report.json there (run `conformance run --out {run}` first)", file);
            using var doc = ParseReport(file);
            var root = doc.RootElement;
            var m = root.GetProperty("manifest");
            var status = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var q in root.GetProperty("requirements").EnumerateArray())
            {
                var id = q.GetProperty("id").GetString()!;
                status[id] = q.GetProperty("status").GetString()!;
                if (rows.TryAdd(id, (q.GetProperty("spec").GetString()!, q.GetProperty("level").GetString()!, q.GetProperty("quote").GetString()!))) order.Add(id);
            }
            var fault = Str(m, "fault");
            var who = fault is not null ? $"fault {fault}" : Str(m, "iutIdentity") ?? Str(m, "target") ?? "?";
            columns.Add(new RunColumn(who, Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(file)))!, root.GetProperty("verdict").GetString()!,
                root.GetProperty("ratified").GetBoolean(), Str(m, "target") ?? "", fault, status));
        }
        // Two runs of the same implementation are told apart by their folders.
        var named = columns.Select(c => columns.Count(o => o.Name == c.Name) > 1 ? c with { Name = $"{c.Name} ({c.Directory})" } : c).ToArray();
        var matrix = order.Select(id => new MatrixRow(id, rows[id].Spec, rows[id].Level, rows[id].Quote,
            [.. named.Select(c => c.Status.GetValueOrDefault(id, Absent))])).ToArray();
        return new RunMatrix(named, matrix);
    }

    private static JsonDocument ParseReport(string file)
    {
        try
        {
            var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("requirements", out _) || !doc.RootElement.TryGetProperty("manifest", out _))
            {
                doc.Dispose();
                throw new FormatException($"{file}: not a conformance report.json");
            }
            return doc;
        }
        catch (JsonException e) { throw new FormatException($"{file}: not valid JSON: {e.Message}"); }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
