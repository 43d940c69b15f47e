// compare.html and compare.md: the matrix of requirements × runs. Rows where the runs disagree are marked and listed
// first in the Markdown; the HTML can hide the rows where every run agrees. Self-contained like index.html.
using System.Security.Cryptography;
using System.Text;

namespace Conformance.Reports.Compare;

public static class CompareWriter
{
    public static string Markdown(RunMatrix m)
    {
        var sb = new StringBuilder();
        sb.Append("# Conformance comparison\n\n");
        sb.Append(m.Rows.Count).Append(" requirements × ").Append(m.Columns.Count).Append(" runs; **").Append(m.Differing).Append(" differ**.\n\n");
        sb.Append("| Run | Folder | Verdict |\n|---|---|---|\n");
        foreach (var c in m.Columns) sb.Append("| ").Append(Md(c.Name)).Append(" | ").Append(Md(c.Directory)).Append(" | ").Append(c.Ratified ? "✅ " : "❌ ").Append(Md(c.Verdict)).Append(" |\n");
        sb.Append("\n| Requirement | Level | ");
        sb.Append(string.Join(" | ", m.Columns.Select(c => Md(c.Name)))).Append(" |\n|---|---|");
        sb.Append(string.Concat(m.Columns.Select(_ => "---|"))).Append('\n');
        // Differences first: they are why someone runs compare.
        foreach (var r in m.Rows.Where(r => r.Differs).Concat(m.Rows.Where(r => !r.Differs)))
        {
            sb.Append("| ").Append(r.Differs ? "**≠** " : "").Append('`').Append(r.Id).Append("` | ").Append(r.Level).Append(" | ");
            sb.Append(string.Join(" | ", r.Cells.Select(Icon))).Append(" |\n");
        }
        return sb.ToString();
    }

    public static string Html(RunMatrix m)
    {
        var sb = new StringBuilder(32 * 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '").Append(Hash(Css)).Append("'; script-src '").Append(Hash(Js)).Append("'\">\n");
        sb.Append("<title>Conformance comparison</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n");
        sb.Append("<h1>Conformance comparison</h1>\n<p id=\"differing\" data-differing=\"").Append(m.Differing).Append("\">")
          .Append(m.Rows.Count).Append(" requirements × ").Append(m.Columns.Count).Append(" runs: <strong>").Append(m.Differing).Append(" differ</strong>. ")
          .Append("<label><input type=\"checkbox\" id=\"only-diff\"> show only the rows that differ</label></p>\n");
        sb.Append("<table id=\"matrix\">\n<thead><tr><th>Requirement</th><th>Spec</th><th>Level</th>");
        foreach (var c in m.Columns)
            sb.Append("<th class=\"run\" title=\"").Append(H(c.Target)).Append("\">").Append(H(c.Name)).Append("<br><small>").Append(H(c.Directory)).Append("</small><br>")
              .Append("<span class=\"badge ").Append(c.Ratified ? "ok\">Ratified" : "bad\">Not ratified").Append("</span></th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in m.Rows)
        {
            sb.Append("<tr class=\"row").Append(r.Differs ? " differs" : "").Append("\" data-id=\"").Append(H(r.Id)).Append("\" data-differs=\"").Append(r.Differs ? "true" : "false").Append("\">");
            sb.Append("<td title=\"").Append(H(r.Quote)).Append("\"><code>").Append(H(r.Id)).Append("</code></td><td>").Append(H(r.Spec)).Append("</td><td>").Append(H(r.Level)).Append("</td>");
            foreach (var cell in r.Cells) sb.Append("<td class=\"cell ").Append(H(cell)).Append("\" data-status=\"").Append(H(cell)).Append("\">").Append(HtmlIcon(cell)).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n<script>").Append(Js).Append("</script>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Icon(string status) => status switch
    {
        "passed" => "✅ passed",
        "failed" => "❌ failed",
        "not-tested" => "· not tested",
        _ => "— absent",
    };

    // Emoji read well on GitHub; HTML uses plain symbols that every font has.
    private static string HtmlIcon(string status) => status switch
    {
        "passed" => "✓ passed",
        "failed" => "✗ failed",
        "not-tested" => "· not tested",
        _ => "— absent",
    };

    private static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    private static string H(string s) => System.Net.WebUtility.HtmlEncode(s);

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));

    private const string Css = """

:root { color-scheme: light dark; --line: #d0d7de; --alt: #f6f8fa; --ok: #1a7f37; --bad: #cf222e; --warn: #fff8c5; }
@media (prefers-color-scheme: dark) { :root { --line: #30363d; --alt: #161b22; --ok: #3fb950; --bad: #f85149; --warn: #3b2e00; } }
body { font: 14px/1.45 system-ui, sans-serif; margin: 1rem 1.5rem; }
table { border-collapse: collapse; } th, td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--alt); position: sticky; top: 0; } code { font: 12px ui-monospace, monospace; }
tr.differs { background: var(--warn); } tr.differs td:first-child { font-weight: 600; }
.cell.passed { color: var(--ok); } .cell.failed { color: var(--bad); font-weight: 600; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; color: #fff; font-size: 11px; }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); }
body.only-diff tr.row:not(.differs) { display: none; }

""";

    private const string Js = """

(function () {
  'use strict';
  var box = document.getElementById('only-diff');
  box.addEventListener('change', function () { document.body.classList.toggle('only-diff', box.checked); });
})();

""";
}
