// badge.svg: a shields.io-style badge a project can put in its README to show its last conformance run.
// Generated locally (no shields.io call) so it works offline and reflects exactly this run.
using System.Globalization;
using System.Text;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class BadgeWriter
{
    private const string Green = "#2ea44f";
    private const string Red = "#cb2431";

    public static string Write(RunResult r)
    {
        var label = r.Manifest.Specs.Count > 0 ? string.Join(" + ", r.Manifest.Specs) : "conformance";
        var message = r.Ratified ? "ratified" : "not ratified";
        var color = r.Ratified ? Green : Red;
        // No font metrics without a renderer: ~7 px per character of 11 px Verdana is what shields.io-like badges assume.
        int lw = TextWidth(label) + 10, mw = TextWidth(message) + 10, w = lw + mw;
        string W(double x) => x.ToString("0.#", CultureInfo.InvariantCulture);

        var sb = new StringBuilder();
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(w).Append("\" height=\"20\" role=\"img\" aria-label=\"")
          .Append(X(label)).Append(": ").Append(X(message)).Append("\">\n");
        sb.Append("  <title>").Append(X(label)).Append(": ").Append(X(message)).Append("</title>\n");
        sb.Append("  <linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>\n");
        sb.Append("  <clipPath id=\"r\"><rect width=\"").Append(w).Append("\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>\n");
        sb.Append("  <g clip-path=\"url(#r)\">\n");
        sb.Append("    <rect width=\"").Append(lw).Append("\" height=\"20\" fill=\"#555\"/>\n");
        sb.Append("    <rect x=\"").Append(lw).Append("\" width=\"").Append(mw).Append("\" height=\"20\" fill=\"").Append(color).Append("\"/>\n");
        sb.Append("    <rect width=\"").Append(w).Append("\" height=\"20\" fill=\"url(#s)\"/>\n");
        sb.Append("  </g>\n");
        sb.Append("  <g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">\n");
        sb.Append("    <text x=\"").Append(W(lw / 2.0)).Append("\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">").Append(X(label)).Append("</text>\n");
        sb.Append("    <text x=\"").Append(W(lw / 2.0)).Append("\" y=\"14\">").Append(X(label)).Append("</text>\n");
        sb.Append("    <text x=\"").Append(W(lw + mw / 2.0)).Append("\" y=\"15\" fill=\"#010101\" fill-opacity=\".3\">").Append(X(message)).Append("</text>\n");
        sb.Append("    <text x=\"").Append(W(lw + mw / 2.0)).Append("\" y=\"14\">").Append(X(message)).Append("</text>\n");
        sb.Append("  </g>\n</svg>\n");
        return sb.ToString();
    }

    private static int TextWidth(string s) => (int)Math.Ceiling(s.Length * 7.0);

    private static string X(string s) => System.Security.SecurityElement.Escape(s);
}
