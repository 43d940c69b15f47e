// The report writers against one small run: a pass, a fail whose trace holds hostile text and a flow frame, and an
// unimplemented case. Checks that each format parses, carries the verdict and counts, and that the HTML escapes.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Conformance.Adapters.Trace;
using Conformance.Reports.Model;
using Conformance.Reports.Writers;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Reports;

public static class ReportWriterTests
{
    private const string Hostile = "<script>alert(1)</script>";

    private static byte[] FlowFrame(byte[] lce, byte[] payload)
    {
        var frame = new byte[4 + lce.Length + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)lce.Length);
        lce.CopyTo(frame, 4);
        payload.CopyTo(frame, 4 + lce.Length);
        return frame;
    }

    private static RunResult Fixture()
    {
        var flow = FlowFrame(Encoding.UTF8.GetBytes("{\"v\":1}"), [0xde, 0xad, 0xbe, 0xef]);
        var hello = Encoding.UTF8.GetBytes("{\"type\":\"hello\",\"version\":1}");
        var hostile = Encoding.UTF8.GetBytes(Hostile);

        var pass = new CaseResult("LHS-S-001", "LHS", "server", "4.1", "Hello is answered", "Send a hello; expect a hello back.",
            Level.Must, ["LHS-4.1-1"], Outcome.Pass, "all checks passed",
            [new CheckResult("LHS-4.1-1", Level.Must, true, "a hello", "a hello")],
            [
                new TraceEntry(0, Direction.Local, FrameKind.Open, 0, [], "connection open"),
                new TraceEntry(1.5, Direction.Sent, FrameKind.Text, hello.Length, hello),
                new TraceEntry(3.25, Direction.Received, FrameKind.Text, hello.Length, hello),
            ],
            12.5);
        var fail = new CaseResult("LHS-S-002", "LHS", "server", "6", "Flow frames carry an LCE", "Send a flow frame; expect an LCE back.",
            Level.Must, ["LHS-6-1", "LHS-6-2"], Outcome.Fail, "LHS-6-1 failed: the IUT answered with text",
            [
                new CheckResult("LHS-6-1", Level.Must, false, "a binary flow frame", "a text frame: " + Hostile),
                new CheckResult("LHS-6-2", Level.Should, true, "no close", "no close"),
            ],
            [
                new TraceEntry(0.5, Direction.Sent, FrameKind.Binary, flow.Length, flow),
                new TraceEntry(2, Direction.Received, FrameKind.Text, hostile.Length, hostile),
                new TraceEntry(2.1, Direction.Local, FrameKind.Note, 0, [], "IUT sent <b>markup</b>"),
            ],
            20);
        var unimplemented = new CaseResult("LHS-S-003", "LHS", "server", "7", "Telemetry", "Negotiate telemetry.",
            Level.May, ["LHS-7-1"], Outcome.Unimplemented, "the IUT does not offer telemetry", [], [], 1);

        var requirements = new[]
        {
            new RequirementResult("LHS-4.1-1", "LHS", Level.Must, "4.1", "The server MUST answer a hello.", "C1", ["server"], RequirementStatus.Passed, ["LHS-S-001"]),
            new RequirementResult("LHS-6-1", "LHS", Level.Must, "6", "Endpoints MUST prefix messages with LCE payloads.", "C2", ["server"], RequirementStatus.Failed, ["LHS-S-002"]),
            new RequirementResult("LHS-6-2", "LHS", Level.Should, "6", "Endpoints SHOULD keep the connection.", "C2", ["server"], RequirementStatus.Passed, ["LHS-S-002"]),
            new RequirementResult("LHS-7-1", "LHS", Level.May, "7", "Endpoints MAY offer telemetry.", "C3", ["server"], RequirementStatus.NotTested, ["LHS-S-003"]),
        };
        var checklist = new[]
        {
            new ChecklistResult("LHS", "server", "C1", "Handshake", "answer hellos", ItemStatus.Met, [], []),
            new ChecklistResult("LHS", "server", "C2", "Flow framing", "prefix LCEs", ItemStatus.NotMet, ["LHS-6-1"], []),
            new ChecklistResult("LHS", "server", "C3", "Telemetry", "optional", ItemStatus.NotApplicable, [], ["LHS-7-1"]),
        };
        var started = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var manifest = new RunManifest("conformance", "0.1.0", "abc1234", ["LHS"], ["server"], "websocket", "ws://127.0.0.1:9000/lhs",
            42, 2000, null, null, "test-iut/1.0", started, started.AddSeconds(2), ["--server", "ws://127.0.0.1:9000/lhs"]);
        return new RunResult(manifest, [pass, fail, unimplemented], requirements, checklist,
            new RunCounts(3, 1, 1, 0, 1, 0, 0, 0), Ratified: false, ExitCode: 1, Verdict: "Not ratified: 1 must failure");
    }

    public static Test Tests() => TestList("reports", new[]
    {
        TestCase("report.json has the verdict, counts, cases and decoded traces", () =>
        {
            using var doc = JsonDocument.Parse(JsonReportWriter.Write(Fixture()));
            var root = doc.RootElement;
            Expect.equal(root.GetProperty("schema").GetString(), (string?)JsonReportWriter.Schema, "schema");
            Expect.equal(root.GetProperty("verdict").GetString(), (string?)"Not ratified: 1 must failure", "verdict");
            Expect.isFalse(root.GetProperty("ratified").GetBoolean(), "not ratified");
            Expect.equal(root.GetProperty("exitCode").GetInt32(), 1, "exit code");
            Expect.equal(root.GetProperty("counts").GetProperty("total").GetInt32(), 3, "total");
            Expect.equal(root.GetProperty("counts").GetProperty("fail").GetInt32(), 1, "fail count");
            Expect.equal(root.GetProperty("counts").GetProperty("nonStrict").GetInt32(), 0, "non-strict count");
            Expect.equal(root.GetProperty("manifest").GetProperty("seed").GetUInt64(), 42UL, "seed");
            Expect.equal(root.GetProperty("checklist")[1].GetProperty("status").GetString(), (string?)"not-met", "item status");
            Expect.equal(root.GetProperty("requirements")[3].GetProperty("status").GetString(), (string?)"not-tested", "requirement status");

            var cases = root.GetProperty("cases");
            Expect.equal(cases.GetArrayLength(), 3, "three cases");
            var failed = cases[1];
            Expect.equal(failed.GetProperty("outcome").GetString(), (string?)"fail", "outcome");
            Expect.equal(failed.GetProperty("checks")[1].GetProperty("level").GetString(), (string?)"should", "check level");
            var trace = failed.GetProperty("trace");
            var binary = trace[0];
            Expect.equal(binary.GetProperty("direction").GetString(), (string?)"sent", "direction");
            Expect.equal(binary.GetProperty("kind").GetString(), (string?)"binary", "kind");
            Expect.equal(binary.GetProperty("hex").GetString(), (string?)"000000077b2276223a317ddeadbeef", "hex");
            Expect.equal(binary.GetProperty("decoded").GetProperty("v").GetInt32(), 1, "decoded LCE");
            Expect.equal(trace[1].GetProperty("text").GetString(), (string?)Hostile, "text frame round-trips");
            Expect.isFalse(trace[1].TryGetProperty("hex", out _), "text frames have no hex");
            Expect.equal(trace[2].GetProperty("note").GetString(), (string?)"IUT sent <b>markup</b>", "note");
            Expect.equal(cases[2].GetProperty("outcome").GetString(), (string?)"unimplemented", "unimplemented");
        }),

        TestCase("report.json is deterministic", () =>
        {
            var r = Fixture();
            Expect.equal(JsonReportWriter.Write(r), JsonReportWriter.Write(r), "same run, same bytes");
        }),

        TestCase("a CBOR LCE is decoded, a bad length prefix is not", () =>
        {
            var cbor = FlowFrame([0xa1, 0x61, 0x76, 0x01], [1, 2, 3]); // {"v": 1}
            Expect.equal(JsonReportWriter.DecodeLce(cbor), (string?)"{\"v\":1}", "CBOR map as JSON");
            Expect.isNull(JsonReportWriter.DecodeLce([0, 0, 0, 9, 0x7b, 0x7d]), "length beyond the frame");
            Expect.isNull(JsonReportWriter.DecodeLce([0, 0]), "shorter than the prefix");
            Expect.isNull(JsonReportWriter.DecodeLce(FlowFrame([0xff, 0xfe], [])), "neither JSON nor CBOR");
        }),

        TestCase("junit.xml parses and maps outcomes", () =>
        {
            var doc = XDocument.Parse(JUnitWriter.Write(Fixture()));
            var suites = doc.Root!;
            Expect.equal(suites.Name.LocalName, "testsuites", "root");
            Expect.equal((string?)suites.Attribute("tests"), (string?)"3", "tests");
            Expect.equal((string?)suites.Attribute("failures"), (string?)"1", "failures");
            Expect.equal((string?)suites.Attribute("errors"), (string?)"0", "errors");
            Expect.equal((string?)suites.Attribute("skipped"), (string?)"1", "skipped");
            var suite = suites.Elements("testsuite").Single();
            Expect.equal((string?)suite.Attribute("name"), (string?)"LHS.server", "suite per spec and role");
            var cases = suite.Elements("testcase").ToList();
            Expect.equal(cases.Count, 3, "testcases");
            Expect.equal((string?)cases[1].Attribute("name"), (string?)"LHS-S-002: Flow frames carry an LCE", "testcase name");
            var failure = cases[1].Element("failure");
            Expect.isNotNull(failure, "failure element");
            Expect.stringContains(failure!.Value, "LHS-6-1", "failed check in the failure text");
            Expect.isNotNull(cases[2].Element("skipped"), "unimplemented is skipped");
            Expect.isNull(cases[0].Element("failure"), "pass has no failure");
        }),

        TestCase("junit.xml survives characters XML cannot carry", () =>
        {
            var r = Fixture();
            var bad = r.Cases[1] with { Summary = "nul\0 and \uD800 lone surrogate" };
            var doc = XDocument.Parse(JUnitWriter.Write(r with { Cases = [r.Cases[0], bad, r.Cases[2]] }));
            Expect.isNotNull(doc.Root, "still parses");
        }),

        TestCase("summary.md has the verdict and the failing case", () =>
        {
            var md = MarkdownWriter.Write(Fixture());
            Expect.stringContains(md, "Not ratified", "verdict");
            Expect.stringContains(md, "LHS-S-002", "failing case");
            Expect.stringContains(md, "## Failures", "failures section");
            Expect.isFalse(md.Contains("### ✅") || md.Contains("LHS-S-003 —"), "unimplemented case is not listed as a failure");
        }),

        TestCase("index.html escapes IUT data and carries the filter data", () =>
        {
            var html = HtmlWriter.Write(Fixture());
            Expect.isFalse(html.Contains("<script>alert(1)"), "no unescaped script from the trace");
            Expect.isFalse(html.Contains("<b>markup</b>"), "no unescaped markup from a note");
            Expect.stringContains(html, "&lt;script&gt;alert(1)&lt;/script&gt;", "the escaped form is shown");
            Expect.equal(html.Split("<script").Length - 1, 1, "only the page's own script element");
            Expect.stringContains(html, "data-outcome=\"fail\"", "filter data on the failing case");
            Expect.stringContains(html, "id=\"verdict\"", "verdict");
            Expect.stringContains(html, "id=\"checklist\"", "checklist");
            Expect.stringContains(html, "id=\"filter-outcome\"", "outcome filter");
            Expect.stringContains(html, "id=\"search\"", "search box");
            Expect.stringContains(html, "class=\"trace\"", "trace table");
            Expect.stringContains(html, "&quot;v&quot;: 1", "decoded LCE");
            Expect.stringContains(html, "00 00 00 07 7b 22 76 22", "binary frame as hex");
        }),

        TestCase("badge.svg is XML and says not ratified", () =>
        {
            var svg = XDocument.Parse(BadgeWriter.Write(Fixture()));
            Expect.stringContains(svg.Root!.Value, "not ratified", "message");
            Expect.stringContains(svg.Root!.Value, "LHS", "label");
        }),

        TestCase("ReportFolder writes every file and removes stale traces", () =>
        {
            var dir = Path.Combine(Path.GetTempPath(), "conformance-report-" + Guid.NewGuid().ToString("N"));
            try
            {
                Directory.CreateDirectory(Path.Combine(dir, "traces"));
                File.WriteAllText(Path.Combine(dir, "traces", "OLD-CASE.json"), "[]");
                ReportFolder.Write(Fixture(), dir);
                foreach (var name in new[] { "report.json", "junit.xml", "summary.md", "index.html", "badge.svg" })
                    Expect.isTrue(File.Exists(Path.Combine(dir, name)), name + " written");
                var traces = Directory.GetFiles(Path.Combine(dir, "traces")).Select(Path.GetFileName).Order().ToArray();
                Expect.sequenceEqual(traces, new string?[] { "LHS-S-001.json", "LHS-S-002.json", "LHS-S-003.json" }, "one trace per case, stale one gone");
                using var trace = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "traces", "LHS-S-002.json")));
                Expect.equal(trace.RootElement[0].GetProperty("decoded").GetProperty("v").GetInt32(), 1, "trace file has the entry shape");
                ReportFolder.Write(Fixture(), dir); // overwriting an existing report is fine
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
        }),
    });
}
