// vectors/lhs/seal.json: the seal signature, "ltp:jws:" + a detached compact JWS (EdDSA) over
// JCS([hello, mirror, bind, nonce]). Valid seals come from seeded handshakes run through the server model; invalid ones
// change one thing each (a frame, the nonce, the key, the signature bytes, the header, the form). Every verdict is
// the model's SealSignature.Verify over the frames the test gives.
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using static Conformance.Suite.Vectors.Lhs.LhsVectorKit;

namespace Conformance.Suite.Vectors.Lhs;

public sealed partial class SealVectors : IVectorTopic
{
    public string Spec => "lhs";
    public string Topic => "seal";

    private static readonly Dictionary<string, VectorNote> Notes = new()
    {
        ["ServerSeal"] = Note(VectorBugType.Basic,
            "A seal exactly as the server model produced it for a seeded handshake (the hello and bind the client sent, the mirror the server sent). Ed25519 is deterministic: signing signingInputHex with the server seed under the header {\"alg\":\"EdDSA\"} gives exactly this signature.",
            "accept: the signature verifies", LhsRules.SealCovers),
        ["CanonicalEquivalent"] = Rule("LHS-3.4-seal-canonical", VectorBugType.Canonicalization, "accept: the same signature verifies",
            "The same frames with other member order, whitespace and escapes, signed by their JCS form.", "SPEC-NOTES.md#seal-signature", "RFC 8785"),
        ["HeaderVariant"] = Note(VectorBugType.EdgeCase,
            "A protected header whose alg is \"EdDSA\" and that carries neither crit nor b64 (extra members such as typ or kid, other member order, whitespace).",
            "accept", "SPEC-NOTES.md#seal-signature"),
        ["DuplicateHeaderName"] = Note(VectorBugType.Reading, "A protected header with a parameter name twice.",
            "either: reject, or use the lexically last (RFC 7515 §4 allows both)", "RFC 7515 §4"),
        ["TamperedHello"] = Note(VectorBugType.ModifiedParameter, "The hello given differs from the one the server signed (one member changed, added or removed).",
            "reject: the signature no longer covers it", LhsRules.SealCovers),
        ["TamperedMirror"] = Note(VectorBugType.ModifiedParameter, "The mirror given differs from the one the server signed (the negotiated contract changed).",
            "reject: the signature no longer covers it", LhsRules.SealCovers),
        ["TamperedBind"] = Note(VectorBugType.ModifiedParameter, "The bind given differs from the one the server signed (thread, auth or context changed).",
            "reject: the signature no longer covers it", LhsRules.SealCovers),
        ["TamperedNonce"] = Note(VectorBugType.ModifiedParameter, "The fourth element (the server nonce) differs from the one signed, the frames unchanged.",
            "reject: the signature no longer covers it", LhsRules.SealCovers),
        ["Replay"] = Rule("LHS-3.2-nonce-unique", VectorBugType.Replay, "reject: the seal does not verify with the fresh nonce",
            "A seal from one handshake presented in another with the same hello and bind but a fresh mirror nonce."),
        ["MissingNonce"] = Note(VectorBugType.Canonicalization, "Signed over JCS([hello, mirror, bind]): the nonce is missing from the signed concatenation.",
            "reject", LhsRules.SealCovers),
        ["NonCanonical"] = Note(VectorBugType.Canonicalization,
            "Signed over a non-canonical form (the raw frame texts, concatenated or in a raw JSON array) instead of JCS([hello, mirror, bind, nonce]).",
            "reject", LhsRules.SealCovers, "RFC 8785"),
        ["WrongStructure"] = Note(VectorBugType.Canonicalization,
            "Signed over another arrangement of the same data (other order, an object, frames without step): only the array [hello, mirror, bind, nonce] is the signing input.",
            "reject", LhsRules.SealCovers),
        ["NotJws"] = Note(VectorBugType.Canonicalization,
            "Ed25519 over the payload itself instead of the JWS signing input BASE64URL(header) '.' BASE64URL(payload).", "reject", "RFC 7515 §5.1"),
        ["WrongKey"] = Note(VectorBugType.AuthBypass, "Signed by another Ed25519 key than the server's configured one.", "reject"),
        ["CorruptSignature"] = Note(VectorBugType.AuthBypass,
            "The signature bytes are changed (a bit flipped, truncated, extended, zero) while the form stays a detached JWS.", "reject"),
        ["MalleableS"] = Note(VectorBugType.AuthBypass, "S replaced by S + L (the same point equation): S must be below the group order L.",
            "reject", "RFC 8032 §5.1.7"),
        ["WrongAlg"] = Note(VectorBugType.AuthBypass, "The seal's JWS alg is not exactly \"EdDSA\" (case-sensitive), or is missing.", "reject", "RFC 8037"),
        ["CritOrB64"] = Note(VectorBugType.AuthBypass, "A protected header with crit or b64 (unencoded payload), which would change the signing input.",
            "reject", "RFC 7797"),
        ["MalformedHeader"] = Note(VectorBugType.Malformed, "The protected header is not a base64url JSON object.", "reject"),
        ["NotDetached"] = Note(VectorBugType.Malformed, "A JWS carrying the payload: the seal's JWS is detached (empty middle part).",
            "reject", "RFC 7515 Appendix F"),
        ["Prefix"] = Note(VectorBugType.Malformed, "LTP form: the signature string is \"ltp:jws:\" (exact, case-sensitive) followed by the compact JWS; this one is not.", "reject"),
        ["Base64Url"] = Note(VectorBugType.Malformed, "Not base64url without padding: padding, the standard alphabet (+ /) or whitespace.", "reject", "RFC 7515 §2"),
        ["MalformedJws"] = Note(VectorBugType.Malformed, "Not three dot-separated parts with an empty middle (compact detached JWS).", "reject"),
    };

    private sealed record Handshake(string Hello, string Mirror, string Bind, string Nonce, string Seal, string Signature);

    public VectorFile Generate(ulong seed)
    {
        var b = new VectorFileBuilder(Spec, Topic, "seal.schema.json", seed,
            "LHS §3.4 Seal signature: \"produced via LTP over the canonical concatenation of the hello, mirror and bind payloads plus the server nonce\". The project reads it as \"ltp:jws:\" + a detached compact JWS (RFC 7515 Appendix F) with EdDSA (Ed25519, RFC 8037) over JCS([hello, mirror, bind, nonce]) (RFC 8785) — SPEC-NOTES.md \"Seal signature\".",
            "Each test gives the frames exactly as they travelled (hello, mirror, bind: JSON texts), the nonce (the fourth element; in a real handshake the mirror's nonce), and the seal's signature string. signingInputHex is JCS([hello, mirror, bind, nonce]) of the given frames: what the verifier must rebuild. The JWS signing input is ASCII(BASE64URL(header) '.' BASE64URL(signingInput)).",
            "valid: the signature verifies with serverPublicKey over the given frames. invalid: the verifier must reject it (a client aborts with lhs.trust_failed). acceptable: either is conformant.",
            "serverPrivateSeed is the RFC 8032 32-byte seed of serverPublicKey, so an implementation can check its signing too.",
            "Verdicts are computed by the project's model (SealSignature.Verify); the server seals come from LhsServer driven with a seeded environment.");
        var c = new LhsVectorCollector(Notes);
        using var key = Key(ServerKeyLabel);
        using var other = Key(OtherKeyLabel);
        var shared = new JsonObject
        {
            ["serverPublicKey"] = VectorJson.Hex(key.PublicKey),
            ["serverPrivateSeed"] = VectorJson.Hex(Seed(ServerKeyLabel)),
        };
        var cfg = new LhsServerConfig(ServerCapabilities.Reference, key, TimeSpan.FromHours(1));
        var hs = Enumerable.Range(0, 12).Select(i => Run(cfg, seed, i, Hellos[i % Hellos.Length], Binds[i % Binds.Length])).ToArray();

        void Add(string comment, Handshake h, string hello, string mirror, string bind, string nonce, string signature, params string[] flags)
        {
            var payload = SealSignature.Payload(Parse(hello), Parse(mirror), Parse(bind), nonce);
            var fields = new JsonObject
            {
                ["hello"] = hello, ["mirror"] = mirror, ["bind"] = bind, ["nonce"] = nonce,
                ["signature"] = signature, ["signingInputHex"] = VectorJson.Hex(payload),
            };
            if (flags.Contains("ServerSeal")) fields["seal"] = h.Seal;
            var error = SealSignature.Verify(signature, payload, key.PublicKey);
            if (flags.Contains("DuplicateHeaderName")) fields["referenceAccepts"] = error is null;
            if (error is null)
                c.Test(comment, flags.Contains("DuplicateHeaderName") ? VectorResult.Acceptable : VectorResult.Valid, fields, flags);
            else
            {
                fields["expectedError"] = ErrorJson(error);
                c.Test(comment, flags.Contains("DuplicateHeaderName") ? VectorResult.Acceptable : RejectionResult(error), fields, [.. flags, .. ErrorFlags(error)]);
            }
        }
        void Same(string comment, Handshake h, string signature, params string[] flags) => Add(comment, h, h.Hello, h.Mirror, h.Bind, h.Nonce, signature, flags);
        byte[] PayloadOf(Handshake h) => SealSignature.Payload(Parse(h.Hello), Parse(h.Mirror), Parse(h.Bind), h.Nonce);

        c.Group("SealValid", shared.DeepClone().AsObject());
        for (var i = 0; i < hs.Length; i++)
            Same($"server seal of seeded handshake #{i}", hs[i], hs[i].Signature, "ServerSeal");
        for (var i = 0; i < hs.Length; i++)
        {
            var h = hs[i];
            var (eh, em, eb) = (i % 3) switch
            {
                0 => (Reshape(h.Hello), h.Mirror, h.Bind),
                1 => (h.Hello, Reshape(h.Mirror), h.Bind),
                _ => (Reshape(h.Hello), Reshape(h.Mirror), Reshape(h.Bind)),
            };
            Add($"handshake #{i} with {(i % 3 == 0 ? "the hello" : i % 3 == 1 ? "the mirror" : "all three frames")} re-serialised (members reversed, indented, non-ASCII escaped)",
                h, eh, em, eb, h.Nonce, h.Signature, "CanonicalEquivalent");
        }
        foreach (var (header, what) in new[]
                 {
                     ("{\"alg\":\"EdDSA\",\"typ\":\"LTEL\"}", "typ LTEL, as in the §3.4 example"),
                     ("{\"alg\":\"EdDSA\",\"kid\":\"server-1\"}", "a kid"),
                     ("{\"typ\":\"JWT\",\"alg\":\"EdDSA\"}", "alg not first"),
                     ("{ \"alg\" : \"EdDSA\" }", "whitespace"),
                     ("{\"alg\":\"EdDSA\",\"x5u\":null,\"n\":[1,2]}", "unknown members of any type"),
                 })
            Same($"header {header}: {what}", hs[0], JwsWith(key, header, PayloadOf(hs[0])), "HeaderVariant");
        Same("header with alg twice (both EdDSA)", hs[0], JwsWith(key, "{\"alg\":\"EdDSA\",\"alg\":\"EdDSA\"}", PayloadOf(hs[0])), "DuplicateHeaderName");
        Same("header with alg twice, the last EdDSA", hs[0], JwsWith(key, "{\"alg\":\"HS256\",\"alg\":\"EdDSA\"}", PayloadOf(hs[0])), "DuplicateHeaderName");

        c.Group("SealTampered", shared.DeepClone().AsObject());
        for (var i = 0; i < 4; i++)
        {
            var h = hs[i];
            foreach (var (t, what) in HelloTampers(h.Hello))
                Add($"handshake #{i}, hello {what}", h, t, h.Mirror, h.Bind, h.Nonce, h.Signature, "TamperedHello");
            foreach (var (t, what) in MirrorTampers(h.Mirror))
                Add($"handshake #{i}, mirror {what}", h, h.Hello, t, h.Bind, h.Nonce, h.Signature, "TamperedMirror");
            foreach (var (t, what) in BindTampers(h.Bind))
                Add($"handshake #{i}, bind {what}", h, h.Hello, h.Mirror, t, h.Nonce, h.Signature, "TamperedBind");
            Add($"handshake #{i}, nonce with its last character changed", h, h.Hello, h.Mirror, h.Bind, h.Nonce[..^1] + (h.Nonce[^1] == 'A' ? 'B' : 'A'), h.Signature, "TamperedNonce");
            Add($"handshake #{i}, nonce empty", h, h.Hello, h.Mirror, h.Bind, "", h.Signature, "TamperedNonce");
            Add($"handshake #{i}, nonce of handshake #{i + 4}", h, h.Hello, h.Mirror, h.Bind, hs[i + 4].Nonce, h.Signature, "TamperedNonce");
            // Replay: the same client frames in a new connection get a fresh nonce; the old seal must not verify.
            var again = Run(cfg, seed, 100 + i, Hellos[i % Hellos.Length], Binds[i % Binds.Length]);
            Add($"handshake #{i}'s seal replayed in a new connection with the same hello and bind", h, again.Hello, again.Mirror, again.Bind, again.Nonce, h.Signature, "Replay");
            Add($"handshake #{i} frames with handshake #{(i + 1) % 12}'s seal", h, h.Hello, h.Mirror, h.Bind, h.Nonce, hs[(i + 1) % 12].Signature, "Replay");
        }

        c.Group("SealSignatureForm", shared.DeepClone().AsObject());
        for (var i = 0; i < 3; i++)
        {
            var h = hs[i];
            var p = PayloadOf(h);
            var tag = $"handshake #{i}: ";
            Same(tag + "signed over JCS([hello, mirror, bind]) without the nonce", h, SignOver(key, h.Hello, h.Mirror, h.Bind), "MissingNonce");
            Same(tag + "signed over the raw texts concatenated (hello ‖ mirror ‖ bind ‖ nonce)", h,
                SealSignature.Sign(key, Encoding.UTF8.GetBytes(h.Hello + h.Mirror + h.Bind + h.Nonce)), "NonCanonical");
            Same(tag + "signed over the raw JSON array text, not canonicalised", h,
                SealSignature.Sign(key, Encoding.UTF8.GetBytes($"[{h.Hello}, {h.Mirror}, {h.Bind}, {JsonSerializer.Serialize(h.Nonce)}]")), "NonCanonical");
            Same(tag + "signed over JCS([mirror, hello, bind, nonce])", h, SignOver(key, h.Mirror, h.Hello, h.Bind, JsonSerializer.Serialize(h.Nonce)), "WrongStructure");
            Same(tag + "signed over JCS([nonce, hello, mirror, bind])", h, SignOver(key, JsonSerializer.Serialize(h.Nonce), h.Hello, h.Mirror, h.Bind), "WrongStructure");
            Same(tag + "signed over JCS({hello, mirror, bind, nonce}) (an object)", h,
                SignOver(key, $"{{\"hello\":{h.Hello},\"mirror\":{h.Mirror},\"bind\":{h.Bind},\"nonce\":{JsonSerializer.Serialize(h.Nonce)}}}"), "WrongStructure");
            Same(tag + "signed over the frames without their step members", h,
                SignOver(key, WithRaw(h.Hello, "step", null), WithRaw(h.Mirror, "step", null), WithRaw(h.Bind, "step", null), JsonSerializer.Serialize(h.Nonce)), "WrongStructure");
            Same(tag + "signed over JCS([hello, mirror, bind, nonce, nonce])", h, SignOver(key, h.Hello, h.Mirror, h.Bind, JsonSerializer.Serialize(h.Nonce), JsonSerializer.Serialize(h.Nonce)), "WrongStructure");
            Same(tag + "Ed25519 over the payload, not over the JWS signing input", h,
                Seal.SignaturePrefix + Base64Url.Encode(Encoding.ASCII.GetBytes(DetachedJws.HeaderJson)) + ".." + Base64Url.Encode(key.Sign(p)), "NotJws");
            Same(tag + "signed by another key", h, SealSignature.Sign(other, p), "WrongKey");
            using var confused = new Ed25519Signer(key.PublicKey);
            Same(tag + "signed with the server's public key bytes taken as a seed", h, SealSignature.Sign(confused, p), "WrongKey");
        }
        var h0 = hs[0];
        var (head, sig) = Split(h0.Signature);
        foreach (var (bit, what) in new[] { (0, "the first byte of R"), (31 * 8 + 7, "the last byte of R"), (32 * 8, "the first byte of S"), (63 * 8 + 6, "the last byte of S"), (20 * 8 + 3, "a middle byte of R"), (45 * 8 + 5, "a middle byte of S") })
        {
            var s = (byte[])sig.Clone();
            s[bit / 8] ^= (byte)(1 << (bit % 8));
            Same($"signature with one bit flipped in {what}", h0, Compose(head, s), "CorruptSignature");
        }
        Same("signature truncated to 63 bytes", h0, Compose(head, sig[..63]), "CorruptSignature");
        Same("signature extended to 65 bytes", h0, Compose(head, [.. sig, 0]), "CorruptSignature");
        Same("signature of 64 zero bytes", h0, Compose(head, new byte[64]), "CorruptSignature");
        Same("signature part empty", h0, Seal.SignaturePrefix + head + "..", "CorruptSignature");
        Same("R and S swapped", h0, Compose(head, [.. sig[32..], .. sig[..32]]), "CorruptSignature");
        Same("S replaced by S + L", h0, Compose(head, [.. sig[..32], .. AddL(sig[32..])]), "MalleableS");
        foreach (var (header, flag, what) in new[]
                 {
                     ("{\"alg\":\"HS256\"}", "WrongAlg", "alg HS256"), ("{\"alg\":\"none\"}", "WrongAlg", "alg none"),
                     ("{\"alg\":\"ES256\"}", "WrongAlg", "alg ES256"), ("{\"alg\":\"eddsa\"}", "WrongAlg", "alg eddsa (lower case)"),
                     ("{\"alg\":\"Ed25519\"}", "WrongAlg", "alg Ed25519"), ("{}", "WrongAlg", "no alg"), ("{\"alg\":null}", "WrongAlg", "alg null"),
                     ("{\"alg\":[\"EdDSA\"]}", "WrongAlg", "alg an array"), ("{\"typ\":\"EdDSA\"}", "WrongAlg", "EdDSA as typ, no alg"),
                     ("{\"alg\":\"EdDSA\",\"crit\":[\"exp\"],\"exp\":1}", "CritOrB64", "crit"),
                     ("{\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"]}", "CritOrB64", "b64 false (RFC 7797)"),
                     ("{\"alg\":\"EdDSA\",\"b64\":true}", "CritOrB64", "b64 true"),
                     ("[\"EdDSA\"]", "MalformedHeader", "a JSON array"), ("\"EdDSA\"", "MalformedHeader", "a JSON string"),
                     ("{alg:EdDSA}", "MalformedHeader", "not JSON"), ("{\"alg\":\"EdDSA\"", "MalformedHeader", "truncated JSON"),
                 })
            Same($"header {header}: {what}", h0, JwsWith(key, header, PayloadOf(h0)), flag);
        var payloadB64 = Base64Url.Encode(PayloadOf(h0));
        Same("payload carried in the middle part (not detached)", h0, Seal.SignaturePrefix + head + "." + payloadB64 + "." + Base64Url.Encode(sig), "NotDetached");
        Same("middle part a single character", h0, Seal.SignaturePrefix + head + ".e." + Base64Url.Encode(sig), "NotDetached");
        Same("no prefix: the bare JWS", h0, h0.Signature[Seal.SignaturePrefix.Length..], "Prefix");
        Same("prefix in capitals LTP:JWS:", h0, "LTP:JWS:" + h0.Signature[Seal.SignaturePrefix.Length..], "Prefix");
        Same("prefix ltp:jwt:", h0, "ltp:jwt:" + h0.Signature[Seal.SignaturePrefix.Length..], "Prefix");
        Same("prefix twice", h0, Seal.SignaturePrefix + h0.Signature, "Prefix");
        Same("prefix without the last colon", h0, "ltp:jws" + h0.Signature[Seal.SignaturePrefix.Length..], "Prefix");
        Same("leading space", h0, " " + h0.Signature, "Prefix");
        Same("signature part padded with ==", h0, h0.Signature + "==", "Base64Url");
        Same("header part padded with =", h0, Seal.SignaturePrefix + head + "=.." + Base64Url.Encode(sig), "Base64Url");
        Same("trailing newline", h0, h0.Signature + "\n", "Base64Url");
        Same("space inside the signature part", h0, h0.Signature[..^10] + " " + h0.Signature[^10..], "Base64Url");
        var std = hs.FirstOrDefault(h => h.Signature[Seal.SignaturePrefix.Length..].IndexOfAny(['-', '_']) >= 0);
        if (std is not null)
            Same($"signature of handshake #{Array.IndexOf(hs, std)} in the standard base64 alphabet (+ /)", std,
                std.Signature.Replace('-', '+').Replace('_', '/'), "Base64Url");
        Same("two parts (no middle)", h0, Seal.SignaturePrefix + head + "." + Base64Url.Encode(sig), "MalformedJws");
        Same("four parts", h0, h0.Signature + ".", "MalformedJws");
        Same("empty after the prefix", h0, Seal.SignaturePrefix, "MalformedJws");
        Same("only the two dots", h0, Seal.SignaturePrefix + "..", "MalformedJws");
        Same("empty string", h0, "", "Prefix");
        return c.Build(b);
    }

    private static Handshake Run(LhsServerConfig cfg, ulong seed, int index, string hello, string bind)
    {
        var run = ServerRun.Drive([new ClientEvent.Text(hello), new ClientEvent.Text(bind)], cfg, new SeededEnvironment(seed, Start, $"lhs-seal/{index}"));
        if (run.Rejected is { } e) throw new InvalidOperationException($"seal handshake #{index} rejected: {e}");
        var mirror = run.Texts[0];
        var seal = run.Texts[1];
        var nonce = JsonNode.Parse(mirror)!["nonce"]!.GetValue<string>();
        return new(hello, mirror, bind, nonce, seal, JsonNode.Parse(seal)!["signature"]!.GetValue<string>());
    }

    private static readonly string[] Hellos =
    [
        Hello("0.1", ["json", "cbor"], ["ltp", "lss"], 65536, new JsonObject { ["kind"] = "ephemeral", ["locale"] = "en-US" }),
        "{\n  \"max_frame_bytes\": 32768,\n  \"features\": [\"telemetry\", \"ltp\"],\n  \"encodings\": [\"cbor\"],\n  \"lri_version\": \"0.1\",\n  \"step\": \"hello\"\n}",
        "{\"step\":\"hello\",\"lri_version\":\"0.2\",\"encodings\":[\"json\"],\"features\":[\"lss\"],\"max_frame_bytes\":65536,\"session\":{\"agent\":\"Z\\u00fcrich \\ud83d\\ude00\",\"locale\":\"de-CH\"}}",
        "{\"step\":\"hello\",\"lri_version\":\"0.1\",\"encodings\":[\"xml\",\"json\"],\"features\":[],\"max_frame_bytes\":6.5536e4}",
        "{\"step\":\"hello\",\"lri_version\":\"0.1.4\",\"encodings\":[\"cbor\",\"json\"],\"features\":[\"quantum\",\"telemetry\"],\"max_frame_bytes\":131072.0,\"x-metrics\":{\"ratio\":0.1,\"big\":1e21,\"small\":1e-7,\"neg\":-0,\"int\":9007199254740993}}",
        "{\"step\":\"hello\",\"lri_version\":\"0.1\",\"encodings\":[\"json\"],\"features\":[\"ltp\",\"lss\",\"telemetry\"],\"max_frame_bytes\":1024,\"session\":{\"\\u20ac\":1,\"\\r\":2,\"1\":3,\"\\ud83d\\ude00\":4,\"\\u00f6\":5,\"\\ufb33\":6}}",
        "{\"step\":\"hello\",\"lri_version\":\"0.9\",\"encodings\":[\"json\",\"cbor\"],\"features\":[\"ltp\"],\"max_frame_bytes\":2147483647,\"session\":{\"kind\":\"persistent\",\"note\":\"tab\\tquote\\\"slash\\/\"}}",
        "{ \"step\" : \"hello\" , \"lri_version\" : \"0.1\" , \"encodings\" : [ \"cbor\" , \"json\" ] , \"features\" : [ \"lss\" , \"ltp\" ] , \"max_frame_bytes\" : 4096 }",
    ];

    private static readonly string[] Binds =
    [
        "{\"step\":\"bind\",\"thread\":\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\"}",
        "{\"step\":\"bind\",\"thread\":\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d\",\"auth\":{\"scheme\":\"Bearer\",\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9...\"},\"context\":{\"intent\":{\"type\":\"teach\"},\"affect\":{\"pad\":[0.2,0.1,0.3]}}}",
        "{\"step\":\"bind\",\"thread\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\",\"context\":{\"affect\":{\"pad\":[-0.5,1e-3,0.30000000000000004]},\"note\":\"caf\\u00e9\"}}",
        "{\n \"context\": {\"intent\": {\"type\": \"reflect\"}},\n \"thread\": \"9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D\",\n \"step\": \"bind\"\n}",
    ];

    private static IEnumerable<(string, string)> HelloTampers(string hello)
    {
        var mfb = JsonNode.Parse(hello)!["max_frame_bytes"]!.GetValue<double>();
        yield return (WithRaw(hello, "max_frame_bytes", JsonSerializer.Serialize((long)mfb - 1)), "with max_frame_bytes one less");
        yield return (WithRaw(hello, "encodings", "[\"json\",\"cbor\",\"xml\"]"), "with other encodings");
        yield return (WithRaw(hello, "x-extra", "true"), "with an extra member");
        yield return (WithRaw(hello, "lri_version", "\"0.3\""), "with another minor version");
    }

    private static IEnumerable<(string, string)> MirrorTampers(string mirror)
    {
        var enc = JsonNode.Parse(mirror)!["encoding"]!.GetValue<string>();
        yield return (WithRaw(mirror, "encoding", enc == "json" ? "\"cbor\"" : "\"json\""), "with the other encoding");
        yield return (WithRaw(mirror, "features", "[\"ltp\",\"lss\",\"telemetry\"]"), "with all features granted");
        yield return (WithRaw(mirror, "max_frame_bytes", "1"), "with max_frame_bytes 1");
        yield return (WithRaw(mirror, "nonce", "\"n-replayed\""), "with another nonce inside (the fourth element unchanged)");
    }

    private static IEnumerable<(string, string)> BindTampers(string bind)
    {
        yield return (WithRaw(bind, "thread", "\"9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6e\""), "with another thread");
        yield return (WithRaw(bind, "context", "{\"intent\":{\"type\":\"learn\"}}"), "with another context");
        yield return (WithRaw(bind, "auth", "{\"scheme\":\"Bearer\",\"token\":\"stolen\"}"), "with other auth");
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>The same JSON value written differently: members in reverse order (recursively), indented, non-ASCII escaped.</summary>
    private static string Reshape(string json) => Reverse(JsonNode.Parse(json))!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonNode? Reverse(JsonNode? n) => n switch
    {
        JsonObject o => new JsonObject(o.Reverse().Select(kv => KeyValuePair.Create(kv.Key, Reverse(kv.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Reverse)]),
        _ => n?.DeepClone(),
    };

    private static string SignOver(Ed25519Signer key, params string[] jsonValues)
    {
        using var doc = JsonDocument.Parse("[" + string.Join(",", jsonValues) + "]");
        var value = doc.RootElement.GetArrayLength() == 1 ? doc.RootElement[0] : doc.RootElement;
        return SealSignature.Sign(key, Jcs.Canonicalize(value));
    }

    /// <summary>"ltp:jws:" + a detached JWS with an arbitrary protected header (its bytes as given).</summary>
    private static string JwsWith(Ed25519Signer key, string headerJson, byte[] payload)
    {
        var header = Base64Url.Encode(Encoding.UTF8.GetBytes(headerJson));
        var sig = key.Sign(Encoding.ASCII.GetBytes(header + "." + Base64Url.Encode(payload)));
        return Seal.SignaturePrefix + header + ".." + Base64Url.Encode(sig);
    }

    private static (string Header, byte[] Sig) Split(string signature)
    {
        var parts = signature[Seal.SignaturePrefix.Length..].Split('.');
        Base64Url.TryDecode(parts[2], out var sig);
        return (parts[0], sig);
    }

    private static string Compose(string header, byte[] sig) => Seal.SignaturePrefix + header + ".." + Base64Url.Encode(sig);

    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    private static byte[] AddL(byte[] s)
    {
        var v = new BigInteger(s, isUnsigned: true, isBigEndian: false) + L;
        var bytes = v.ToByteArray(isUnsigned: true, isBigEndian: false);
        var result = new byte[32];
        bytes.AsSpan(0, Math.Min(32, bytes.Length)).CopyTo(result);
        return result;
    }
}
