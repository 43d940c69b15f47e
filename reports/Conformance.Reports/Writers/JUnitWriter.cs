// junit.xml: so any CI server (GitHub Actions, GitLab, Jenkins, Azure DevOps) shows the run as ordinary tests.
// The mapping keeps CI's red/green aligned with the exit code: fail → failure, error and timeout → error,
// unimplemented and skipped → skipped, and the non-gating outcomes (non-strict, informational) pass with their summary attached.
using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class JUnitWriter
{
    public static string Write(RunResult r)
    {
        var m = r.Manifest;
        var root = new XElement("testsuites",
            new XAttribute("name", Clean(m.Specs.Count > 0 ? $"{m.Suite} ({string.Join(", ", m.Specs)})" : m.Suite)),
            new XAttribute("tests", r.Cases.Count),
            new XAttribute("failures", r.Cases.Count(c => c.Outcome == Outcome.Fail)),
            new XAttribute("errors", r.Cases.Count(c => c.Outcome is Outcome.Error or Outcome.Timeout)),
            new XAttribute("skipped", r.Cases.Count(c => c.Outcome is Outcome.Unimplemented or Outcome.Skipped)),
            new XAttribute("time", Seconds((m.Finished - m.Started).TotalMilliseconds)));

        // GroupBy keeps first-appearance order, so suites come out in the runner's order.
        foreach (var group in r.Cases.GroupBy(c => (c.Spec, c.Role)))
        {
            var cases = group.ToList();
            var suite = new XElement("testsuite",
                new XAttribute("name", Clean($"{group.Key.Spec}.{group.Key.Role}")),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", cases.Count(c => c.Outcome == Outcome.Fail)),
                new XAttribute("errors", cases.Count(c => c.Outcome is Outcome.Error or Outcome.Timeout)),
                new XAttribute("skipped", cases.Count(c => c.Outcome is Outcome.Unimplemented or Outcome.Skipped)),
                new XAttribute("time", Seconds(cases.Sum(c => Finite(c.DurationMs)))),
                // JUnit's schema wants a local timestamp without offset; UTC keeps it unambiguous.
                new XAttribute("timestamp", m.Started.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
                Properties(m));
            foreach (var c in cases) suite.Add(Case(c));
            root.Add(suite);
        }

        var doc = new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        return doc.Declaration + "\n" + doc.ToString(SaveOptions.None) + "\n";
    }

    private static XElement Properties(RunManifest m)
    {
        var props = new XElement("properties");
        void Add(string name, string? value)
        {
            if (value is not null) props.Add(new XElement("property", new XAttribute("name", name), new XAttribute("value", Clean(value))));
        }
        Add("suite.version", m.SuiteVersion);
        Add("commit", m.Commit);
        Add("target", m.Target);
        Add("adapter", m.Adapter);
        Add("seed", m.Seed.ToString(CultureInfo.InvariantCulture));
        Add("fault", m.Fault);
        Add("filter", m.Filter);
        Add("iut", m.IutIdentity);
        return props;
    }

    private static XElement Case(CaseResult c)
    {
        var e = new XElement("testcase",
            new XAttribute("classname", Clean($"{c.Spec}.{c.Role}")),
            new XAttribute("name", Clean($"{c.Id}: {c.Title}")),
            new XAttribute("time", Seconds(c.DurationMs)));
        switch (c.Outcome)
        {
            case Outcome.Fail:
                e.Add(new XElement("failure", new XAttribute("message", Clean(c.Summary)), new XAttribute("type", c.Outcome.Name()),
                    Clean(FailedChecks(c))));
                break;
            case Outcome.Error or Outcome.Timeout:
                e.Add(new XElement("error", new XAttribute("message", Clean(c.Summary)), new XAttribute("type", c.Outcome.Name()),
                    Clean(FailedChecks(c))));
                break;
            case Outcome.Unimplemented or Outcome.Skipped:
                e.Add(new XElement("skipped", new XAttribute("message", Clean(c.Summary))));
                break;
            case Outcome.NonStrict or Outcome.Informational or Outcome.Flaky:
                // Passing for CI (they never gate), but the reason must still be visible next to the test.
                var text = c.Outcome.Name() + ": " + c.Summary;
                var checks = FailedChecks(c);
                e.Add(new XElement("system-out", Clean(checks.Length > 0 ? text + "\n" + checks : text)));
                break;
        }
        return e;
    }

    private static string FailedChecks(CaseResult c)
    {
        var sb = new StringBuilder();
        foreach (var k in c.Checks.Where(k => !k.Passed))
        {
            sb.Append(k.Requirement).Append(" (").Append(k.Level.Name()).Append(k.TimedOut ? ", timed out" : "").Append(")\n");
            sb.Append("  expected: ").Append(k.Expected).Append('\n');
            sb.Append("  actual:   ").Append(k.Actual).Append('\n');
        }
        foreach (var b in c.Blocked)
            sb.Append(b.Requirement).Append(" (").Append(b.Level.Name()).Append("): not verified (blocked by ").Append(b.BlockedBy).Append(")\n");
        return sb.ToString();
    }

    private static double Finite(double ms) => double.IsFinite(ms) ? ms : 0;

    private static string Seconds(double ms) => (Finite(ms) / 1000).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>
    /// XML 1.0 cannot carry most control characters or lone surrogates, and IUT-supplied text (close reasons, error
    /// messages quoted in "actual") may contain them; XDocument would throw. Replace each with U+FFFD.
    /// </summary>
    private static string Clean(string s)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            if (XmlConvert.IsXmlChar(ch)) { sb?.Append(ch); continue; }
            if (i + 1 < s.Length && XmlConvert.IsXmlSurrogatePair(s[i + 1], ch))
            {
                sb?.Append(ch).Append(s[i + 1]);
                i++;
                continue;
            }
            sb ??= new StringBuilder(s, 0, i, s.Length);
            sb.Append('\uFFFD');
        }
        return sb?.ToString() ?? s;
    }
}
