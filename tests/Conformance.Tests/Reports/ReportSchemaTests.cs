// report.json against its published schema: every kind of run the CLI makes validates, and the validator is not
// vacuous (a report with a wrong outcome name, a missing manifest field or an unknown property is rejected).
using System.Text.Json.Nodes;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Reports;

public static class ReportSchemaTests
{
    public static Test Tests() => TestList("reports.schema",
    [
        TestCase("report.json of a full run validates", async () => await Valid(await SharedRuns.Full)),
        TestCase("report.json of a run with failures validates", async () => await Valid(await SharedRuns.WithFailure)),
        TestCase("report.json with skipped cases and baseline deviations validates", async () =>
        {
            var dir = TestCli.TempDir("schema");
            var skip = Path.Combine(dir, "skip.txt");
            File.WriteAllText(skip, "LHS-C-happy-cbor  our client has no CBOR yet\n");
            var expect = Path.Combine(dir, "expect.json");
            File.WriteAllText(expect, """{"schema": "conformance-expect/1", "outcomes": {"LHS-C-happy-json": "fail"}}""");
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--skip", skip, "--expect", expect);
            Expect.equal(r.Exit, 1, "deviations make the run fail\n" + r);
            var report = r.Report();
            Expect.isGreaterThan(report.GetProperty("deviations").GetArrayLength(), 0, "deviations recorded");
            Expect.equal(report.GetProperty("counts").GetProperty("skipped").GetInt32(), 1, "one case skipped");
            await Valid(r);
        }),
        TestCase("the run manifest names the vector set, the commit and the run", async () =>
        {
            var m = (await SharedRuns.Full).Report().GetProperty("manifest");
            var manifest = Path.Combine(ReportSchema.RepoRoot(), "vectors", "MANIFEST.json");
            Expect.equal(m.GetProperty("vectorsManifestSha256").GetString(),
                Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(manifest))), "SHA-256 of vectors/MANIFEST.json");
            Expect.isTrue(m.GetProperty("runId").GetString() is { Length: > 0 }, "run id");
            Expect.isTrue(m.GetProperty("suiteVersion").GetString() is { Length: > 0 }, "suite version");
            Expect.equal(m.GetProperty("iutIdentity").GetString(), "embedded reference implementation", "IUT as declared");
        }),
        TestCase("the schema rejects a wrong outcome, a missing manifest field and an unknown property", async () =>
        {
            var json = File.ReadAllText(Path.Combine((await SharedRuns.WithFailure).OutDir, "report.json"));
            async Task Rejected(string what, Action<JsonNode> mutate)
            {
                var node = JsonNode.Parse(json)!;
                mutate(node);
                var errors = await ReportSchema.ErrorsAsync(node.ToJsonString());
                Expect.isNonEmpty(errors, what + " must not validate");
            }
            await Rejected("outcome \"passed\"", n => n["cases"]![0]!["outcome"] = "passed");
            await Rejected("no manifest.seed", n => n["manifest"]!.AsObject().Remove("seed"));
            await Rejected("an unknown top-level property", n => n["extra"] = 1);
            await Rejected("a trace entry without kind", n => n["cases"]![0]!["trace"]![0]!.AsObject().Remove("kind"));
            await Rejected("exit code 7", n => n["exitCode"] = 7);
        }),
    ]);

    private static async Task Valid(CliRun r)
    {
        var errors = await ReportSchema.ErrorsAsync(File.ReadAllText(Path.Combine(r.OutDir, "report.json")));
        Expect.isEmpty(errors, "report.json must validate against reports/schema/report.schema.json:\n" + string.Join("\n", errors.Take(20)));
    }
}
