// index.html: the report a person browses. One self-contained file (inline CSS and JS, nothing fetched) so it can
// be attached to a CI run or mailed and still open offline.
// Security: the IUT controls trace bytes and much of the "actual" text, so every data string goes through H();
// nothing from the data is ever placed inside <script>/<style>, the script only uses textContent/attributes, and a
// CSP that allows exactly this page's own script and style (by hash) backs that up should an escape ever be missed.
// Without JS every case is still there (native <details>); JS only adds filtering.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Conformance.Adapters.Trace;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class HtmlWriter
{
    private const int HexBytesPerLine = 16;

    public static string Write(RunResult r)
    {
        var m = r.Manifest;
        var requirements = r.Requirements.GroupBy(q => q.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var traceFiles = ReportFolder.TraceFileNames(r.Cases);
        var specs = m.Specs.Count > 0 ? string.Join(", ", m.Specs) + " " : "";

        var sb = new StringBuilder(64 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '").Append(Hash(Css))
          .Append("'; script-src '").Append(Hash(Js)).Append("'; img-src data:\">\n");
        sb.Append("<title>").Append(H(specs)).Append("conformance: ").Append(r.Ratified ? "Ratified" : "Not ratified").Append("</title>\n");
        sb.Append("<style>").Append(Css).Append("</style>\n</head>\n<body>\n");

        // Header: verdict first, then what was tested.
        sb.Append("<header>\n<h1>").Append(H(specs)).Append("conformance report</h1>\n");
        sb.Append("<p id=\"verdict\" class=\"").Append(r.Ratified ? "ratified" : "not-ratified").Append("\" data-ratified=\"")
          .Append(r.Ratified ? "true" : "false").Append("\" data-exit-code=\"").Append(r.ExitCode).Append("\">");
        sb.Append("<span class=\"badge ").Append(r.Ratified ? "ok\">Ratified" : "bad\">Not ratified").Append("</span> ");
        sb.Append("<span class=\"verdict-text\">").Append(H(r.Verdict)).Append("</span> ");
        sb.Append("<span class=\"exit-code\">exit code ").Append(r.ExitCode).Append("</span></p>\n");
        sb.Append("<dl id=\"manifest\">\n");
        Term(sb, "Suite", $"{m.Suite} {m.SuiteVersion}" + (m.Commit is null ? "" : $" @ {m.Commit}"));
        Term(sb, "Specs", string.Join(", ", m.Specs));
        Term(sb, "Roles", string.Join(", ", m.Roles));
        Term(sb, "Target", m.Target);
        Term(sb, "Adapter", m.Adapter);
        if (m.IutIdentity is not null) Term(sb, "IUT", m.IutIdentity);
        Term(sb, "Seed", m.Seed.ToString(CultureInfo.InvariantCulture));
        Term(sb, "Step timeout", m.StepTimeoutMs.ToString(CultureInfo.InvariantCulture) + " ms");
        if (m.Fault is not null) Term(sb, "Fault injected", m.Fault);
        if (m.Filter is not null) Term(sb, "Filter", m.Filter);
        Term(sb, "Started", m.Started.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        Term(sb, "Finished", m.Finished.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)
                             + $" ({Ms((m.Finished - m.Started).TotalMilliseconds)} ms)");
        if (m.Arguments.Count > 0) Term(sb, "Arguments", string.Join(" ", m.Arguments));
        if (m.RunId is not null) Term(sb, "Run ID", m.RunId);
        Term(sb, "Vectors", m.VectorsManifestSha256 is { } v ? "MANIFEST.json sha256 " + v : "no vectors/MANIFEST.json found");
        if (m.SkipFile is not null) Term(sb, "Skip file", m.SkipFile);
        if (m.ExpectFile is not null) Term(sb, "Baseline", m.ExpectFile);
        sb.Append("</dl>\n</header>\n<main>\n");

        WriteRollup(sb, r);
        WriteNotes(sb, r);
        WriteChecklist(sb, r);
        WriteCounts(sb, r.Counts);
        WriteRequirements(sb, r);
        WriteFilters(sb, r);

        sb.Append("<section id=\"cases\">\n<h2>Cases</h2>\n<div class=\"case-list\">\n");
        for (var i = 0; i < r.Cases.Count; i++) WriteCase(sb, r.Cases[i], requirements, traceFiles[i]);
        sb.Append("</div>\n</section>\n</main>\n");
        sb.Append("<script>").Append(Js).Append("</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>One row per spec: its own verdict and badge, and how much of its catalog a case that ran checked.</summary>
    private static void WriteRollup(StringBuilder sb, RunResult r)
    {
        sb.Append("<section id=\"rollup\">\n<h2>Roll-up</h2>\n<p id=\"coverage\" data-covered=\"").Append(r.RequirementsCovered).Append("\" data-total=\"")
          .Append(r.RequirementsTotal).Append("\">").Append(r.RequirementsCovered).Append(" of ").Append(r.RequirementsTotal)
          .Append(" requirements have a case that ran and checked them.</p>\n");
        sb.Append("<table class=\"rollup\">\n<thead><tr><th>Spec</th><th>Verdict</th><th>Coverage</th></tr></thead>\n<tbody>\n");
        foreach (var s in r.Specs)
        {
            var pct = s.RequirementsTotal == 0 ? 0 : 100.0 * s.RequirementsCovered / s.RequirementsTotal;
            sb.Append("<tr class=\"spec\" data-spec=\"").Append(H(s.Spec)).Append("\" data-ratified=\"").Append(s.Ratified ? "true" : "false").Append("\">");
            sb.Append("<td><strong>").Append(H(s.Spec.ToUpperInvariant())).Append("</strong></td>");
            sb.Append("<td><span class=\"badge ").Append(s.Ratified ? "ok\">Ratified" : "bad\">Not ratified").Append("</span> ").Append(H(s.Verdict)).Append("</td>");
            sb.Append("<td><meter min=\"0\" max=\"").Append(s.RequirementsTotal).Append("\" value=\"").Append(s.RequirementsCovered).Append("\"></meter> ")
              .Append(s.RequirementsCovered).Append(" of ").Append(s.RequirementsTotal).Append(" (").Append(pct.ToString("0", CultureInfo.InvariantCulture)).Append("%)</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteNotes(StringBuilder sb, RunResult r)
    {
        if (r.Notes.Count == 0 && r.Deviations.Count == 0) return;
        sb.Append("<section id=\"notes\">\n<h2>Notes</h2>\n<ul>\n");
        foreach (var n in r.Notes) sb.Append("<li>").Append(H(n)).Append("</li>\n");
        sb.Append("</ul>\n");
        if (r.Deviations.Count > 0)
        {
            sb.Append("<table class=\"deviations\">\n<thead><tr><th>Case</th><th>Expected (baseline)</th><th>Actual</th></tr></thead>\n<tbody>\n");
            foreach (var d in r.Deviations)
                sb.Append("<tr class=\"deviation\" data-case=\"").Append(H(d.CaseId)).Append("\"><td><a href=\"#").Append(Anchor("case-", d.CaseId)).Append("\"><code>")
                  .Append(H(d.CaseId)).Append("</code></a></td><td>").Append(H(d.Expected ?? "(not in the baseline)")).Append("</td><td>").Append(H(d.Actual)).Append("</td></tr>\n");
            sb.Append("</tbody>\n</table>\n");
        }
        sb.Append("</section>\n");
    }

    private static void WriteChecklist(StringBuilder sb, RunResult r)
    {
        sb.Append("<section id=\"checklist\">\n<h2>Checklist</h2>\n");
        if (r.Checklist.Count == 0) sb.Append("<p>No checklist items.</p>\n");
        foreach (var group in r.Checklist.GroupBy(i => (i.Spec, i.Role)))
        {
            sb.Append("<h3>").Append(H(group.Key.Spec)).Append(" · ").Append(H(group.Key.Role)).Append("</h3>\n");
            sb.Append("<table class=\"checklist\" data-spec=\"").Append(H(group.Key.Spec)).Append("\" data-role=\"").Append(H(group.Key.Role)).Append("\">\n");
            sb.Append("<thead><tr><th>Item</th><th>Title</th><th>Status</th><th>Requirements</th></tr></thead>\n<tbody>\n");
            foreach (var item in group)
            {
                var status = JsonReportWriter.Name(item.Status);
                sb.Append("<tr class=\"item status-").Append(status).Append("\" data-item=\"").Append(H(item.Item)).Append("\" data-status=\"").Append(status).Append("\">");
                sb.Append("<td><code>").Append(H(item.Item)).Append("</code></td>");
                sb.Append("<td>").Append(H(item.Title));
                if (item.Quote.Length > 0) sb.Append("<blockquote>").Append(H(item.Quote)).Append("</blockquote>");
                sb.Append("</td><td class=\"status\">").Append(StatusIcon(item.Status)).Append(' ').Append(status).Append("</td><td>");
                RequirementLinks(sb, "failed", item.FailedRequirements);
                RequirementLinks(sb, "untested", item.UntestedRequirements);
                RequirementLinks(sb, "blocked", [.. item.BlockedRequirements.Select(b => b.Requirement)]);
                sb.Append("</td></tr>\n");
            }
            sb.Append("</tbody>\n</table>\n");
        }
        sb.Append("</section>\n");
    }

    private static void RequirementLinks(StringBuilder sb, string label, IReadOnlyList<string> ids)
    {
        if (ids.Count == 0) return;
        sb.Append("<div class=\"").Append(label).Append("\">").Append(label).Append(": ");
        for (var i = 0; i < ids.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append("<a href=\"#").Append(Anchor("req-", ids[i])).Append("\"><code>").Append(H(ids[i])).Append("</code></a>");
        }
        sb.Append("</div>");
    }

    private static void WriteCounts(StringBuilder sb, RunCounts c)
    {
        sb.Append("<p id=\"counts\"><span class=\"count total\">").Append(c.Total).Append(" cases</span>");
        void Count(Outcome o, int n) =>
            sb.Append(" <span class=\"count outcome-").Append(o.Name()).Append("\" data-outcome=\"").Append(o.Name()).Append("\" data-count=\"")
              .Append(n).Append("\">").Append(n).Append(' ').Append(o.Name()).Append("</span>");
        Count(Outcome.Pass, c.Pass);
        Count(Outcome.Fail, c.Fail);
        Count(Outcome.NonStrict, c.NonStrict);
        Count(Outcome.Unimplemented, c.Unimplemented);
        Count(Outcome.Informational, c.Informational);
        Count(Outcome.Error, c.Error);
        Count(Outcome.Timeout, c.Timeout);
        Count(Outcome.Skipped, c.Skipped);
        Count(Outcome.Flaky, c.Flaky);
        sb.Append("</p>\n");
    }

    private static void WriteRequirements(StringBuilder sb, RunResult r)
    {
        // Collapsed by default: the checklist is the roll-up, this is the lookup table behind its links.
        sb.Append("<section id=\"requirements\">\n<details>\n<summary><h2>Requirements</h2> ")
          .Append(r.Requirements.Count).Append(" requirements: ")
          .Append(r.Requirements.Count(q => q.Status == RequirementStatus.Passed)).Append(" passed, ")
          .Append(r.Requirements.Count(q => q.Status == RequirementStatus.Failed)).Append(" failed, ")
          .Append(r.Requirements.Count(q => q.Status == RequirementStatus.NotTested)).Append(" not tested")
          .Append(r.Requirements.Count(q => q.Status == RequirementStatus.Blocked) is > 0 and var nb ? $", {nb} blocked" : "").Append("</summary>\n");
        sb.Append("<table class=\"requirements\">\n<thead><tr><th>ID</th><th>Level</th><th>Status</th><th>Section</th><th>Item</th><th>Requirement</th><th>Cases</th></tr></thead>\n<tbody>\n");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var q in r.Requirements)
        {
            var status = JsonReportWriter.Name(q.Status);
            sb.Append("<tr class=\"requirement status-").Append(status).Append('"');
            if (seen.Add(q.Id)) sb.Append(" id=\"").Append(Anchor("req-", q.Id)).Append('"');
            sb.Append(" data-id=\"").Append(H(q.Id)).Append("\" data-level=\"").Append(q.Level.Name()).Append("\" data-status=\"").Append(status).Append("\">");
            sb.Append("<td><code>").Append(H(q.Id)).Append("</code></td>");
            sb.Append("<td>").Append(LevelTag(q.Level)).Append("</td>");
            sb.Append("<td>").Append(status).Append("</td>");
            sb.Append("<td>").Append(H(q.Section)).Append("</td>");
            sb.Append("<td><code>").Append(H(q.ChecklistItem)).Append("</code></td>");
            sb.Append("<td>").Append(H(q.Quote)).Append("</td><td>");
            for (var i = 0; i < q.Cases.Count; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append("<a href=\"#").Append(Anchor("case-", q.Cases[i])).Append("\">").Append(H(q.Cases[i])).Append("</a>");
            }
            sb.Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</details>\n</section>\n");
    }

    private static void WriteFilters(StringBuilder sb, RunResult r)
    {
        // Hidden until the script runs: without JS the controls would do nothing.
        sb.Append("<div id=\"filters\" role=\"search\" hidden>\n");
        Select(sb, "outcome", "Outcome", Enum.GetValues<Outcome>().Select(o => o.Name()));
        Select(sb, "spec", "Spec", r.Cases.Select(c => c.Spec).Distinct().Order(StringComparer.Ordinal));
        Select(sb, "role", "Role", r.Cases.Select(c => c.Role).Distinct().Order(StringComparer.Ordinal));
        Select(sb, "level", "Level", Enum.GetValues<Level>().Select(l => l.Name()));
        sb.Append("<label>Search <input id=\"search\" type=\"search\" placeholder=\"case or requirement ID\" autocomplete=\"off\"></label>\n");
        sb.Append("<button type=\"button\" id=\"expand-all\">Expand all</button> <button type=\"button\" id=\"collapse-all\">Collapse all</button>\n");
        sb.Append("<span id=\"shown\" aria-live=\"polite\"></span>\n</div>\n");
    }

    private static void Select(StringBuilder sb, string key, string label, IEnumerable<string> values)
    {
        sb.Append("<label>").Append(label).Append(" <select id=\"filter-").Append(key).Append("\"><option value=\"\">all</option>");
        foreach (var v in values) sb.Append("<option value=\"").Append(H(v)).Append("\">").Append(H(v)).Append("</option>");
        sb.Append("</select></label>\n");
    }

    private static void WriteCase(StringBuilder sb, CaseResult c, Dictionary<string, RequirementResult> requirements, string traceFile)
    {
        var outcome = c.Outcome.Name();
        sb.Append("<details class=\"case outcome-").Append(outcome).Append("\" id=\"").Append(Anchor("case-", c.Id))
          .Append("\" data-id=\"").Append(H(c.Id)).Append("\" data-outcome=\"").Append(outcome)
          .Append("\" data-spec=\"").Append(H(c.Spec)).Append("\" data-role=\"").Append(H(c.Role))
          .Append("\" data-level=\"").Append(c.Level.Name()).Append("\" data-requirements=\"").Append(H(string.Join(" ", c.Requirements))).Append("\">\n");
        sb.Append("<summary><span class=\"outcome\">").Append(outcome).Append("</span> <code class=\"case-id\">").Append(H(c.Id))
          .Append("</code> <span class=\"title\">").Append(H(c.Title)).Append("</span>")
          .Append(c.Sanity is { } sanity ? $" <span class=\"sanity\" title=\"runs {sanity} for its spec and role, to show the IUT was healthy then\">sanity check, {sanity}</span>" : "")
          .Append(" <span class=\"meta\">")
          .Append(H(c.Spec)).Append(" · ").Append(H(c.Role)).Append(" · ").Append(c.Level.Name()).Append(" · ").Append(Ms(c.DurationMs)).Append(" ms</span></summary>\n");
        sb.Append("<div class=\"case-body\">\n");
        sb.Append("<p class=\"case-summary\">").Append(H(c.Summary)).Append("</p>\n");
        sb.Append("<p class=\"description\">").Append(H(c.Description)).Append("</p>\n");
        sb.Append("<p class=\"section\">Section ").Append(H(c.Section)).Append("</p>\n");
        if (c.Traces is { } t)
        {
            // A property-trace case: what ran, and the minimal failing trace with the command that replays it.
            sb.Append("<div class=\"traces\"><p>").Append(t.Count).Append(" trace(s), ").Append(t.Steps).Append(" step(s), seed ").Append(t.Seed).Append("</p>\n");
            if (t.FailingTrace is { } id)
            {
                sb.Append("<p>Trace ").Append(id).Append(t.Flaky ? " failed, then passed on rerun (flaky)" : " failed").Append(". Generated: <code>").Append(H(t.Generated ?? "")).Append("</code></p>\n");
                if (t.Minimal is not null)
                    sb.Append("<p>Minimal (").Append(t.ShrinkRuns).Append(" shrink runs): <code class=\"trace-minimal\">").Append(H(t.Minimal)).Append("</code></p>\n");
                if (t.Replay is not null) sb.Append("<p>Replay: <code class=\"trace-replay\">").Append(H(t.Replay)).Append("</code></p>\n");
            }
            sb.Append("</div>\n");
        }

        sb.Append("<h4>Requirements</h4>\n<ul class=\"requirements\">\n");
        foreach (var id in c.Requirements)
        {
            requirements.TryGetValue(id, out var q);
            // The catalog normally knows every cited requirement; fall back to a check's level rather than guess.
            var level = q?.Level ?? c.Checks.FirstOrDefault(k => k.Requirement == id)?.Level;
            sb.Append("<li data-requirement=\"").Append(H(id)).Append("\"><a href=\"#").Append(Anchor("req-", id)).Append("\"><code>").Append(H(id)).Append("</code></a> ");
            sb.Append(level is { } l ? LevelTag(l) : "<span class=\"level\">?</span>");
            if (q is not null && q.Quote.Length > 0) sb.Append(" <q>").Append(H(q.Quote)).Append("</q>");
            sb.Append("</li>\n");
        }
        sb.Append("</ul>\n");

        sb.Append("<h4>Checks</h4>\n");
        if (c.Checks.Count == 0) sb.Append("<p>No checks.</p>\n");
        else
        {
            sb.Append("<table class=\"checks\">\n<thead><tr><th>Requirement</th><th>Level</th><th>Result</th><th>Expected</th><th>Actual</th></tr></thead>\n<tbody>\n");
            foreach (var k in c.Checks)
            {
                var result = k.Passed ? "pass" : k.TimedOut ? "timeout" : "fail";
                sb.Append("<tr class=\"check ").Append(k.Passed ? "passed" : "failed").Append("\" data-requirement=\"").Append(H(k.Requirement))
                  .Append("\" data-level=\"").Append(k.Level.Name()).Append("\" data-passed=\"").Append(k.Passed ? "true" : "false").Append("\">");
                sb.Append("<td><code>").Append(H(k.Requirement)).Append("</code></td><td>").Append(LevelTag(k.Level)).Append("</td>");
                sb.Append("<td class=\"result\">").Append(k.Passed ? "✓ " : "✗ ").Append(result).Append("</td>");
                sb.Append("<td><pre>").Append(H(k.Expected)).Append("</pre></td><td><pre>").Append(H(k.Actual)).Append("</pre></td></tr>\n");
            }
            sb.Append("</tbody>\n</table>\n");
        }
        if (c.Blocked.Count > 0)
        {
            sb.Append("<h4>Not verified</h4>\n<ul class=\"blocked\">\n");
            foreach (var b in c.Blocked)
                sb.Append("<li data-requirement=\"").Append(H(b.Requirement)).Append("\"><code>").Append(H(b.Requirement)).Append("</code> ")
                  .Append(LevelTag(b.Level)).Append(" not verified (blocked by <code>").Append(H(b.BlockedBy)).Append("</code>): ")
                  .Append(H(b.Expected)).Append("</li>\n");
            sb.Append("</ul>\n");
        }

        sb.Append("<h4>Wire trace <a class=\"trace-file\" href=\"traces/").Append(H(traceFile)).Append("\">JSON</a></h4>\n");
        if (c.Trace.Count == 0) sb.Append("<p>No traffic recorded.</p>\n");
        else
        {
            sb.Append("<table class=\"trace\">\n<thead><tr><th>#</th><th>ms</th><th>Dir</th><th>Kind</th><th>Bytes</th><th>Content</th></tr></thead>\n<tbody>\n");
            for (var i = 0; i < c.Trace.Count; i++) WriteFrame(sb, i + 1, c.Trace[i]);
            sb.Append("</tbody>\n</table>\n");
        }
        sb.Append("</div>\n</details>\n");
    }

    private static void WriteFrame(StringBuilder sb, int n, TraceEntry e)
    {
        var dir = JsonReportWriter.Name(e.Direction);
        var kind = JsonReportWriter.Name(e.Kind);
        var (arrow, who) = e.Direction switch
        {
            Direction.Sent => ("→", "sent by the suite"),
            Direction.Received => ("←", "received from the IUT"),
            _ => ("·", "local event"),
        };
        sb.Append("<tr class=\"frame dir-").Append(dir).Append(" kind-").Append(kind).Append("\" data-direction=\"").Append(dir)
          .Append("\" data-kind=\"").Append(kind).Append("\">");
        sb.Append("<td>").Append(n).Append("</td><td>").Append(Ms(e.AtMs)).Append("</td>");
        sb.Append("<td class=\"dir\" title=\"").Append(who).Append("\">").Append(arrow).Append("</td>");
        sb.Append("<td>").Append(kind).Append("</td><td>").Append(e.Length.ToString(CultureInfo.InvariantCulture)).Append("</td><td class=\"content\">");

        if (e.Bytes.Length > 0)
        {
            if (e.Kind == FrameKind.Binary)
            {
                sb.Append("<pre class=\"hex\">").Append(HexDump(e.Bytes)).Append("</pre>");
                if (JsonReportWriter.DecodeLce(e.Bytes) is { } decoded)
                {
                    var lceLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(e.Bytes);
                    sb.Append("<div class=\"decoded\"><span class=\"label\">LCE (").Append(lceLength).Append(" bytes, payload ")
                      .Append(e.Length - 4 - lceLength).Append(" bytes)</span><pre class=\"json\">").Append(H(Pretty(decoded) ?? decoded)).Append("</pre></div>");
                }
            }
            else if (e.Kind is FrameKind.Text or FrameKind.Close)
            {
                var text = Encoding.UTF8.GetString(e.Bytes);
                var pretty = e.Kind == FrameKind.Text ? Pretty(text) : null;
                sb.Append(pretty is not null ? "<pre class=\"json\">" : "<pre class=\"raw\">").Append(H(pretty ?? text)).Append("</pre>");
            }
            else sb.Append("<pre class=\"hex\">").Append(HexDump(e.Bytes)).Append("</pre>");
        }
        if (e.Bytes.Length < e.Length)
            sb.Append("<span class=\"truncated\">showing the first ").Append(e.Bytes.Length).Append(" of ").Append(e.Length.ToString(CultureInfo.InvariantCulture)).Append(" bytes</span>");
        if (e.Note is not null) sb.Append("<em class=\"note\">").Append(H(e.Note)).Append("</em>");
        sb.Append("</td></tr>\n");
    }

    /// <summary>Indented JSON if the text is one JSON value, else null (then the raw text is shown).</summary>
    private static string? Pretty(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            using var buffer = new MemoryStream();
            // Relaxed escaping keeps the JSON readable; H() does the HTML escaping afterwards.
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                doc.RootElement.WriteTo(w);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string HexDump(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3 + bytes.Length / HexBytesPerLine * 8);
        for (var i = 0; i < bytes.Length; i += HexBytesPerLine)
        {
            if (i > 0) sb.Append('\n');
            sb.Append(i.ToString("x4", CultureInfo.InvariantCulture)).Append(' ');
            for (var j = i; j < Math.Min(i + HexBytesPerLine, bytes.Length); j++)
                sb.Append(j == i + HexBytesPerLine / 2 ? "  " : " ").Append(bytes[j].ToString("x2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private static void Term(StringBuilder sb, string term, string value) =>
        sb.Append("<dt>").Append(term).Append("</dt><dd>").Append(H(value)).Append("</dd>\n");

    private static string LevelTag(Level l) => $"<span class=\"level level-{l.Name()}\">{l.Name()}</span>";

    // Plain symbols rather than emoji: they render in any font, also in a headless browser without an emoji font.
    private static string StatusIcon(ItemStatus s) => s switch
    {
        ItemStatus.Met => "✓",
        ItemStatus.NotMet => "✗",
        ItemStatus.NotVerified => "⚠",
        _ => "—",
    };

    private static string Ms(double ms) => double.IsFinite(ms) ? ms.ToString("0.###", CultureInfo.InvariantCulture) : "?";

    /// <summary>An element id from a data ID: same mapping everywhere so links and targets agree.</summary>
    private static string Anchor(string prefix, string id)
    {
        var sb = new StringBuilder(prefix, prefix.Length + id.Length);
        foreach (var ch in id) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_');
        return sb.ToString();
    }

    private static string H(string s) => System.Net.WebUtility.HtmlEncode(s);

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));

    private const string Css = """

:root { color-scheme: light dark; --fg: #1f2328; --bg: #fff; --muted: #656d76; --line: #d0d7de; --alt: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --info: #0969da; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #8d96a0; --line: #30363d; --alt: #161b22;
  --ok: #3fb950; --bad: #f85149; --warn: #d29922; --info: #58a6ff; } }
[hidden] { display: none !important; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 1rem 1.5rem; max-width: 1400px; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30em; overflow: auto; }
h1 { font-size: 1.6rem; margin: .2rem 0; } h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; } h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
h4 { margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--alt); }
blockquote { margin: .2rem 0 0; color: var(--muted); font-size: 12px; }
.badge { display: inline-block; padding: .15rem .6rem; border-radius: 1rem; color: #fff; font-weight: 600; }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); }
#verdict { font-size: 1.1rem; } .exit-code { color: var(--muted); font-size: .9rem; }
#manifest { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .5rem 0; }
#manifest dt { color: var(--muted); } #manifest dd { margin: 0; overflow-wrap: anywhere; }
.count { margin-right: .8rem; }
.status-met .status, .outcome-pass .outcome { color: var(--ok); }
.status-not-met .status, .outcome-fail .outcome, .outcome-error .outcome, .outcome-timeout .outcome { color: var(--bad); }
.status-not-verified .status, .outcome-non-strict .outcome { color: var(--warn); }
.outcome-unimplemented .outcome, .outcome-informational .outcome, .outcome-skipped .outcome { color: var(--muted); }
.sanity { font-size: 11px; padding: 0 .35rem; border: 1px dashed var(--line); border-radius: .3rem; color: var(--muted); }
#notes li { margin: .2rem 0; } table.rollup td:first-child { width: 6em; } meter { width: 8em; vertical-align: middle; }
.check.failed td.result { color: var(--bad); font-weight: 600; } .check.passed td.result { color: var(--ok); }
.level { font-size: 11px; text-transform: uppercase; padding: 0 .35rem; border: 1px solid var(--line); border-radius: .3rem; }
.level-must { color: var(--bad); } .level-should { color: var(--warn); } .level-may, .level-model { color: var(--muted); }
#requirements summary h2 { display: inline; }
#filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .5rem; background: var(--alt); border: 1px solid var(--line); border-radius: .4rem; position: sticky; top: 0; z-index: 1; }
#shown { color: var(--muted); }
.case { border: 1px solid var(--line); border-radius: .4rem; margin: .3rem 0; }
.case > summary { cursor: pointer; padding: .35rem .6rem; }
.case[open] > summary { background: var(--alt); border-bottom: 1px solid var(--line); }
.case .outcome { display: inline-block; min-width: 7.5em; font-weight: 600; }
.case .meta { color: var(--muted); float: right; }
.case-body { padding: .3rem .8rem .8rem; }
.case-summary { font-weight: 600; }
.trace td.dir { text-align: center; font-size: 1.1rem; }
.trace .dir-sent td.dir { color: var(--info); } .trace .dir-received td.dir { color: var(--ok); }
.trace .kind-timeout, .trace .kind-error, .trace .kind-oversize { background: color-mix(in srgb, var(--bad) 8%, transparent); }
.trace td.content { width: 75%; }
.decoded { margin-top: .3rem; padding-left: .5rem; border-left: 3px solid var(--info); }
.decoded .label, .truncated { display: block; color: var(--muted); font-size: 12px; }
.note { display: block; color: var(--muted); }

""";

    private const string Js = """

(function () {
  'use strict';
  var filters = document.getElementById('filters');
  if (!filters) return;
  filters.hidden = false;
  var keys = ['outcome', 'spec', 'role', 'level'];
  var selects = keys.map(function (k) { return document.getElementById('filter-' + k); });
  var search = document.getElementById('search');
  var shown = document.getElementById('shown');
  var cases = Array.prototype.slice.call(document.querySelectorAll('.case'));
  function apply() {
    var q = search.value.trim().toLowerCase();
    var n = 0;
    cases.forEach(function (c) {
      var ok = keys.every(function (k, i) { return !selects[i].value || c.getAttribute('data-' + k) === selects[i].value; });
      if (ok && q) {
        var ids = ((c.getAttribute('data-id') || '') + ' ' + (c.getAttribute('data-requirements') || '')).toLowerCase();
        ok = ids.indexOf(q) >= 0;
      }
      c.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + cases.length + ' cases shown';
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  document.getElementById('expand-all').addEventListener('click', function () {
    cases.forEach(function (c) { if (!c.hidden) c.open = true; });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    cases.forEach(function (c) { c.open = false; });
  });
  // Links to #case-… and #req-… land inside closed <details>: open every enclosing one and show the target.
  function reveal() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id ? document.getElementById(id) : null;
    if (!el) return;
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS') { p.open = true; p.hidden = false; }
    }
    el.scrollIntoView();
  }
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
})();

""";
}
