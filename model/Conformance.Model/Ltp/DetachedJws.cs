// Detached-content JWS (RFC 7515 Appendix F) in compact form with alg EdDSA (RFC 8037):
//   BASE64URL(header) + ".." + BASE64URL(Ed25519(ASCII(BASE64URL(header) + "." + BASE64URL(payload))))
// The payload travels separately: both sides rebuild it, so a signature over other bytes cannot verify.
using System.Text;
using System.Text.Json;
using Conformance.Model.Codec;

namespace Conformance.Model.Ltp;

public static class DetachedJws
{
    /// <summary>The protected header this project emits: JCS of {"alg":"EdDSA"}.</summary>
    public const string HeaderJson = "{\"alg\":\"EdDSA\"}";

    public static string Sign(Ed25519Signer key, ReadOnlySpan<byte> payload)
    {
        var header = Base64Url.Encode(Encoding.ASCII.GetBytes(HeaderJson));
        var sig = key.Sign(SigningInput(header, payload));
        return header + ".." + Base64Url.Encode(sig);
    }

    /// <summary>Why a detached JWS did not verify; <see cref="Ok"/> when it did.</summary>
    public enum Result { Ok, Malformed, UnsupportedHeader, BadSignature }

    /// <summary>Verifies a compact detached JWS. Any protected header is accepted if its alg is EdDSA and it
    /// carries no "crit" or "b64" member (RFC 7797 would change the signing input).</summary>
    public static Result Verify(string jws, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> publicKey)
    {
        var parts = jws.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0) return Result.Malformed;
        if (!Base64Url.TryDecode(parts[0], out var headerBytes) || !Base64Url.TryDecode(parts[2], out var sig))
            return Result.Malformed;
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            var h = header.RootElement;
            if (h.ValueKind != JsonValueKind.Object) return Result.Malformed;
            if (!h.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "EdDSA")
                return Result.UnsupportedHeader;
            if (h.TryGetProperty("crit", out _) || h.TryGetProperty("b64", out _)) return Result.UnsupportedHeader;
        }
        catch (JsonException) { return Result.Malformed; }
        return Ed25519.Verify(publicKey, SigningInput(parts[0], payload), sig) ? Result.Ok : Result.BadSignature;
    }

    private static byte[] SigningInput(string encodedHeader, ReadOnlySpan<byte> payload) =>
        Encoding.ASCII.GetBytes(encodedHeader + "." + Base64Url.Encode(payload));
}
