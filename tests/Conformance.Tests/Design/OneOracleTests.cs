// The design's promise, checked on the source: a protocol rule lives in the model. Outside model/ code composes inputs
// and moves bytes (the reference hosts included); it never spells a wire error code, a trust state, a trust event or the drop observation itself,
// and never runs its own edge effect loop. Catalog files quote the spec and are exempt, as are tests and prose.
using System.Text.RegularExpressions;
using Conformance.Model.Cip;
using Conformance.Model.Shard;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Design;

public static class OneOracleTests
{
    /// <summary>
    /// The folders whose code must ask the model: everything but the model itself and the tests. The reference hosts
    /// and faults sit under model/ but are not the model: they carry its decisions and bend them, by type.
    /// </summary>
    private static readonly string[] Outside = ["conformance", "adapters", "benchmarks", Path.Combine("model", "Conformance.Reference")];

    public static Test Tests() => TestList("design.one-oracle",
    [
        TestCase("no Shard wire error code is spelled outside model/", () =>
            NoneOutside(Enum.GetValues<ShardErrorCode>().Select(c => c.Wire()), "a Shard error code")),
        TestCase("no trust state is spelled outside model/", () =>
            NoneOutside(Enum.GetValues<TrustState>().Select(t => t.Wire()), "a trust state")),
        TestCase("no trust event is spelled outside model/", () =>
            NoneOutside(Enum.GetValues<TrustEvent>().Select(e => Snake(e.ToString())), "a trust event")),
        // Code reads the typed step (CipStep.Dropped, Transitions, Resolutions; ShardEdge.Run's trail), never telemetry names.
        // "cip.trust", "shard.commit" and "shard.rollback" are also shim feature names (ShimFeatures), so they are not scanned.
        TestCase("no observation name of the agent or the edge is spelled outside model/", () =>
            NoneOutside([CipObservations.Drop, CipObservations.Fact, CipObservations.Vote, CipObservations.Defer, ShardObservations.SessionDetached],
                "an observation name")),
        TestCase("hosts hand the model a typed unreadable input instead of inventing text", () =>
            NoneOutside(["(binary or oversize message)", "{\\\"type\\\":\\\"oversize\\\"}"], "an invented input")),
        TestCase("the Shard edge's effect loop exists once, in the model", () =>
        {
            var loops = CodeLines().Where(l => l.Text.Contains("Queue<EdgeInput>", StringComparison.Ordinal)).ToList();
            Empty(loops.Select(l => l.Where), "an edge effect loop outside the model (use ShardEdge.Run)");
        }),
        // A spec's differences live in its SpecModule (Specs/): the CLI and the suite ask the module, never the name.
        TestCase("no code outside the spec modules branches on a spec's name", () =>
        {
            var names = string.Join("|", Conformance.Suite.Specs.Specs.Names.Select(Regex.Escape));
            var branch = new Regex($"(==|!=)\\s*\"({names})\"|\\.Contains\\(\"({names})\"\\)", RegexOptions.CultureInvariant);
            var hits = CodeLines().Where(l => !l.Where.Contains(Path.Combine("Conformance.Suite", "Specs") + Path.DirectorySeparatorChar, StringComparison.Ordinal) && branch.IsMatch(l.Text));
            Empty(hits.Select(l => $"{l.Where}: {l.Text.Trim()}"), "a branch on a spec's name (give the SpecModule a property instead)");
        }),
        TestCase("the scan sees the code it guards (it can fail)", () =>
        {
            // A scan that reads nothing passes everything: show it reads the suite and finds a known literal.
            var lines = CodeLines().ToList();
            Expect.isGreaterThan(lines.Count, 10_000, "lines of code outside model/");
            Expect.isTrue(lines.Any(l => Quoted("LHS-4-close").IsMatch(l.Text)), "a literal the suite does spell (a requirement ID) is found");
        }),
    ]);

    private static void NoneOutside(IEnumerable<string> literals, string what)
    {
        var patterns = literals.Select(l => (Literal: l, Pattern: Quoted(l))).ToArray();
        var hits = CodeLines().SelectMany(l => patterns.Where(p => p.Pattern.IsMatch(l.Text)).Select(p => $"{l.Where}: \"{p.Literal}\"")).ToList();
        Empty(hits, $"{what} spelled outside the model (ask the model's type or oracle instead)");
    }

    private static void Empty(IEnumerable<string> hits, string what)
    {
        var list = hits.ToList();
        if (list.Count > 0) throw new AssertException($"{what}: {list.Count} place(s)\n  " + string.Join("\n  ", list.Take(60)));
    }

    private static Regex Quoted(string literal) => new("\"" + Regex.Escape(literal) + "\"", RegexOptions.CultureInvariant);

    private static string Snake(string pascal) => Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant();

    /// <summary>Every non-comment line of C# outside model/ and tests/, catalog files (spec quotes) excepted.</summary>
    private static IEnumerable<(string Where, string Text)> CodeLines()
    {
        var root = ReportSchema.RepoRoot();
        foreach (var dir in Outside)
        {
            var top = Path.Combine(root, dir);
            if (!Directory.Exists(top)) continue;
            foreach (var file in Directory.EnumerateFiles(top, "*.cs", SearchOption.AllDirectories))
            {
                var rel = Path.GetRelativePath(root, file);
                var parts = rel.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj") || Path.GetFileName(file).EndsWith("Catalog.cs", StringComparison.Ordinal)) continue;
                var n = 0;
                foreach (var line in File.ReadLines(file))
                {
                    n++;
                    if (line.TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                    yield return ($"{rel}:{n}", line);
                }
            }
        }
    }
}
