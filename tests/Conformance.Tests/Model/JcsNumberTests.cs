// Jcs.FormatNumber against an exact oracle: every power of two and its neighbours, a million random bit patterns, the
// RFC 8785 Appendix B table, and small subnormals. The oracle knows nothing of ShortestDigits: it searches decimals
// with BigInteger arithmetic in the rounding interval taken from the double's neighbours.
using System.Globalization;
using System.Numerics;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class JcsNumberTests
{
    /// <summary>
    /// Exact facts about one positive double x. All values are integers in units of 2^Scale: x itself, and the ends of
    /// its rounding interval, the midpoints to the neighbouring doubles (one past the largest double is 2^1024).
    /// </summary>
    private sealed class Exactly
    {
        private readonly BigInteger x, lo, hi;
        private readonly int scale;
        private readonly bool closed; // the ends read back as x: round-half-even gives a tie to the even significand
        private readonly int e10;     // 10^e10 <= x < 10^(e10+1)

        public Exactly(double value)
        {
            var (m, e) = Parts(value);
            var (ml, el) = Parts(Math.BitDecrement(value)); // 0 below the smallest subnormal: (0, -1074)
            var (mh, eh) = value == double.MaxValue ? (BigInteger.One << 53, 971) : Parts(Math.BitIncrement(value));
            scale = Math.Min(e, Math.Min(el, eh)) - 1;
            x = m << (e - scale);
            lo = (x + (ml << (el - scale))) / 2; // exact: both terms are even
            hi = (x + (mh << (eh - scale))) / 2;
            closed = m.IsEven;
            e10 = (int)Math.Floor(Math.Log10(value));
            while (Compare(1, e10, x) > 0) e10--;
            while (Compare(1, e10 + 1, x) <= 0) e10++;
        }

        /// <summary>A positive double as m × 2^e, straight from its bits.</summary>
        private static (BigInteger M, int E) Parts(double d)
        {
            var bits = BitConverter.DoubleToUInt64Bits(d);
            var fraction = (long)(bits & 0xF_FFFF_FFFF_FFFF);
            var biased = (int)(bits >> 52);
            return biased == 0 ? (fraction, -1074) : (fraction + (1L << 52), biased - 1075);
        }

        /// <summary>Sign of f × 10^p − n × 2^Scale.</summary>
        private int Compare(BigInteger f, int p, BigInteger n)
        {
            var left = f * Pow10(Math.Max(p, 0)) << Math.Max(-scale, 0);
            var right = n * Pow10(Math.Max(-p, 0)) << Math.Max(scale, 0);
            return left.CompareTo(right);
        }

        private bool Inside(BigInteger f, int p) =>
            closed ? Compare(f, p, lo) >= 0 && Compare(f, p, hi) <= 0 : Compare(f, p, lo) > 0 && Compare(f, p, hi) < 0;

        /// <summary>
        /// The k-digit decimal s × 10^p in the interval closest to x, ties to even s, as (digits, exponent) without
        /// trailing zeros; null if no k-digit decimal is in the interval. Only floor and ceiling of x at the k-digit
        /// scale need looking at: any k-digit decimal in the interval has one of them between itself and x (or 10^e10,
        /// a 1-digit decimal, when it lies below 10^e10), and of all of them those two are the closest to x.
        /// </summary>
        public (BigInteger Digits, int Exponent)? Closest(int k)
        {
            var p = e10 - k + 1;
            var f = (x * Pow10(Math.Max(-p, 0)) << Math.Max(scale, 0)) / (Pow10(Math.Max(p, 0)) << Math.Max(-scale, 0));
            var down = Inside(f, p);
            var up = Inside(f + 1, p);
            if (!down && !up) return null;
            BigInteger s;
            if (down != up) s = down ? f : f + 1;
            else
            {
                // Both in: compare x with their midpoint (2f + 1)/2 × 10^p, i.e. 2x with (2f + 1) × 10^p.
                var c = Compare(2 * f + 1, p, 2 * x);
                // Of f + 1 = 10^k, ECMAScript's k-digit s is 10^(k-1): odd only for k = 1, where f = 9 is odd too.
                var upEven = f + 1 == Pow10(k) ? k > 1 : (f + 1).IsEven;
                s = c > 0 ? f : c < 0 ? f + 1 : upEven ? f + 1 : f;
            }
            var exponent = p;
            while (!s.IsZero && (s % 10).IsZero) { s /= 10; exponent++; }
            return (s, exponent);
        }

        /// <summary>The ECMAScript choice by plain search: the first k from 1 up that has a candidate.</summary>
        public (BigInteger Digits, int Exponent) Shortest()
        {
            for (var k = 1; k <= 17; k++)
                if (Closest(k) is { } found) return found;
            throw new InvalidOperationException("no decimal of 17 digits or fewer reads back (cannot happen for a double)");
        }
    }

    private static readonly BigInteger[] Powers = Enumerable.Range(0, 700).Select(i => BigInteger.Pow(10, i)).ToArray();
    private static BigInteger Pow10(int n) => Powers[n];

    /// <summary>Digits (no leading or trailing zeros) and exponent of a FormatNumber result, read from the text alone.</summary>
    private static (BigInteger Digits, int Exponent) Read(string s)
    {
        if (s[0] == '-') s = s[1..];
        var exponent = 0;
        var e = s.IndexOf('e');
        if (e >= 0) { exponent = int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture); s = s[..e]; }
        var point = s.IndexOf('.');
        if (point >= 0) { exponent -= s.Length - point - 1; s = s.Remove(point, 1); }
        var digits = BigInteger.Parse(s, CultureInfo.InvariantCulture);
        while (!digits.IsZero && (digits % 10).IsZero) { digits /= 10; exponent++; }
        return (digits, exponent);
    }

    private static string Show(double d) =>
        $"{BitConverter.DoubleToUInt64Bits(d):x16} ({d.ToString("E17", CultureInfo.InvariantCulture)})";

    /// <summary>Null when FormatNumber(d) reads back as d and is the oracle's choice; otherwise what is wrong.</summary>
    private static string? Check(double d, bool plainSearch)
    {
        var text = Jcs.FormatNumber(d);
        if (double.Parse(text, CultureInfo.InvariantCulture) != d) return $"{Show(d)}: {text} does not read back";
        var got = Read(text);
        var oracle = new Exactly(Math.Abs(d));
        if (plainSearch)
        {
            var want = oracle.Shortest();
            return got == want ? null : $"{Show(d)}: {text}, the oracle has {want.Digits}e{want.Exponent}";
        }
        // Same verdict, less work: no (k-1)-digit decimal is in the interval, and got is the closest k-digit one.
        // Enough, since a decimal of j < k - 1 digits in the interval is also one of k - 1 digits (trailing zeros).
        var k = got.Digits.ToString(CultureInfo.InvariantCulture).Length;
        if (k > 1 && oracle.Closest(k - 1) is { } shorter) return $"{Show(d)}: {text}, but {shorter.Digits}e{shorter.Exponent} is shorter";
        var closest = oracle.Closest(k);
        return closest == got ? null : $"{Show(d)}: {text}, the closest {k}-digit decimal is {closest?.Digits}e{closest?.Exponent}";
    }

    /// <summary>Checks every value and fails once, listing the first few failures and how many there were.</summary>
    private static void CheckAll(IEnumerable<double> values, bool plainSearch, string what)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var d in values)
        {
            count++;
            if (Check(d, plainSearch) is { } failure) failures.Add(failure);
        }
        Expect.isTrue(failures.Count == 0, $"{what}: {failures.Count} of {count} wrong, first: {string.Join("; ", failures.Take(5))}");
    }

    private static IEnumerable<double> PowersOfTwoAndNeighbours()
    {
        for (var e = -1074; e <= 1023; e++)
        {
            var p = Math.ScaleB(1.0, e);
            foreach (var d in new[] { Math.BitDecrement(p), p, Math.BitIncrement(p) })
                if (d != 0) { yield return d; yield return -d; }
        }
    }

    private static double FromBits(string hex) =>
        BitConverter.Int64BitsToDouble(unchecked((long)ulong.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    public static Test Tests() => TestList("model.jcs.shortest", new Test[]
    {
        TestCase("2^-25 and 2^-958: shortest where .NET's \"R\" is not", () =>
        {
            Expect.equal(Jcs.FormatNumber(Math.ScaleB(1.0, -25)), "2.9802322387695312e-8", "2^-25");
            Expect.equal(Jcs.FormatNumber(Math.ScaleB(1.0, -958)), "4.1045368012983762e-289", "2^-958");
            Expect.equal(Jcs.FormatNumber(-Math.ScaleB(1.0, -25)), "-2.9802322387695312e-8", "-2^-25");
        }),

        TestCase("every power of two 2^-1074 … 2^1023 and both neighbours, ±: reads back, shortest, closest (plain search)", () =>
        {
            var values = PowersOfTwoAndNeighbours().ToList();
            Expect.equal(values.Count, 2 * (3 * 2098 - 1), "2098 powers, 3 values each but the zero below 2^-1074, both signs");
            CheckAll(values, plainSearch: true, "powers of two");
        }),

        TestCase("the first 20000 subnormals and the smallest normals: one- to few-digit results", () =>
            CheckAll(Enumerable.Range(1, 20000).SelectMany(i => new[]
            {
                BitConverter.UInt64BitsToDouble((ulong)i),
                BitConverter.UInt64BitsToDouble(0x0010_0000_0000_0000UL + (ulong)i - 1),
            }), plainSearch: true, "small subnormals")),

        TestCase("10^6 random bit patterns (seed 8785, finite): reads back, no shorter decimal, the closest", () =>
        {
            var rng = new Random(8785);
            var buffer = new byte[8];
            CheckAll(Random(), plainSearch: false, "random doubles");

            IEnumerable<double> Random()
            {
                for (var produced = 0; produced < 1_000_000;)
                {
                    rng.NextBytes(buffer);
                    var d = BitConverter.ToDouble(buffer);
                    if (!double.IsFinite(d) || d == 0) continue;
                    produced++;
                    yield return d;
                }
            }
        }),

        TestCase("the oracle reproduces the RFC 8785 Appendix B table (a check of the oracle itself)", () =>
        {
            foreach (var (bits, expected) in JcsTests.AppendixB)
            {
                var d = FromBits(bits);
                if (d != 0) Expect.equal(new Exactly(Math.Abs(d)).Shortest(), Read(expected), $"oracle for {bits}");
            }
        }),
    });
}
