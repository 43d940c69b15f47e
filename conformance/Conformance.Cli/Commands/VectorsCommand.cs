// `conformance vectors generate|verify [--dir DIR]`: golden vectors from the model. generate rewrites vectors/
// byte-identically; verify exits 1 on any difference from a fresh generation or any schema violation.
using Conformance.Suite.Vectors;

namespace Conformance.Cli.Commands;

internal static class VectorsCommand
{
    public static async Task<int> ExecuteAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is not ("generate" or "verify")) throw new UsageException("vectors: say generate or verify");
        var a = new Args(args[1..], new HashSet<string>());
        var dir = a.Get("dir") ?? VectorSet.DefaultDirectory();
        a.RejectUnknown();
        if (args[0] == "generate")
        {
            var files = VectorSet.Write(dir);
            foreach (var (path, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal)) stdout.WriteLine($"  {path,-36} {bytes.Length,9} bytes");
            stdout.WriteLine($"{files.Count - 1} vector files and MANIFEST.json written to {dir}");
            return Cli.Ok;
        }
        if (!Directory.Exists(Path.Combine(dir, "schema"))) throw new UsageException($"{dir}: no vectors/schema here (give --dir)");
        var problems = await VectorSet.VerifyAsync(dir);
        foreach (var p in problems) stderr.WriteLine("  " + p);
        var tests = VectorSet.Topics().Count;
        stdout.WriteLine(problems.Count == 0
            ? $"vectors verified: {dir} matches a fresh generation, every file valid against its schema ({tests} topics)"
            : $"vectors NOT verified: {problems.Count} problem(s)");
        return problems.Count == 0 ? Cli.Ok : Cli.MustFailed;
    }
}
