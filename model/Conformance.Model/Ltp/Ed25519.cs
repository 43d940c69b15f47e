// Ed25519 (RFC 8032) through NSec. Keys enter the model as 32-byte seeds; the model never creates keys itself.
using NSec.Cryptography;

namespace Conformance.Model.Ltp;

/// <summary>An Ed25519 signing key made from a 32-byte seed (RFC 8032 private key).</summary>
public sealed class Ed25519Signer : IDisposable
{
    private static readonly SignatureAlgorithm Alg = SignatureAlgorithm.Ed25519;
    private readonly Key _key;

    public Ed25519Signer(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32) throw new ArgumentException("an Ed25519 seed is 32 bytes", nameof(seed));
        _key = Key.Import(Alg, seed, KeyBlobFormat.RawPrivateKey);
        PublicKey = _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    public byte[] Sign(ReadOnlySpan<byte> message) => Alg.Sign(_key, message);

    public void Dispose() => _key.Dispose();
}

public static class Ed25519
{
    private static readonly SignatureAlgorithm Alg = SignatureAlgorithm.Ed25519;

    /// <summary>Verifies; false for a malformed key or signature as well as a wrong one.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64) return false;
        if (!NSec.Cryptography.PublicKey.TryImport(Alg, publicKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
            return false;
        return Alg.Verify(key, message, signature);
    }

    /// <summary>Parses a key given as 64 hex digits or 43 base64url characters.</summary>
    public static bool TryParsePublicKey(string text, out byte[] key)
    {
        key = [];
        text = text.Trim();
        if (text.Length == 64)
        {
            try { key = Convert.FromHexString(text); return true; } catch (FormatException) { return false; }
        }
        return Codec.Base64Url.TryDecode(text, out key) && key.Length == 32;
    }
}
