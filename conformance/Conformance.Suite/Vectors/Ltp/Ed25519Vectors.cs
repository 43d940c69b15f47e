// vectors/ltp/ed25519.json: the signatures every LTP profile rests on (LHS seal, CIP sign, Shard header). Valid
// signatures over seeded messages of many lengths, then every way a verifier must say no: tampered message, R or S,
// another key, S not reduced mod L (malleability), wrong lengths, small-order and non-canonical public keys. The
// LtpObject group signs the JCS form of JSON objects: what an LTP verifier actually checks.
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Ltp;
using Conformance.Suite.Core;

namespace Conformance.Suite.Vectors.Ltp;

public sealed partial class Ed25519Vectors : IVectorTopic
{
    public string Spec => "ltp";
    public string Topic => "ed25519";

    /// <summary>The order of the base point, L = 2^252 + 27742317777372353535851937790883648493.</summary>
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    /// <summary>Encodings of points of small order (orders 1, 2, 4, 8): keys a verifier must refuse.</summary>
    private static readonly string[] SmallOrder =
    [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    ];

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "ed25519.schema.json", seed,
            "Ed25519 (RFC 8032, pure, no context) as LTP uses it: 32-byte seeds and public keys, 64-byte signatures R || S.",
            "valid: the signature verifies (and signing `msg` with `seed` gives exactly `sig`: Ed25519 is deterministic). invalid: it must not verify.",
            "The reference verifies with libsodium through NSec, which refuses S >= L and small-order keys.")
            .Note("Valid", VectorBugType.Basic, "A correct signature by the key's owner.", "accept", "RFC 8032")
            .Note("Rfc8032", VectorBugType.Basic, "Test 1 of RFC 8032 §7.1 (empty message).", "accept", "RFC 8032 §7.1")
            .Note("ModifiedMessage", VectorBugType.ModifiedParameter, "One bit of the message flipped after signing.", "refuse")
            .Note("ModifiedR", VectorBugType.AuthBypass, "One bit of R (the first 32 signature bytes) flipped.", "refuse")
            .Note("ModifiedS", VectorBugType.AuthBypass, "One bit of S (the last 32 signature bytes) flipped.", "refuse")
            .Note("WrongKey", VectorBugType.AuthBypass, "A valid signature, checked against another key.", "refuse")
            .Note("NonCanonicalS", VectorBugType.AuthBypass, "S replaced by S + L: the same scalar mod L, but RFC 8032 §5.1.7 requires S < L (signature malleability).", "refuse", "RFC 8032 §5.1.7")
            .Note("SignatureLength", VectorBugType.Malformed, "A signature that is not 64 bytes.", "refuse")
            .Note("SmallOrderKey", VectorBugType.Reading, "A public key of small order (1, 2, 4 or 8) with the signature R = identity, S = 0, which satisfies RFC 8032's verification equation. RFC 8032 does not require refusing it (field `reference` says what the reference does).", "either; the reference (libsodium) refuses it, and an LTP verifier should", "RFC 8032 §5.1.7")
            .Note("KeyLength", VectorBugType.Malformed, "A public key that is not 32 bytes.", "refuse")
            .Note("LtpObject", VectorBugType.Canonicalization, "The message is JCS(object): signer and verifier canonicalise first, so member order and whitespace in the sent text do not matter.", "verify against the JCS bytes: accept when the signature covers them, refuse otherwise", "RFC 8785")
            .Note("NotCanonicalized", VectorBugType.Canonicalization, "The signature covers the object's raw text rather than its JCS form: it fails against the canonical bytes.", "refuse", "RFC 8785");

        var bits = new SeededBits(seed, "ed25519");
        var keys = Enumerable.Range(0, 8).Select(_ => bits.Bytes(32)).ToArray();

        b.Group("Ed25519Rfc8032");
        var rfcSeed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        Add(b, rfcSeed, [], null, null, "RFC 8032 test 1", "Valid", "Rfc8032");

        b.Group("Ed25519Valid");
        int[] lengths = [0, 1, 2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, 1000, 4096];
        foreach (var (k, i) in keys.Select((k, i) => (k, i)))
        foreach (var n in lengths.Where((_, j) => (j + i) % 2 == 0))
            Add(b, k, bits.Bytes(n), null, null, $"key {i}, {n}-byte message", "Valid");

        b.Group("Ed25519Invalid");
        for (var i = 0; i < keys.Length; i++)
        {
            var msg = bits.Bytes(16 + i * 8);
            using var signer = new Ed25519Signer(keys[i]);
            var sig = signer.Sign(msg);
            Add(b, keys[i], Tamper.FlipBit(msg, (int)(bits.Next() % (ulong)(msg.Length * 8))), sig, null, $"key {i}: message bit flipped", "ModifiedMessage");
            Add(b, keys[i], msg, Tamper.FlipBit(sig, (int)(bits.Next() % 256)), null, $"key {i}: bit of R flipped", "ModifiedR");
            Add(b, keys[i], msg, Tamper.FlipBit(sig, 256 + (int)(bits.Next() % 248)), null, $"key {i}: bit of S flipped", "ModifiedS");
            using var other = new Ed25519Signer(keys[(i + 1) % keys.Length]);
            Add(b, keys[i], msg, sig, other.PublicKey, $"key {i}: signature checked against key {(i + 1) % keys.Length}", "WrongKey");
            Add(b, keys[i], msg, NonCanonicalS(sig), null, $"key {i}: S + L", "NonCanonicalS");
            Add(b, keys[i], msg, sig[..63], null, $"key {i}: 63-byte signature", "SignatureLength");
            Add(b, keys[i], msg, [.. sig, 0], null, $"key {i}: 65-byte signature", "SignatureLength");
            Add(b, keys[i], msg, sig, signer.PublicKey[..31], $"key {i}: the key's first 31 bytes", "KeyLength");
        }
        var identitySig = Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000" + new string('0', 64));
        foreach (var (point, i) in SmallOrder.Select((p, i) => (p, i)))
            Add(b, null, Encoding.UTF8.GetBytes($"small order {i}"), identitySig, Convert.FromHexString(point), $"small-order key {point[..8]}…", "SmallOrderKey");

        b.Group("LtpObject");
        string[] objects =
        [
            "{\"step\":\"hello\",\"lri_version\":\"0.1\",\"encodings\":[\"json\",\"cbor\"]}",
            "{\"b\":2,\"a\":1}",
            "{\"n\":[1.0,2.50,1e21,-0],\"s\":\"\\u00e9\\u20ac\\ud83d\\ude00\"}",
            "{\"nested\":{\"z\":true,\"y\":null,\"x\":[{\"q\":1,\"p\":2}]}}",
            "{ \"spaced\" : [ 1 , 2 ] }",
        ];
        foreach (var (text, i) in objects.Select((t, i) => (t, i)))
        {
            var key = keys[i % keys.Length];
            var canonical = Jcs.Canonicalize(text);
            using var signer = new Ed25519Signer(key);
            var sig = signer.Sign(canonical);
            b.Test($"object {i}: signed over JCS", Ed25519.Verify(signer.PublicKey, canonical, sig) ? VectorResult.Valid : VectorResult.Invalid, new JsonObject
            {
                ["seed"] = VectorJson.Hex(key), ["publicKey"] = VectorJson.Hex(signer.PublicKey), ["object"] = text,
                ["msg"] = VectorJson.Hex(canonical), ["sig"] = VectorJson.Hex(sig),
            }, "LtpObject");
            var raw = Encoding.UTF8.GetBytes(text);
            if (raw.AsSpan().SequenceEqual(canonical)) continue;
            var rawSig = signer.Sign(raw);
            b.Test($"object {i}: signed over its raw text, checked over JCS", Ed25519.Verify(signer.PublicKey, canonical, rawSig) ? VectorResult.Valid : VectorResult.Invalid, new JsonObject
            {
                ["seed"] = VectorJson.Hex(key), ["publicKey"] = VectorJson.Hex(signer.PublicKey), ["object"] = text,
                ["msg"] = VectorJson.Hex(canonical), ["sig"] = VectorJson.Hex(rawSig),
            }, "LtpObject", "NotCanonicalized");
        }
        return b.Build();
    }

    /// <summary>
    /// One test. <paramref name="sig"/> null: sign <paramref name="msg"/> with <paramref name="seed"/>. <paramref name="publicKey"/>
    /// null: the seed's own key. The result is whatever the model's verifier says.
    /// </summary>
    private static void Add(VectorFileBuilder b, byte[]? seed, byte[] msg, byte[]? sig, byte[]? publicKey, string comment, string flag, string? flag2 = null)
    {
        JsonObject fields = [];
        if (seed is not null)
        {
            using var signer = new Ed25519Signer(seed);
            sig ??= signer.Sign(msg);
            publicKey ??= signer.PublicKey;
            fields["seed"] = VectorJson.Hex(seed);
        }
        fields["publicKey"] = VectorJson.Hex(publicKey!);
        fields["msg"] = VectorJson.Hex(msg);
        fields["sig"] = VectorJson.Hex(sig!);
        var ok = Ed25519.Verify(publicKey, msg, sig);
        var result = ok ? VectorResult.Valid : VectorResult.Invalid;
        if (flag == "SmallOrderKey")
        {
            // RFC 8032's verification equation holds for these; refusing them is libsodium's (and our) stricter choice.
            fields["reference"] = ok ? "accepts" : "refuses";
            result = VectorResult.Acceptable;
        }
        b.Test(comment, result, fields, flag2 is null ? [flag] : [flag, flag2]);
    }

    private static byte[] NonCanonicalS(byte[] sig)
    {
        var s = new BigInteger(sig.AsSpan(32), isUnsigned: true, isBigEndian: false) + L;
        var bytes = new byte[32];
        s.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return [.. sig[..32], .. bytes];
    }
}
