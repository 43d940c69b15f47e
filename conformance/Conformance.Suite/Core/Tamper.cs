// One-bit damage for cases, traces and vectors: a value that still parses but is no longer the one that was signed or
// hashed. Copies only; the original is left as it was.
namespace Conformance.Suite.Core;

public static class Tamper
{
    /// <summary>A copy of <paramref name="bytes"/> with bit <paramref name="bit"/> flipped (bit 0 is the lowest bit of byte 0).</summary>
    public static byte[] FlipBit(byte[] bytes, int bit = 0)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    /// <summary><paramref name="text"/> (base64 or base64url) with the character <paramref name="at"/> swapped A↔B (anything else becomes A): still decodable, another value.</summary>
    public static string FlipChar(string text, Index at)
    {
        var i = at.GetOffset(text.Length);
        return text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
    }
}
