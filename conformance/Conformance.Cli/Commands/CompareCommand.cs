// `conformance compare RUN_DIR RUN_DIR... [--out DIR]`: the requirements × runs matrix of several report folders.
using Conformance.Reports.Compare;

namespace Conformance.Cli.Commands;

internal static class CompareCommand
{
    public static int Execute(string[] args, TextWriter stdout)
    {
        var runs = args.TakeWhile(x => !x.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var a = new Args(args[runs.Length..], new HashSet<string>());
        var outDir = a.Get("out") ?? Path.Combine("reports", "compare");
        a.RejectUnknown();
        if (runs.Length < 2) throw new UsageException("compare needs at least two run folders (each with a report.json)");
        RunMatrix matrix;
        try { matrix = RunMatrix.Load(runs); }
        catch (Exception e) when (e is FileNotFoundException or FormatException or IOException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UsageException(e.Message);
        }
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "compare.html"), CompareWriter.Html(matrix));
        File.WriteAllText(Path.Combine(outDir, "compare.md"), CompareWriter.Markdown(matrix));
        stdout.WriteLine($"{matrix.Rows.Count} requirements × {matrix.Columns.Count} runs: {matrix.Differing} differ");
        foreach (var r in matrix.Rows.Where(r => r.Differs).Take(20))
            stdout.WriteLine($"  {r.Id,-36} {string.Join("  ", r.Cells.Select((c, i) => $"{matrix.Columns[i].Name}: {c}"))}");
        stdout.WriteLine($"matrix: {Path.Combine(outDir, "compare.html")} (compare.md)");
        return Cli.Ok;
    }
}
