// RFC 8785 (JCS) conformance of Jcs: the Appendix B number table as IEEE 754 bit patterns, further ECMAScript
// Number::toString edge cases, the §3.2.2 and §3.2.3 examples byte for byte, string escaping, I-JSON rejections, and
// a round-trip property over random doubles.
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class JcsTests
{
    /// <summary>RFC 8785 Appendix B: IEEE 754 bit pattern → ECMAScript string.</summary>
    internal static readonly (string Bits, string Expected)[] AppendixB =
    [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ];

    /// <summary>Further ECMAScript Number::toString cases: the decimal/exponent boundaries at 1e21 and 1e-7.</summary>
    private static readonly (double Value, string Expected)[] EcmaScript =
    [
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (0.000001, "0.000001"),
        (0.000015, "0.000015"),
        (123.456, "123.456"),
        (-0.0, "0"),
        (4.5, "4.5"),
        (2e-3, "0.002"),
        (1e30, "1e+30"),
        (1.2345e21, "1.2345e+21"),
        (123e18, "123000000000000000000"),
        (5e-324, "5e-324"),
        (-1.5, "-1.5"),
        (100, "100"),
        (0.1, "0.1"),
    ];

    private static double FromBits(string hex) =>
        BitConverter.Int64BitsToDouble(unchecked((long)ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    private static string Canon(string json) => Encoding.UTF8.GetString(Jcs.Canonicalize(json));

    /// <summary>Asserts the exact canonical bytes (compared as hex so a failure shows where they differ).</summary>
    private static void CanonicalBytes(string json, string expected, string message) =>
        Expect.equal(Convert.ToHexString(Jcs.Canonicalize(json)), Convert.ToHexString(Encoding.UTF8.GetBytes(expected)), message);

    /// <summary>Expects <typeparamref name="T"/> exactly (not a base or another exception type).</summary>
    private static void Throws<T>(Action action, string message) where T : Exception
    {
        Exception? caught = null;
        try { action(); }
        catch (Exception e) { caught = e; }
        Expect.isTrue(caught is T, $"{message}: expected {typeof(T).Name}, got {(caught is null ? "no exception" : caught.GetType().Name + ": " + caught.Message)}");
    }

    // An ECMAScript Number::toString result: decimal without exponent, or one leading digit then "e±n".
    private static readonly Regex EcmaNumber = new(@"^-?((0|[1-9][0-9]*)(\.[0-9]*[1-9])?|[1-9](\.[0-9]*[1-9])?e[+-][1-9][0-9]*)$");

    public static Test Tests() => TestList("model.jcs", new Test[]
    {
        TestList("appendix B numbers", AppendixB.Select(row => TestCase(row.Bits + " -> " + row.Expected, () =>
            Expect.equal(Jcs.FormatNumber(FromBits(row.Bits)), row.Expected, $"FormatNumber of bit pattern {row.Bits}"))).ToArray()),

        TestCase("appendix B: NaN and Infinity throw", () =>
        {
            Throws<JcsException>(() => Jcs.FormatNumber(FromBits("7fffffffffffffff")), "NaN");
            Throws<JcsException>(() => Jcs.FormatNumber(FromBits("7ff0000000000000")), "Infinity");
            Throws<JcsException>(() => Jcs.FormatNumber(double.NegativeInfinity), "-Infinity");
        }),

        TestList("ecmascript number edge cases", EcmaScript.Select(row => TestCase(row.Expected, () =>
            Expect.equal(Jcs.FormatNumber(row.Value), row.Expected, $"FormatNumber({row.Value.ToString("R", CultureInfo.InvariantCulture)})"))).ToArray()),

        TestCase("numbers in JSON text are re-serialised, not copied", () =>
            Expect.equal(Canon("[1E30, 4.50, 2e-3, -0, 1e-7, 100.0, 0.000000000000000000000000001]"), "[1e+30,4.5,0.002,0,1e-7,100,1e-27]",
                "number literals become their ECMAScript form")),

        TestCase("RFC 8785 §3.2.2 example", () =>
        {
            const string input = """
                {
                  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                  "literals": [null, true, false]
                }
                """;
            const string expected = """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""";
            CanonicalBytes(input, expected, "canonical form of the §3.2.2 example");
            // The euro sign is literal UTF-8 (E2 82 AC), not an escape.
            Expect.isTrue(Convert.ToHexString(Jcs.Canonicalize(input)).Contains("E282AC24", StringComparison.Ordinal), "€$ as UTF-8 bytes");
        }),

        TestCase("RFC 8785 §3.2.3 sorting example (UTF-16 code units)", () =>
        {
            const string input = """
                {
                  "\u20ac": "Euro Sign",
                  "\r": "Carriage Return",
                  "\ufb33": "Hebrew Letter Dalet With Dagesh",
                  "1": "One",
                  "\ud83d\ude00": "Emoji: Grinning Face",
                  "\u0080": "Control",
                  "\u00f6": "Latin Small Letter O With Diaeresis"
                }
                """;
            // \r sorts first and stays escaped; U+1F600 (D83D DE00) sorts BEFORE U+FB33 by code unit, though not by code point.
            var expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
                + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}";
            CanonicalBytes(input, expected, "canonical form of the §3.2.3 example");
        }),

        TestCase("nested objects sorted recursively, arrays keep their order, whitespace removed", () =>
            Expect.equal(
                Canon("""
                    { "b" : [ 3 , { "z" : 1 , "a" : { "y" : null , "x" : true } } , 1 ] ,
                      "a" : { "d" : "" , "c" : [ ] , "aa" : { } } }
                    """),
                """{"a":{"aa":{},"c":[],"d":""},"b":[3,{"a":{"x":true,"y":null},"z":1},1]}""",
                "recursive member sort")),

        TestCase("sorting is by code unit, not by length or culture", () =>
            Expect.equal(Canon("""{"b":1,"aa":2,"a":3,"B":4,"_":5,"a\u0000":6}"""), """{"B":4,"_":5,"a":3,"a\u0000":6,"aa":2,"b":1}""",
                "ordinal order: B < _ < a < a\\u0000 < aa < b")),

        TestCase("string escapes", () =>
        {
            // Every C0 control character: the five short escapes, the rest as lowercase \u00xx.
            var controls = string.Concat(Enumerable.Range(0, 0x20).Select(i => $"\\u{i:X4}"));
            var expectedControls = string.Concat(Enumerable.Range(0, 0x20).Select(i => i switch
            {
                0x08 => "\\b",
                0x09 => "\\t",
                0x0A => "\\n",
                0x0C => "\\f",
                0x0D => "\\r",
                _ => $"\\u{i:x4}",
            }));
            Expect.equal(Canon($"\"{controls}\""), $"\"{expectedControls}\"", "C0 controls");
            Expect.equal(Canon("\"\\/ \\\" \\\\ \\u007f\""), "\"/ \\\" \\\\ \u007f\"", "solidus unescaped, quote and backslash escaped, DEL literal");
            CanonicalBytes("\"\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"é中😀\"", "non-ASCII as literal UTF-8");
            Expect.equal(Convert.ToHexString(Jcs.Canonicalize("\"\\u00e9\"")), "22C3A922", "é is C3 A9");
        }),

        TestCase("literals and scalars at the top level", () =>
        {
            Expect.equal(Canon(" null "), "null", "null");
            Expect.equal(Canon("true"), "true", "true");
            Expect.equal(Canon("\t[false]\n"), "[false]", "array");
            Expect.equal(Canon("  42.0 "), "42", "number");
        }),

        TestList("not I-JSON: JcsException", new Test[]
        {
            TestCase("duplicate member names", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"a":1,"a":2}"""), "duplicate")),
            TestCase("duplicate member names, nested", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"o":{"a":1,"b":0,"a":2}}"""), "nested duplicate")),
            TestCase("duplicate member names spelled differently", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"a":1,"\u0061":2}"""), "escaped duplicate")),
            TestCase("lone high surrogate in a value", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"a":"\uD800"}"""), "\\uD800 value")),
            TestCase("lone low surrogate in a value", () => Throws<JcsException>(() => Jcs.Canonicalize("""["x\uDC00y"]"""), "\\uDC00 value")),
            TestCase("reversed surrogate pair in a value", () => Throws<JcsException>(() => Jcs.Canonicalize("""["\uDE00\uD83D"]"""), "reversed pair")),
            TestCase("lone surrogate in a key", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"\uD800":1}"""), "\\uD800 key")),
            TestCase("unpaired surrogate in the UTF-16 input itself", () => Throws<JcsException>(() => Jcs.Canonicalize("[\"a\uD800\"]"), "raw U+D800")),
            TestCase("1e400 is not finite", () => Throws<JcsException>(() => Jcs.Canonicalize("[1e400]"), "1e400")),
            TestCase("-1e400 is not finite", () => Throws<JcsException>(() => Jcs.Canonicalize("""{"n":-1e400}"""), "-1e400")),
            TestCase("not JSON", () => Throws<JcsException>(() => Jcs.Canonicalize("{\"a\":1,}"), "trailing comma")),
            TestCase("trailing content", () => Throws<JcsException>(() => Jcs.Canonicalize("{} {}"), "two values")),
        }),

        TestCase("property: FormatNumber round-trips and has ECMAScript shape (2000 random doubles)", () =>
        {
            var rng = new Random(42);
            var buffer = new byte[8];
            var tested = 0;
            var decimalForms = 0;
            while (tested < 2000)
            {
                double d;
                if (tested % 2 == 0)
                {
                    rng.NextBytes(buffer);
                    d = BitConverter.ToDouble(buffer);
                }
                else
                {
                    // Every other sample from a human range, so the decimal layouts are exercised too.
                    d = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-9, 24));
                }
                if (!double.IsFinite(d)) continue;
                tested++;
                var s = Jcs.FormatNumber(d);
                Expect.equal(double.Parse(s, CultureInfo.InvariantCulture), d == 0 ? 0.0 : d, $"round trip of {s}");
                Expect.isFalse(s.Contains('E'), $"no uppercase E in {s}");
                var plus = s.IndexOf('+');
                Expect.isTrue(plus < 0 || (plus > 0 && s[plus - 1] == 'e'), $"'+' only right after 'e' in {s}");
                Expect.isTrue(EcmaNumber.IsMatch(s), $"ECMAScript number shape: {s}");
                // ECMAScript uses exponent notation exactly when |d| >= 1e21 or |d| < 1e-6.
                var abs = Math.Abs(d);
                var exponential = abs != 0 && (abs >= 1e21 || abs < 1e-6);
                Expect.equal(s.Contains('e'), exponential, $"exponent notation iff |d| >= 1e21 or |d| < 1e-6: {s}");
                if (!exponential) decimalForms++;
            }
            Expect.isTrue(decimalForms > 500, $"the sample exercised the decimal layouts ({decimalForms})");
        }),
    });
}
