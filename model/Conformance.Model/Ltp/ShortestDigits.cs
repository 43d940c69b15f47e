// The shortest decimal that reads back as a given double, chosen as ECMAScript Number::toString chooses it
// (ECMA-262 §6.1.6.1.20 step 5 with its Note 2, which RFC 8785 §3.2.2.3 relies on): as few digits k as possible;
// among k-digit candidates the one closest to the double; of two equally close, the even one.
//
// Why our own: .NET's "R" is not shortest at power-of-two boundaries (2^-25 gives 2.980232238769531E-08, which
// does not even read back). This is Giulietti's Schubfach ("The Schubfach way to render doubles", 2020): scale the
// double and both ends of its rounding interval by 10^-k once with a 126-bit multiplier, then at most two
// comparisons decide. Two changes from Java's Double.toString, which also uses it: a one-digit result is allowed
// (Java wants at least two, "4.9E-324"; ECMAScript wants "5e-324"), and 128-bit integers instead of 63-bit halves.
using System.Numerics;

namespace Conformance.Model.Ltp;

public static class ShortestDigits
{
    /// <summary>
    /// Digits and exponent of the ECMAScript choice for a finite, non-zero <paramref name="value"/> (the sign is
    /// ignored): |value| reads back from Digits × 10^Exponent, and Digits has no trailing zero.
    /// </summary>
    public static (ulong Digits, int Exponent) Of(double value)
    {
        if (!double.IsFinite(value) || value == 0) throw new ArgumentOutOfRangeException(nameof(value), "finite and non-zero only");
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var fraction = bits & ((1UL << 52) - 1);
        var biased = (int)(bits >> 52) & 0x7FF;
        // |value| = c × 2^q exactly.
        var (c, q) = biased == 0 ? (fraction, MinQ) : (fraction | 1UL << 52, biased - 1075);
        var (f, e) = Decimal(c, q);
        while (f % 10 == 0) { f /= 10; e++; }
        return (f, e);
    }

    private const int MinQ = -1074;
    private const int MinK = -324, MaxK = 292; // floor(log10(2^q)) over every q a double has

    private static (ulong F, int E) Decimal(ulong c, int q)
    {
        // The rounding interval, in units of 2^(q-2): [cbl, cbr] around cb. Its ends are the midpoints to the
        // neighbours, so they read back as c × 2^q only when round-half-even favours c, i.e. when c is even.
        // At c = 2^52 (a power of two, not the smallest normal) the lower neighbour is half as far: the asymmetric case.
        var cb = c << 2;
        var cbr = cb + 2;
        ulong cbl;
        int k; // 10^k <= the interval's width < 10^(k+1): it holds at most one multiple of 10^(k+1)
        if (c != 1UL << 52 || q == MinQ) { cbl = cb - 2; k = FloorLog10Pow2(q); }
        else { cbl = cb - 1; k = FloorLog10ThreeQuartersPow2(q); }
        var open = c & 1; // odd c: the ends are not in the interval, so compare with "<" (x + 1 <= y)

        // vb ≈ 4 × value × 10^-k; vbl, vbr the same for the ends. Round-to-odd keeps "exact or not" in the last bit,
        // so comparing them with multiples of 4 below is exact (the paper's theorem for this g and h).
        var (g, r) = Pow10Table[k - MinK];
        var h = q + r + 127;
        var vb = MultiplyRoundOdd(g, cb << h);
        var vbl = MultiplyRoundOdd(g, cbl << h);
        var vbr = MultiplyRoundOdd(g, cbr << h);

        var s = vb >> 2; // floor(value × 10^-k): 1 digit and up for subnormals, 16 or 17 otherwise
        if (s >= 10) // (a one-digit s has nothing shorter; Java's guard is s >= 100, for its two-digit minimum)
        {
            // One digit fewer: the multiples of 10^(k+1) next to the value. At most one lies in the interval; if one
            // does, it is the only shortest candidate (a still shorter decimal would be it, with trailing zeros).
            var sp10 = s / 10 * 10;
            var tp10 = sp10 + 10;
            var upin = vbl + open <= sp10 << 2;
            var wpin = (tp10 << 2) + open <= vbr;
            if (upin != wpin) return (upin ? sp10 : tp10, k);
        }
        // Full length: s or s + 1 (× 10^k), whichever lies in the interval; if both do, the closer; a tie, the even.
        var t = s + 1;
        var uin = vbl + open <= s << 2;
        var win = (t << 2) + open <= vbr;
        if (uin != win) return (uin ? s : t, k);
        var toMidpoint = (long)vb - (long)((s + t) << 1); // sign of 4 × value × 10^-k − 2(s + t): value vs (s + t)/2
        return (toMidpoint < 0 || (toMidpoint == 0 && (s & 1) == 0) ? s : t, k);
    }

    /// <summary>
    /// floor(g × cp / 2^127), its lowest bit set when the quotient is not exact (round to odd), judged on the top
    /// 128 bits of the 190-bit product only. The bits below are dropped on purpose: g is rounded up, by less than 1,
    /// and cp &lt; 2^60, so an exact quotient shows an excess only there; a real remainder is never that small (the
    /// paper's §9). Java's rop() drops them too.
    /// </summary>
    private static ulong MultiplyRoundOdd(UInt128 g, ulong cp)
    {
        var low = (UInt128)(ulong)g * cp;
        var top = (UInt128)(ulong)(g >> 64) * cp + (low >> 64); // floor(g × cp / 2^64); g < 2^126 keeps it below 2^127
        var quotient = (ulong)(top >> 63);
        var inexact = (top & (((UInt128)1 << 63) - 1)) != 0;
        return quotient | (inexact ? 1UL : 0UL);
    }

    // floor(log10(2^q)) and floor(log10(3/4 × 2^q)) as fixed-point products, exact for |q| <= 5456721 (Schubfach §9);
    // every q of a double is exercised by the tests' powers of two and their neighbours.
    private static int FloorLog10Pow2(int q) => (int)((q * 661_971_961_083L) >> 41);
    private static int FloorLog10ThreeQuartersPow2(int q) => (int)((q * 661_971_961_083L - 274_743_187_321L) >> 41);

    /// <summary>
    /// For every k in [MinK, MaxK], at index k - MinK: 10^-k ≈ g × 2^r with 2^125 <= g < 2^126 and g rounded up,
    /// g = floor(10^-k / 2^r) + 1. Computed once, exactly, rather than shipped as 617 literals.
    /// </summary>
    private static readonly (UInt128 G, int R)[] Pow10Table = BuildPow10Table();

    private static (UInt128 G, int R)[] BuildPow10Table()
    {
        var table = new (UInt128, int)[MaxK - MinK + 1];
        for (var k = MinK; k <= MaxK; k++)
        {
            var m = -k; // the power of ten: 10^m
            var ten = BigInteger.Pow(10, Math.Abs(m));
            // floor(log2(10^m)): 10^|m| is not a power of two for m != 0, so its ceiling log2 is its bit length.
            var log2 = m >= 0 ? (int)ten.GetBitLength() - 1 : -(int)ten.GetBitLength();
            var r = log2 - 125;
            var numerator = (m >= 0 ? ten : BigInteger.One) << Math.Max(-r, 0);
            var denominator = (m >= 0 ? BigInteger.One : ten) << Math.Max(r, 0);
            table[k - MinK] = ((UInt128)(numerator / denominator + 1), r);
        }
        return table;
    }
}
