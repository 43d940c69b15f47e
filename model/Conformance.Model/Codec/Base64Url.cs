// RFC 4648 §5 base64url without padding, as JWS (RFC 7515 §2) uses it.
namespace Conformance.Model.Codec;

public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes unpadded base64url; returns false for anything else (padding, other alphabets, bad length).</summary>
    public static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        foreach (var c in text)
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_')) return false;
        try { data = System.Buffers.Text.Base64Url.DecodeFromChars(text); return true; }
        catch (FormatException) { return false; }
    }
}
