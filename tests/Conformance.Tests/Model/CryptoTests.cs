// Ed25519 against RFC 8032 §7.1, public-key parsing, the detached compact JWS (RFC 7515 Appendix F, alg EdDSA) and
// the unpadded base64url it is built from.
using System.Text;
using Conformance.Model.Codec;
using Conformance.Model.Ltp;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class CryptoTests
{
    // RFC 8032 §7.1 TEST 1 (empty message).
    private const string Seed1 = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Public1 = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private const string Signature1 =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    // RFC 8032 §7.1 TEST 2 (one-byte message 0x72).
    private const string Seed2 = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
    private const string Public2 = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
    private const string Signature2 =
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);
    private static string HexOf(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static byte[] Flip(byte[] bytes, int index, int bit = 0)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] ^= (byte)(1 << bit);
        return copy;
    }

    private static string B64(string ascii) => Base64Url.Encode(Encoding.UTF8.GetBytes(ascii));

    /// <summary>A detached JWS with a chosen protected header, signed the RFC 7515 way (independently of DetachedJws.Sign).</summary>
    private static string JwsWithHeader(Ed25519Signer key, string headerJson, byte[] payload)
    {
        var header = B64(headerJson);
        var sig = key.Sign(Encoding.ASCII.GetBytes(header + "." + Base64Url.Encode(payload)));
        return header + ".." + Base64Url.Encode(sig);
    }

    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("""[{"step":"hello"},"n-nonce"]""");

    public static Test Tests() => TestList("model.crypto", new Test[]
    {
        TestList("ed25519", new Test[]
        {
            TestCase("RFC 8032 TEST 1: public key from seed", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                Expect.equal(HexOf(key.PublicKey), Public1, "public key");
            }),
            TestCase("RFC 8032 TEST 1: signature of the empty message", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                Expect.equal(HexOf(key.Sign([])), Signature1, "signature");
                Expect.isTrue(Ed25519.Verify(Hex(Public1), [], Hex(Signature1)), "vector verifies");
            }),
            TestCase("RFC 8032 TEST 2: one-byte message", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed2));
                Expect.equal(HexOf(key.PublicKey), Public2, "public key");
                Expect.equal(HexOf(key.Sign([0x72])), Signature2, "signature");
                Expect.isTrue(Ed25519.Verify(Hex(Public2), [0x72], Hex(Signature2)), "vector verifies");
            }),
            TestCase("verify rejects a flipped bit anywhere", () =>
            {
                var sig = Hex(Signature2);
                Expect.isFalse(Ed25519.Verify(Hex(Public2), [0x73], sig), "flipped message bit");
                Expect.isFalse(Ed25519.Verify(Hex(Public2), [0x72], Flip(sig, 0)), "flipped bit in R");
                Expect.isFalse(Ed25519.Verify(Hex(Public2), [0x72], Flip(sig, 40)), "flipped bit in S");
                Expect.isFalse(Ed25519.Verify(Hex(Public1), [], Flip(Hex(Signature1), 63, 7)), "flipped top bit of S");
                Expect.isFalse(Ed25519.Verify(Flip(Hex(Public2), 5), [0x72], sig), "flipped key bit");
            }),
            TestCase("verify rejects the wrong key", () =>
            {
                Expect.isFalse(Ed25519.Verify(Hex(Public2), [], Hex(Signature1)), "TEST 1 signature under TEST 2 key");
                Expect.isFalse(Ed25519.Verify(Hex(Public1), [0x72], Hex(Signature2)), "TEST 2 signature under TEST 1 key");
            }),
            TestCase("verify rejects wrong lengths without throwing", () =>
            {
                var sig = Hex(Signature1);
                var key = Hex(Public1);
                Expect.isFalse(Ed25519.Verify(key, [], sig[..63]), "63-byte signature");
                Expect.isFalse(Ed25519.Verify(key, [], [.. sig, 0]), "65-byte signature");
                Expect.isFalse(Ed25519.Verify(key[..31], [], sig), "31-byte key");
                Expect.isFalse(Ed25519.Verify([.. key, 0], [], sig), "33-byte key");
                Expect.isFalse(Ed25519.Verify([], [], []), "empty key and signature");
            }),
            TestCase("a signer refuses a seed that is not 32 bytes", () =>
            {
                var threw = false;
                try { using var _ = new Ed25519Signer(new byte[31]); }
                catch (ArgumentException) { threw = true; }
                Expect.isTrue(threw, "31-byte seed → ArgumentException");
            }),
        }),

        TestList("public key parsing", new Test[]
        {
            TestCase("64 hex digits, either case, surrounding whitespace trimmed", () =>
            {
                foreach (var text in new[] { Public1, Public1.ToUpperInvariant(), "  " + Public1 + "\n" })
                {
                    Expect.isTrue(Ed25519.TryParsePublicKey(text, out var key), $"accepts \"{text}\"");
                    Expect.equal(HexOf(key), Public1, "parsed key");
                }
            }),
            TestCase("43 base64url characters", () =>
            {
                var text = Base64Url.Encode(Hex(Public1));
                Expect.equal(text.Length, 43, "unpadded base64url of 32 bytes");
                Expect.isTrue(Ed25519.TryParsePublicKey(text, out var key), "accepts base64url");
                Expect.equal(HexOf(key), Public1, "parsed key");
            }),
            TestCase("rejects other forms", () =>
            {
                var std = Convert.ToBase64String(Hex(Public1));
                Expect.isTrue(std.Contains('/'), "the fixture needs a key whose standard base64 differs from base64url");
                foreach (var text in new[]
                {
                    Public1[..62],                                   // 31 bytes of hex
                    Public1 + "00",                                  // 33 bytes of hex
                    "zz" + Public1[2..],                             // 64 characters, not hex
                    std,                                             // padded standard base64
                    std.TrimEnd('='),                                // unpadded standard base64 (this key's holds '/')
                    Base64Url.Encode(Hex(Public1)[..31]),            // base64url of 31 bytes
                    Base64Url.Encode([.. Hex(Public1), 0]),          // base64url of 33 bytes
                    "",
                })
                {
                    Expect.isFalse(Ed25519.TryParsePublicKey(text, out var key), $"rejects \"{text}\" (parsed {HexOf(key)})");
                }
            }),
        }),

        TestList("detached jws", new Test[]
        {
            TestCase("sign/verify round trip", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var jws = DetachedJws.Sign(key, Payload);
                Expect.equal(DetachedJws.Verify(jws, Payload, key.PublicKey), DetachedJws.Result.Ok, "own signature verifies");
            }),
            TestCase("shape: header..signature, header is {\"alg\":\"EdDSA\"}", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var parts = DetachedJws.Sign(key, Payload).Split('.');
                Expect.equal(parts.Length, 3, "three parts");
                Expect.equal(parts[1], "", "payload part is empty (detached)");
                Expect.equal(parts[0], "eyJhbGciOiJFZERTQSJ9", "header part");
                Expect.isTrue(Base64Url.TryDecode(parts[0], out var header), "header decodes");
                Expect.equal(Encoding.UTF8.GetString(header), "{\"alg\":\"EdDSA\"}", "header JSON");
                Expect.isTrue(Base64Url.TryDecode(parts[2], out var sig), "signature decodes");
                Expect.equal(sig.Length, 64, "Ed25519 signature length");
            }),
            TestCase("signing input is ASCII(header || '.' || BASE64URL(payload)) (RFC 7515 §5.1)", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var jws = DetachedJws.Sign(key, Payload);
                Expect.equal(jws, JwsWithHeader(key, DetachedJws.HeaderJson, Payload), "same bytes as an independent construction");
            }),
            TestCase("other payload bytes → BadSignature", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var jws = DetachedJws.Sign(key, Payload);
                Expect.equal(DetachedJws.Verify(jws, Flip(Payload, 3), key.PublicKey), DetachedJws.Result.BadSignature, "one bit off");
                Expect.equal(DetachedJws.Verify(jws, Payload[..^1], key.PublicKey), DetachedJws.Result.BadSignature, "truncated");
                Expect.equal(DetachedJws.Verify(jws, [], key.PublicKey), DetachedJws.Result.BadSignature, "empty");
            }),
            TestCase("another key → BadSignature", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var jws = DetachedJws.Sign(key, Payload);
                Expect.equal(DetachedJws.Verify(jws, Payload, Hex(Public2)), DetachedJws.Result.BadSignature, "TEST 2 key");
            }),
            TestCase("a tampered signature → BadSignature", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var parts = DetachedJws.Sign(key, Payload).Split('.');
                Base64Url.TryDecode(parts[2], out var sig);
                var tampered = parts[0] + ".." + Base64Url.Encode(Flip(sig, 10));
                Expect.equal(DetachedJws.Verify(tampered, Payload, key.PublicKey), DetachedJws.Result.BadSignature, "flipped signature bit");
            }),
            TestCase("not detached or not three parts → Malformed", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var parts = DetachedJws.Sign(key, Payload).Split('.');
                var attached = parts[0] + "." + Base64Url.Encode(Payload) + "." + parts[2];
                Expect.equal(DetachedJws.Verify(attached, Payload, key.PublicKey), DetachedJws.Result.Malformed, "attached payload");
                Expect.equal(DetachedJws.Verify(parts[0] + "." + parts[2], Payload, key.PublicKey), DetachedJws.Result.Malformed, "two parts");
                Expect.equal(DetachedJws.Verify(parts[0] + "..." + parts[2], Payload, key.PublicKey), DetachedJws.Result.Malformed, "four parts");
                Expect.equal(DetachedJws.Verify("", Payload, key.PublicKey), DetachedJws.Result.Malformed, "empty");
            }),
            TestCase("bad base64url → Malformed", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var parts = DetachedJws.Sign(key, Payload).Split('.');
                Expect.equal(DetachedJws.Verify(parts[0] + ".." + parts[2] + "=", Payload, key.PublicKey), DetachedJws.Result.Malformed, "padded signature");
                Expect.equal(DetachedJws.Verify(parts[0] + "..!!" + parts[2][2..], Payload, key.PublicKey), DetachedJws.Result.Malformed, "'!' in signature");
                Expect.equal(DetachedJws.Verify(parts[0] + "=.." + parts[2], Payload, key.PublicKey), DetachedJws.Result.Malformed, "padded header");
                var padded = Convert.ToBase64String(Encoding.ASCII.GetBytes("{\"alg\":\"EdDSA\",\"x\":12}"));
                Expect.isTrue(padded.EndsWith("==", StringComparison.Ordinal), "fixture: a 22-byte header pads");
                Expect.equal(DetachedJws.Verify(padded + ".." + parts[2], Payload, key.PublicKey), DetachedJws.Result.Malformed, "standard base64 header with padding");
            }),
            TestCase("header that is not a JSON object → Malformed", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                Expect.equal(DetachedJws.Verify(JwsWithHeader(key, "not json", Payload), Payload, key.PublicKey), DetachedJws.Result.Malformed, "not JSON");
                Expect.equal(DetachedJws.Verify(JwsWithHeader(key, "[\"EdDSA\"]", Payload), Payload, key.PublicKey), DetachedJws.Result.Malformed, "array");
            }),
            TestCase("alg other than EdDSA, or b64/crit present → UnsupportedHeader", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                foreach (var header in new[]
                {
                    "{\"alg\":\"HS256\"}",
                    "{\"alg\":\"none\"}",
                    "{\"alg\":\"eddsa\"}",
                    "{\"alg\":1}",
                    "{}",
                    "{\"alg\":\"EdDSA\",\"b64\":false}",
                    "{\"alg\":\"EdDSA\",\"b64\":true}",
                    "{\"alg\":\"EdDSA\",\"crit\":[\"b64\"],\"b64\":false}",
                    "{\"alg\":\"EdDSA\",\"crit\":[\"exp\"]}",
                })
                {
                    // Correctly signed over that header, so only the header can be the reason.
                    Expect.equal(DetachedJws.Verify(JwsWithHeader(key, header, Payload), Payload, key.PublicKey),
                        DetachedJws.Result.UnsupportedHeader, header);
                }
            }),
            TestCase("any other EdDSA header verifies when signed over it", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var jws = JwsWithHeader(key, "{\"kid\":\"k1\",\"alg\":\"EdDSA\",\"typ\":\"JOSE\"}", Payload);
                Expect.equal(DetachedJws.Verify(jws, Payload, key.PublicKey), DetachedJws.Result.Ok, "kid/typ header");
            }),
            TestCase("swapping the header invalidates the signature", () =>
            {
                using var key = new Ed25519Signer(Hex(Seed1));
                var parts = DetachedJws.Sign(key, Payload).Split('.');
                var other = B64("{\"alg\":\"EdDSA\",\"kid\":\"x\"}");
                Expect.equal(DetachedJws.Verify(other + ".." + parts[2], Payload, key.PublicKey), DetachedJws.Result.BadSignature,
                    "the header is part of the signing input");
            }),
        }),

        TestList("base64url", new Test[]
        {
            TestCase("encodes without padding in the URL alphabet", () =>
            {
                Expect.equal(Base64Url.Encode([0xfb, 0xff]), "-_8", "0xfbff");
                Expect.equal(Base64Url.Encode([]), "", "empty");
                Expect.equal(Base64Url.Encode("f"u8), "Zg", "\"f\"");
                Expect.equal(Base64Url.Encode("foobar"u8), "Zm9vYmFy", "\"foobar\"");
            }),
            TestCase("decodes what it encodes", () =>
            {
                var rng = new Random(3);
                for (var n = 0; n < 70; n++)
                {
                    var data = new byte[n];
                    rng.NextBytes(data);
                    Expect.isTrue(Base64Url.TryDecode(Base64Url.Encode(data), out var back), $"length {n} decodes");
                    Expect.equal(HexOf(back), HexOf(data), $"length {n} round trip");
                }
            }),
            TestCase("rejects padding and the standard alphabet", () =>
            {
                Expect.isFalse(Base64Url.TryDecode("-_8=", out _), "padding");
                Expect.isFalse(Base64Url.TryDecode("Zg==", out _), "double padding");
                Expect.isFalse(Base64Url.TryDecode("+/8", out _), "'+' and '/'");
                Expect.isFalse(Base64Url.TryDecode("ab+c", out _), "'+'");
                Expect.isFalse(Base64Url.TryDecode("ab/c", out _), "'/'");
                Expect.isFalse(Base64Url.TryDecode("ab!c", out _), "'!'");
                Expect.isFalse(Base64Url.TryDecode("a", out _), "impossible length");
            }),
        }),
    });
}
