// Issue 13 "One oracle", CIP half: outside model/ code composes inputs and moves bytes; the names of the agent's
// observations, the trust state names and invented inputs are the model's, spelled once there. A source scan keeps it so.
using System.Text.RegularExpressions;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static partial class CipOracleScanTests
{
    /// <summary>The C# sources of the suite, CLI and adapters (outside model/ and the tests), as (path, text).</summary>
    private static IEnumerable<(string Path, string Text)> Sources(params string[] roots) =>
        roots.Select(r => Path.Combine(ReportSchema.RepoRoot(), r)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Select(f => (Path.GetRelativePath(ReportSchema.RepoRoot(), f), File.ReadAllText(f)));

    private static void None(Regex pattern, string what, params string[] roots)
    {
        var sources = Sources(roots).ToArray();
        Expect.isGreaterThan(sources.Length, 10, "the scan reads the sources");
        var hits = sources.SelectMany(s => pattern.Matches(s.Text).Select(m => $"{s.Path}: {m.Value}")).ToArray();
        Expect.isEmpty(hits, what + " outside model/: " + string.Join("; ", hits));
    }

    [GeneratedRegex("\"cip\\.(drop|fact|vote|defer)\"|Name == \"cip\\.")]
    private static partial Regex ObservationName();

    [GeneratedRegex("\"(probing|trusted|untrusted|blacklisted)\"")]
    private static partial Regex TrustStateName();

    [GeneratedRegex("\\(binary or oversize message\\)")]
    private static partial Regex InventedInput();

    public static Test Tests() => TestList("model.cip.oracle-scan", new Test[]
    {
        TestCase("no code outside model/ names or picks apart the agent's observations (CipObservations, CipStep's typed results)", () =>
            None(ObservationName(), "an observation name", "conformance", "adapters", "model/Conformance.Reference")),
        TestCase("trust state names are TrustState.X.Wire() outside model/", () =>
            None(TrustStateName(), "a trust state spelled as a string", "conformance", "adapters")),
        TestCase("hosts hand the model CipInput.Unreadable instead of inventing envelope text", () =>
            None(InventedInput(), "an invented input", "conformance", "adapters", "model/Conformance.Reference")),
    });
}
