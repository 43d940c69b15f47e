// One oracle (issue 13): outside model/ no code spells a Shard error code or edge observation name as a string; cases,
// traces, vector generators and shim ops ask the model (ShardOracle, ShardEdge.Run) or name its typed value. Prose
// (catalog quotes, case descriptions, vector notes) may quote a code inside a sentence; a literal that IS a code may not.
using System.Text.RegularExpressions;
using Conformance.Model.Shard;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class OneOracleTests
{
    private static IEnumerable<string> Sources() =>
        new[] { "conformance", "adapters" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(ReportSchema.RepoRoot(), d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    public static Test Tests() => TestList("suite.one-oracle",
    [
        TestCase("no Shard error code or the detached observation's name is a string literal outside model/", () =>
        {
            var words = Enum.GetValues<ShardErrorCode>().Select(c => c.Wire())
                // "shard.commit" and "shard.rollback" are also shim feature names (ShimFeatures): only the detached observation is scanned.
                .Append(ShardObservations.SessionDetached).ToArray();
            var literal = new Regex("\"(" + string.Join("|", words.Select(Regex.Escape)) + ")\"");
            var files = Sources().ToArray();
            Expect.isGreaterThan(files.Length, 100, "the scan reads the suite's sources");
            var found = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
                .Where(x => literal.IsMatch(x.line))
                .Select(x => $"{Path.GetRelativePath(ReportSchema.RepoRoot(), x.f)}:{x.i + 1}: {x.line.Trim()}").ToArray();
            Expect.equal(string.Join("\n", found), "", "ask the model (ShardOracle, ShardEdge.Run) or name ShardErrorCode.X / ShardObservations.X");
        }),
    ]);
}
