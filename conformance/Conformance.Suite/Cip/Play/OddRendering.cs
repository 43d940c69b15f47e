// Re-renders a JSON text without changing its value: members in reverse order, spaces and newlines, the first
// character of every string escaped as \uXXXX, and whole numbers written as "N.0" or "Ne0". JCS erases all of it,
// so a signature over the JCS form must still verify.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Conformance.Suite.Cip.Play;

public static class OddRendering
{
    public static string Of(string json)
    {
        var sb = new StringBuilder();
        Write(JsonNode.Parse(json), sb);
        return sb.ToString();
    }

    private static void Write(JsonNode? n, StringBuilder sb)
    {
        switch (n)
        {
            case JsonObject o:
                sb.Append("{ ");
                var members = o.Reverse().ToArray();
                for (var i = 0; i < members.Length; i++)
                {
                    if (i > 0) sb.Append(" ,\n  ");
                    String(members[i].Key, sb);
                    sb.Append(" : ");
                    Write(members[i].Value, sb);
                }
                sb.Append(" }");
                break;
            case JsonArray a:
                sb.Append("[ ");
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(" , ");
                    Write(a[i], sb);
                }
                sb.Append(" ]");
                break;
            case JsonValue v when v.TryGetValue<string>(out var s): String(s, sb); break;
            case JsonValue v when v.TryGetValue<bool>(out var b): sb.Append(b ? "true" : "false"); break;
            case JsonValue v when v.TryGetValue<double>(out var d):
                sb.Append(d == Math.Floor(d) && Math.Abs(d) < 1e15 ? (d >= 10 ? (d / 10).ToString(CultureInfo.InvariantCulture) + "E1" : d.ToString(CultureInfo.InvariantCulture) + ".0")
                    : d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case null: sb.Append("null"); break;
            default: sb.Append(n.ToJsonString()); break;
        }
    }

    private static void String(string s, StringBuilder sb)
    {
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (i == 0 || c < 0x20 || c == '"' || c == '\\') sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        sb.Append('"');
    }
}
