// RFC 8785 JSON Canonicalization Scheme (JCS).
// §3.2.2: literals as-is, strings with the minimal JSON escapes, numbers in ECMAScript Number::toString form;
// §3.2.3: object members sorted by the UTF-16 code units of their names. I-JSON (RFC 7493) input only:
// no duplicate names, no lone surrogates, no NaN or Infinity.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Conformance.Model.Ltp;

/// <summary>Raised when a value cannot be canonicalised (not I-JSON).</summary>
public sealed class JcsException(string message) : Exception(message);

/// <summary>RFC 8785 canonical JSON serialisation.</summary>
public static class Jcs
{
    private static readonly JsonDocumentOptions StrictParse = new() { AllowDuplicateProperties = false, MaxDepth = 128 };

    /// <summary>Canonical UTF-8 bytes of a JSON text. Throws <see cref="JcsException"/> for input that is not I-JSON.</summary>
    public static byte[] Canonicalize(string json)
    {
        JsonDocument doc;
        // JsonException: not JSON; InvalidOperationException: an escaped lone surrogate in a member name met the
        // duplicate check; ArgumentException: the .NET string itself holds an unpaired surrogate.
        try { doc = JsonDocument.Parse(json, StrictParse); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        { throw new JcsException("not valid I-JSON: " + e.Message); }
        using (doc) return Canonicalize(doc.RootElement);
    }

    /// <summary>Canonical UTF-8 bytes of a parsed JSON value.</summary>
    public static byte[] Canonicalize(JsonElement value)
    {
        var sb = new StringBuilder();
        Write(sb, value, 0);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Throws <see cref="JcsException"/> unless the value is I-JSON (what the seal can sign).</summary>
    public static void EnsureIJson(JsonElement value) => Write(new StringBuilder(), value, 0);

    /// <summary>Canonical form as a string (convenience for traces and vectors).</summary>
    public static string CanonicalString(JsonElement value) => Encoding.UTF8.GetString(Canonicalize(value));

    private static void Write(StringBuilder sb, JsonElement v, int depth)
    {
        if (depth > 128) throw new JcsException("nesting deeper than 128");
        switch (v.ValueKind)
        {
            case JsonValueKind.Null: sb.Append("null"); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            case JsonValueKind.Number:
                // JSON numbers are IEEE 754 doubles in I-JSON; the text form is not preserved.
                if (!v.TryGetDouble(out var d) || !double.IsFinite(d))
                    throw new JcsException("number is not a finite IEEE 754 double: " + v.GetRawText());
                sb.Append(FormatNumber(d));
                break;
            case JsonValueKind.String: WriteString(sb, ReadString(v)); break;
            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in v.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item, depth + 1);
                }
                sb.Append(']');
                break;
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in v.EnumerateObject())
                {
                    var name = ReadName(p);
                    if (!seen.Add(name)) throw new JcsException("duplicate member name: " + name);
                    members.Add((name, p.Value));
                }
                // string.CompareOrdinal compares UTF-16 code units, exactly as RFC 8785 §3.2.3 asks.
                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                sb.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteString(sb, members[i].Name);
                    sb.Append(':');
                    Write(sb, members[i].Value, depth + 1);
                }
                sb.Append('}');
                break;
            default: throw new JcsException("unsupported JSON value kind " + v.ValueKind);
        }
    }

    private static string ReadString(JsonElement v)
    {
        try { return CheckSurrogates(v.GetString()!); }
        catch (InvalidOperationException e) { throw new JcsException("invalid string: " + e.Message); }
    }

    private static string ReadName(JsonProperty p)
    {
        try { return CheckSurrogates(p.Name); }
        catch (InvalidOperationException e) { throw new JcsException("invalid member name: " + e.Message); }
    }

    private static string CheckSurrogates(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) throw new JcsException($"lone surrogate U+{(int)s[i]:X4} at index {i}");
        }
        return s;
    }

    /// <summary>RFC 8785 §3.2.2.2 string serialisation: only ", \, and control characters are escaped.</summary>
    private static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    /// <summary>
    /// ECMAScript Number::toString (ECMA-262 §6.1.6.1.20), as RFC 8785 §3.2.2.3 requires. The digits come from
    /// <see cref="ShortestDigits"/> (not .NET's "R", which is not always shortest); this method does the layout.
    /// </summary>
    public static string FormatNumber(double value)
    {
        if (!double.IsFinite(value)) throw new JcsException("NaN and Infinity have no JSON form");
        if (value == 0) return "0"; // also -0
        // Fast path: an integer below 2^53 is its own answer. Its rounding interval is at most ±1/2 wide, so any
        // decimal with fewer significant digits (an integer other than it) does not read back; and n <= 16 <= 21.
        if (Math.Abs(value) < 9007199254740992.0 && value == Math.Truncate(value))
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        var (significand, exponent) = ShortestDigits.Of(value);
        var digits = significand.ToString(CultureInfo.InvariantCulture);
        // value = s × 10^(n−k) with k digits in s (step 5 of Number::toString); then steps 6 to 10 lay it out.
        var k = digits.Length;
        var n = exponent + k;
        var sb = new StringBuilder(k + 8);
        if (value < 0) sb.Append('-');
        if (k <= n && n <= 21) sb.Append(digits).Append('0', n - k);
        else if (0 < n && n <= 21) sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        else if (-6 < n && n <= 0) sb.Append("0.").Append('0', -n).Append(digits);
        else
        {
            var e10 = n - 1;
            sb.Append(digits[0]);
            if (k > 1) sb.Append('.').Append(digits, 1, k - 1);
            sb.Append('e').Append(e10 < 0 ? '-' : '+').Append(Math.Abs(e10).ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
