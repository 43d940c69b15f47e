// vectors/ltp/jcs.json: RFC 8785 canonicalisation. Input is JSON text; a valid test's expected output is the
// canonical text (and its UTF-8 as hex); an invalid one must be refused (not I-JSON). Numbers are the bulk: hand-picked
// ECMAScript Number::toString edge cases, then seeded random doubles across every exponent.
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Ltp;

namespace Conformance.Suite.Vectors.Ltp;

public sealed partial class JcsVectors : IVectorTopic
{
    public string Spec => "ltp";
    public string Topic => "jcs";

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "jcs.schema.json", seed,
            "RFC 8785 JSON Canonicalization Scheme, as LTP signatures (LHS seal, CIP sign, Shard header) use it.",
            "input: JSON text (UTF-8). valid: canonicalise it to exactly `expected` (UTF-8 bytes `expectedHex`). invalid: refuse it.",
            "Numbers are IEEE 754 doubles written in ECMAScript Number::toString form; object members sorted by UTF-16 code units.")
            .Note("NumberFormat", VectorBugType.Canonicalization, "Number serialisation: ECMAScript Number::toString (RFC 8785 §3.2.2.3): shortest round-trip digits, exponent from 1e21 and below 1e-6.", "output exactly the expected canonical text", "RFC 8785 §3.2.2.3")
            .Note("RandomDouble", VectorBugType.Generated, "A seeded random finite double (any exponent), written in the input with 17 significant digits.", "output exactly the expected canonical text", "RFC 8785 §3.2.2.3")
            .Note("NegativeZero", VectorBugType.EdgeCase, "-0 serialises as 0.", "output exactly the expected canonical text", "RFC 8785 §3.2.2.3")
            .Note("StringEscape", VectorBugType.Canonicalization, "Strings: only \\\", \\\\, \\b, \\f, \\n, \\r, \\t and \\u00xx (lowercase hex) for other controls; everything else literal, '/' included.", "output exactly the expected canonical text", "RFC 8785 §3.2.2.2")
            .Note("Unicode", VectorBugType.Canonicalization, "Non-ASCII characters are written as UTF-8, never escaped; escaped input is unescaped.", "output exactly the expected canonical text", "RFC 8785 §3.2.2.2")
            .Note("Astral", VectorBugType.EdgeCase, "Characters outside the BMP (surrogate pairs in UTF-16).", "output exactly the expected canonical text", "RFC 8785 §3.2.3")
            .Note("KeyOrder", VectorBugType.Canonicalization, "Object members sorted by the UTF-16 code units of their names (not code points, not UTF-8 bytes).", "output exactly the expected canonical text", "RFC 8785 §3.2.3")
            .Note("Whitespace", VectorBugType.Canonicalization, "Insignificant whitespace removed.", "output exactly the expected canonical text", "RFC 8785 §3.2.1")
            .Note("Nesting", VectorBugType.Canonicalization, "Arrays keep their order; nested objects are sorted too.", "output exactly the expected canonical text", "RFC 8785 §3.2.3")
            .Note("LoneSurrogate", VectorBugType.Malformed, "A string or name with an unpaired surrogate: not I-JSON.", "refuse", "RFC 8785 §3.1", "RFC 7493")
            .Note("DuplicateName", VectorBugType.Malformed, "An object with two members of the same name: not I-JSON.", "refuse", "RFC 8785 §3.1", "RFC 7493 §2.3")
            .Note("NotFinite", VectorBugType.Malformed, "A number outside the double range (it would be Infinity): not I-JSON.", "refuse", "RFC 8785 §3.1", "RFC 7493")
            .Note("MalformedJson", VectorBugType.Malformed, "Not JSON at all.", "refuse");

        b.Group("JcsNumbers");
        foreach (var (text, comment) in Numbers) Add(b, text, comment, "NumberFormat");
        Add(b, "-0", "negative zero", "NumberFormat", "NegativeZero");
        Add(b, "[-0.0, 0.0, -0e10]", "zeros of both signs", "NumberFormat", "NegativeZero");
        var rng = new SeededBits(seed, "jcs-doubles");
        for (var i = 0; i < 240; i++)
        {
            double d;
            do d = BitConverter.Int64BitsToDouble((long)rng.Next()); while (!double.IsFinite(d));
            Add(b, d.ToString("E16", CultureInfo.InvariantCulture), $"random double 0x{BitConverter.DoubleToInt64Bits(d):x16}", "NumberFormat", "RandomDouble");
        }

        b.Group("JcsStrings");
        Add(b, "\"\\u0000\\u0001\\u001f\"", "low controls as \\u00xx", "StringEscape");
        Add(b, "\"\\b\\f\\n\\r\\t\"", "the five short escapes", "StringEscape");
        Add(b, "\"\\\"\\\\\"", "quote and backslash", "StringEscape");
        Add(b, "\"\\/ and /\"", "solidus is never escaped", "StringEscape");
        Add(b, "\"\\u007f\\u0080\"", "DEL and U+0080 stay literal", "StringEscape", "Unicode");
        Add(b, "\"\\u2028\\u2029\"", "line and paragraph separators stay literal", "StringEscape", "Unicode");
        Add(b, "\"\\u20ac\"", "escaped euro sign becomes UTF-8", "Unicode");
        Add(b, "\"€ö日本\"", "literal non-ASCII", "Unicode");
        Add(b, "\"\\ud83d\\ude00\"", "escaped surrogate pair becomes one 4-byte UTF-8 character", "Unicode", "Astral");
        Add(b, "\"😀𝄞\"", "literal astral characters", "Unicode", "Astral");
        for (var c = 0; c < 0x20; c++) Add(b, $"\"\\u{c:x4}x\"", $"control U+{c:X4}", "StringEscape");

        b.Group("JcsObjects");
        Add(b, "{\"\\u20ac\": \"Euro Sign\", \"\\r\": \"Carriage Return\", \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\", \"1\": \"One\", "
            + "\"\\ud83d\\ude00\": \"Emoji: Grinning Face\", \"\\u0080\": \"Control\", \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"}",
            "RFC 8785 §3.2.3 sorting example", "KeyOrder", "Unicode", "Astral");
        Add(b, "{\"b\": 1, \"a\": 2, \"A\": 3, \"aa\": 4, \"\": 5}", "ASCII order, empty name first", "KeyOrder");
        Add(b, "{\"\\ufffd\": 1, \"\\ud800\\udc00\": 2}", "U+10000 (D800 DC00) sorts before U+FFFD by code unit, after it by code point", "KeyOrder", "Astral");
        Add(b, "{\"z\": {\"b\": [3, 2, {\"d\": 1, \"c\": 0}], \"a\": null}, \"y\": [true, false]}", "nested objects sorted, arrays kept", "KeyOrder", "Nesting");
        Add(b, " \n\t{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } } \n", "whitespace everywhere", "Whitespace");
        Add(b, "[[], {}, [[]], [{}], \"\", 0]", "empty containers", "Nesting");
        Add(b, "{\"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\", \"literals\": [null, true, false]}",
            "RFC 8785 §3.2.4 example input", "NumberFormat", "StringEscape", "Nesting");
        var keys = new SeededBits(seed, "jcs-keys");
        for (var i = 0; i < 40; i++)
        {
            var names = Enumerable.Range(0, 6).Select(_ => RandomName(keys)).Distinct().ToArray();
            var obj = "{" + string.Join(", ", names.Select((n, k) => $"{Quote(n)}: {k}")) + "}";
            Add(b, obj, $"seeded random names (ASCII, Latin-1, BMP, astral) #{i + 1}", "KeyOrder", "Unicode", "Astral");
        }

        b.Group("JcsInvalid");
        Add(b, "\"\\ud800\"", "lone high surrogate", "LoneSurrogate");
        Add(b, "\"\\udc00\"", "lone low surrogate", "LoneSurrogate");
        Add(b, "\"a\\ud800b\"", "high surrogate between letters", "LoneSurrogate");
        Add(b, "\"\\ude00\\ud83d\"", "surrogates in the wrong order", "LoneSurrogate");
        Add(b, "{\"\\udfff\": 1}", "lone surrogate in a member name", "LoneSurrogate");
        Add(b, "{\"a\": 1, \"a\": 2}", "duplicate names", "DuplicateName");
        Add(b, "{\"a\": {\"x\": 1, \"x\": 1}}", "duplicate names, nested, same value", "DuplicateName");
        Add(b, "{\"\\u0061\": 1, \"a\": 2}", "duplicate names, one escaped", "DuplicateName");
        Add(b, "1e400", "overflows to Infinity", "NotFinite");
        Add(b, "[-1e309]", "overflows to -Infinity", "NotFinite");
        Add(b, "{\"a\": 1,}", "trailing comma", "MalformedJson");
        Add(b, "{'a': 1}", "single quotes", "MalformedJson");
        Add(b, "NaN", "NaN literal", "MalformedJson");
        Add(b, "[1, 2", "unterminated array", "MalformedJson");
        Add(b, "01", "leading zero", "MalformedJson");
        return b.Build();
    }

    /// <summary>Edge cases of ECMAScript Number::toString, written as the input text.</summary>
    private static readonly (string Text, string Comment)[] Numbers =
    [
        ("0", "zero"), ("1", "one"), ("-1", "minus one"), ("1.0", "trailing .0 dropped"), ("1.5e0", "exponent 0"),
        ("10", "ten"), ("100", "hundred"), ("1e1", "1e1 → 10"), ("123456789", "integer"), ("-123456789", "negative integer"),
        ("9007199254740991", "2^53 - 1"), ("9007199254740992", "2^53"), ("9007199254740993", "2^53 + 1 rounds to 2^53"),
        ("18446744073709551616", "2^64"), ("1e20", "1e20 written in full"), ("1e21", "1e21 switches to exponent form"),
        ("999999999999999900000", "largest below 1e21 written in full"), ("999999999999999999999", "rounds to 1e21"),
        ("1e22", "1e22"), ("1.7976931348623157e308", "largest double"), ("-1.7976931348623157e308", "most negative double"),
        ("5e-324", "smallest subnormal"), ("2.2250738585072014e-308", "smallest normal"), ("2.225073858507201e-308", "largest subnormal"),
        ("0.000001", "1e-6 written in full"), ("0.0000001", "1e-7 switches to exponent form"), ("1e-7", "1e-7"),
        ("0.00001", "1e-5"), ("0.000015", "1.5e-5 stays decimal"), ("1.5e-7", "1.5e-7"),
        ("0.1", "0.1"), ("0.2", "0.2"), ("0.3", "0.3"), ("0.30000000000000004", "0.1 + 0.2"), ("0.3333333333333333", "1/3"),
        ("333333333.33333329", "RFC 8785 example"), ("1E30", "capital E"), ("4.50", "trailing zero"), ("2e-3", "2e-3 → 0.002"),
        ("0.000000000000000000000000001", "1e-27"), ("1e+21", "explicit plus"), ("123e-20", "1.23e-18"), ("1.2345678901234567e-7", "17 digits small"),
        ("295147905179352830000", "2^68"), ("4.35", "4.35"), ("0.5", "half"), ("-0.5", "minus half"), ("1e-323", "subnormal"),
        ("1.0000000000000002", "1 + ulp"), ("0.9999999999999999", "1 - ulp/2"), ("100000000000000000000", "1e20 in full"),
        ("12345678901234567890", "more digits than a double holds"), ("1.2e+100", "1.2e100"), ("-1.2e-100", "negative small"),
    ];

    private static void Add(VectorFileBuilder b, string input, string comment, params string[] flags)
    {
        JsonObject fields;
        VectorResult result;
        try
        {
            var canonical = Jcs.Canonicalize(input);
            fields = new JsonObject { ["input"] = input, ["expected"] = Encoding.UTF8.GetString(canonical), ["expectedHex"] = VectorJson.Hex(canonical) };
            result = VectorResult.Valid;
        }
        catch (JcsException e)
        {
            fields = new JsonObject { ["input"] = input, ["reason"] = e.Message.Split('\n')[0] };
            result = VectorResult.Invalid;
        }
        b.Test(comment, result, fields, flags);
    }

    private static string RandomName(SeededBits r)
    {
        var sb = new StringBuilder();
        var length = 1 + (int)(r.Next() % 4);
        for (var i = 0; i < length; i++)
        {
            var pick = r.Next() % 4;
            var cp = pick switch
            {
                0 => 0x20 + (int)(r.Next() % 0x5f),
                1 => 0xa0 + (int)(r.Next() % 0x60),
                2 => 0xe000 + (int)(r.Next() % 0x1ff0),
                _ => 0x10000 + (int)(r.Next() % 0x1000),
            };
            sb.Append(char.ConvertFromUtf32(cp));
        }
        return sb.ToString();
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var ch in s)
        {
            if (ch is '"' or '\\') sb.Append('\\');
            sb.Append(ch);
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>A reproducible stream of 64-bit values: SHA-256(seed ‖ stream ‖ counter), the same everywhere.</summary>
public sealed class SeededBits(ulong seed, string stream)
{
    private ulong _counter;

    public ulong Next()
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes($"vectors:{seed}:{stream}:{_counter++}"));
        return BinaryPrimitives.ReadUInt64BigEndian(h);
    }

    public byte[] Bytes(int n)
    {
        var result = new byte[n];
        for (var i = 0; i < n; i += 8)
        {
            var v = BitConverter.GetBytes(Next());
            Array.Copy(v, 0, result, i, Math.Min(8, n - i));
        }
        return result;
    }
}
