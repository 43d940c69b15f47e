// summary.md: the one page a person reads first, in a terminal (cat) or as a GitHub job summary / PR comment.
// Short by design: verdict, what was tested, the checklist, and only the cases that need attention.
using System.Globalization;
using System.Text;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class MarkdownWriter
{
    // Long expected/actual text (whole frames, stack traces) would drown the summary; the full text is in report.json.
    private const int MaxDetail = 300;

    public static string Write(RunResult r)
    {
        var m = r.Manifest;
        var sb = new StringBuilder();
        var specs = m.Specs.Count > 0 ? string.Join(", ", m.Specs) + " " : "";
        sb.Append("# ").Append(Inline(specs)).Append("conformance: ").Append(r.Ratified ? "✅ Ratified" : "❌ Not ratified").Append("\n\n");
        sb.Append("**Verdict:** ").Append(Inline(r.Verdict)).Append(" (exit code ").Append(r.ExitCode.ToString(CultureInfo.InvariantCulture)).Append(")\n\n");

        sb.Append("- **Target:** ").Append(Code(m.Target)).Append('\n');
        sb.Append("- **Adapter:** ").Append(Inline(m.Adapter)).Append('\n');
        if (m.IutIdentity is not null) sb.Append("- **IUT:** ").Append(Inline(m.IutIdentity)).Append('\n');
        if (m.Roles.Count > 0) sb.Append("- **Roles:** ").Append(Inline(string.Join(", ", m.Roles))).Append('\n');
        sb.Append("- **Seed:** ").Append(Code(m.Seed.ToString(CultureInfo.InvariantCulture))).Append('\n');
        if (m.Fault is not null) sb.Append("- **Fault injected:** ").Append(Code(m.Fault)).Append('\n');
        if (m.Filter is not null) sb.Append("- **Filter:** ").Append(Code(m.Filter)).Append('\n');
        sb.Append("- **Started:** ").Append(m.Started.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))
          .Append(" (").Append(Duration(m.Finished - m.Started)).Append(")\n");
        sb.Append("- **Suite:** ").Append(Inline(m.Suite)).Append(' ').Append(Inline(m.SuiteVersion));
        if (m.Commit is not null) sb.Append(" @ ").Append(Code(m.Commit));
        sb.Append("\n\n");

        var c = r.Counts;
        sb.Append("**Cases:** ").Append(c.Total).Append(" total · ").Append(c.Pass).Append(" pass · ").Append(c.Fail).Append(" fail · ")
          .Append(c.NonStrict).Append(" non-strict · ").Append(c.Unimplemented).Append(" unimplemented · ")
          .Append(c.Informational).Append(" informational · ").Append(c.Error).Append(" error · ").Append(c.Timeout).Append(" timeout · ")
          .Append(c.Skipped).Append(" skipped\n\n");
        sb.Append("**Coverage:** ").Append(r.RequirementsCovered).Append(" of ").Append(r.RequirementsTotal)
          .Append(" requirements have a case that ran and checked them\n\n");
        if (r.Specs.Count > 1)
        {
            sb.Append("| Spec | Verdict | Coverage |\n|---|---|---|\n");
            foreach (var s in r.Specs)
                sb.Append("| ").Append(Inline(s.Spec)).Append(" | ").Append(s.Ratified ? "✅ " : "❌ ").Append(Inline(s.Verdict)).Append(" | ")
                  .Append(s.RequirementsCovered).Append(" of ").Append(s.RequirementsTotal).Append(" |\n");
            sb.Append('\n');
        }
        foreach (var note in r.Notes) sb.Append("> **Note:** ").Append(Inline(note)).Append("\n\n");
        if (r.Deviations.Count > 0)
        {
            sb.Append("## Deviations from the baseline\n\n| Case | Expected | Actual |\n|---|---|---|\n");
            foreach (var d in r.Deviations)
                sb.Append("| ").Append(Inline(d.CaseId)).Append(" | ").Append(Inline(d.Expected ?? "(not in the baseline)")).Append(" | ").Append(Inline(d.Actual)).Append(" |\n");
            sb.Append('\n');
        }

        foreach (var group in r.Checklist.GroupBy(i => (i.Spec, i.Role)))
        {
            sb.Append("## Checklist: ").Append(Inline(group.Key.Spec)).Append(" · ").Append(Inline(group.Key.Role)).Append("\n\n");
            sb.Append("| Item | Title | Status |\n|---|---|---|\n");
            foreach (var item in group)
            {
                sb.Append("| ").Append(Inline(item.Item)).Append(" | ").Append(Inline(item.Title)).Append(" | ").Append(Status(item.Status));
                if (item.FailedRequirements.Count > 0) sb.Append(" (failed: ").Append(Inline(string.Join(", ", item.FailedRequirements))).Append(')');
                if (item.UntestedRequirements.Count > 0) sb.Append(" (untested: ").Append(Inline(string.Join(", ", item.UntestedRequirements))).Append(')');
                if (item.BlockedRequirements.Count > 0)
                    sb.Append(" (blocked: ").Append(Inline(string.Join(", ", item.BlockedRequirements.Select(b => $"{b.Requirement} by {string.Join("/", b.BlockedBy)}")))).Append(')');
                sb.Append(" |\n");
            }
            sb.Append('\n');
        }

        var attention = r.Cases.Where(k => k.Outcome is Outcome.Fail or Outcome.NonStrict or Outcome.Timeout or Outcome.Error or Outcome.Flaky).ToList();
        sb.Append("## Failures\n\n");
        if (attention.Count == 0) sb.Append("None.\n");
        foreach (var k in attention)
        {
            sb.Append("### ").Append(Icon(k.Outcome)).Append(' ').Append(Inline(k.Id)).Append(" — ").Append(Inline(k.Title))
              .Append(" (").Append(k.Outcome.Name()).Append(")\n\n");
            sb.Append(Inline(k.Spec)).Append(" · ").Append(Inline(k.Role)).Append(" · ").Append(Inline(k.Section)).Append(" — ")
              .Append(Inline(k.Summary)).Append("\n\n");
            foreach (var check in k.Checks.Where(x => !x.Passed))
            {
                sb.Append("- ").Append(Code(check.Requirement)).Append(" (").Append(check.Level.Name()).Append(check.TimedOut ? ", timed out" : "")
                  .Append("): expected ").Append(Code(Clip(check.Expected))).Append("; actual ").Append(Code(Clip(check.Actual))).Append('\n');
            }
            foreach (var b in k.Blocked)
                sb.Append("- ").Append(Code(b.Requirement)).Append(" (").Append(b.Level.Name()).Append("): not verified (blocked by ").Append(Code(b.BlockedBy)).Append(")\n");
            sb.Append('\n');
        }
        var skipped = r.Cases.Where(k => k.Outcome == Outcome.Skipped).ToList();
        if (skipped.Count > 0)
        {
            sb.Append("\n## Skipped\n\n");
            foreach (var k in skipped) sb.Append("- ").Append(Inline(k.Id)).Append(" — ").Append(Inline(k.Summary)).Append('\n');
        }
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static string Status(ItemStatus s) => s switch
    {
        ItemStatus.Met => "✅ met",
        ItemStatus.NotMet => "❌ not met",
        ItemStatus.NotVerified => "⚠️ not verified",
        ItemStatus.NotApplicable => "— n/a",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    private static string Icon(Outcome o) => o switch
    {
        Outcome.Fail => "❌",
        Outcome.Error => "💥",
        Outcome.Timeout => "⏱️",
        _ => "⚠️",
    };

    private static string Duration(TimeSpan t) =>
        t.TotalSeconds < 60 ? t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
                            : ((int)t.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min " + t.Seconds.ToString(CultureInfo.InvariantCulture) + " s";

    private static string Clip(string s) => s.Length <= MaxDetail ? s : s[..MaxDetail] + "…";

    /// <summary>One line of literal text: data must not become links, emphasis, table cells or raw HTML (GitHub renders some).</summary>
    private static string Inline(string s)
    {
        s = OneLine(s);
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            // Intraword _ and * (snake_case names, 2*n) are literal in GFM; escaping them would only clutter the terminal.
            var intraword = ch is '_' or '*' && i > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1]);
            if (ch is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' && !intraword) sb.Append('\\');
            sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>
    /// A code span: readable verbatim in a terminal, never interpreted by GitHub. The fence is one backtick longer
    /// than the longest run inside; pipes are escaped because GFM splits table cells even inside code spans.
    /// </summary>
    private static string Code(string s)
    {
        s = OneLine(s).Replace("|", "\\|");
        if (s.Length == 0) return "(empty)";
        int longest = 0, run = 0;
        foreach (var ch in s)
        {
            run = ch == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        var fence = new string('`', longest + 1);
        var pad = s.StartsWith('`') || s.EndsWith('`') ? " " : "";
        return fence + pad + s + pad + fence;
    }

    private static string OneLine(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s) sb.Append(char.IsControl(ch) ? ' ' : ch);
        return sb.ToString();
    }
}
