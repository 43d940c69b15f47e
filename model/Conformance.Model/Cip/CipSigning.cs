// §2.2 "sign: signature over canonical JSON form of the envelope (excluding sign)." §7 "Sign every message using
// Ed25519. Canonical JSON required for signing." Canonical JSON is RFC 8785 (JCS).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Ltp;

namespace Conformance.Model.Cip;

public static class CipSigning
{
    /// <summary>JCS of the envelope without its "sign" member: the bytes the signature covers.</summary>
    public static byte[] SigningInput(JsonElement envelope)
    {
        var node = JsonNode.Parse(envelope.GetRawText())!.AsObject();
        node.Remove("sign");
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return Jcs.Canonicalize(doc.RootElement);
    }

    /// <summary>Adds "sign" to an unsigned envelope object and returns the envelope text.</summary>
    public static string Sign(JsonObject unsigned, Ed25519Signer key)
    {
        unsigned.Remove("sign");
        using var doc = JsonDocument.Parse(unsigned.ToJsonString());
        var signature = key.Sign(Jcs.Canonicalize(doc.RootElement));
        unsigned["sign"] = new JsonObject { ["algo"] = "ed25519", ["signature"] = Convert.ToBase64String(signature) };
        return unsigned.ToJsonString(Lhs.LhsJson.Options);
    }

    /// <summary>Null when the fingerprint matches the key and the signature verifies; otherwise the rule broken.</summary>
    public static CipError? Verify(CipEnvelope e) => VerifyFingerprint(e) ?? VerifySignature(e);

    /// <summary>§4.1 "fingerprint matches pubkey": null when sender.fingerprint is SHA-256 of sender.pubkey.</summary>
    public static CipError? VerifyFingerprint(CipEnvelope e) =>
        CipIdentity.FingerprintOf(e.PublicKey) != e.Sender.Fingerprint ? new(CipRules.Fingerprint, "sender.fingerprint is not SHA-256 of sender.pubkey") : null;

    /// <summary>§7: null when the Ed25519 signature by sender.pubkey verifies over JCS of the envelope without "sign".</summary>
    public static CipError? VerifySignature(CipEnvelope e) =>
        Ed25519.Verify(e.PublicKey, SigningInput(e.Json), e.Signature) ? null
            : new(CipRules.Sign, "the signature does not verify over JCS of the envelope without \"sign\"");

    /// <summary>§4.1 step 2: the response to a challenge, signed (SPEC-NOTES.md "Challenge response").</summary>
    public static byte[] ChallengeResponseInput(ReadOnlySpan<byte> challenge) =>
        [.. "CIP/1.0 challenge-response:"u8, .. challenge];

    /// <summary>
    /// What a peer's challenge_response proves. §4.1 says only "response to A's challenge (signed)": any Ed25519
    /// signature by the peer's key over the challenge answers it (must); signing it behind the project's domain prefix
    /// is the model's reading (SPEC-NOTES.md "Challenge response").
    /// </summary>
    public static ChallengeAnswer ReadChallengeResponse(ReadOnlySpan<byte> key, ReadOnlySpan<byte> challenge, byte[]? response)
    {
        if (response is null) return ChallengeAnswer.Missing;
        if (Ed25519.Verify(key, ChallengeResponseInput(challenge), response)) return ChallengeAnswer.Prefixed;
        // The challenge's raw bytes, or the base64 text it travelled as: both are "the challenge", signed.
        if (Ed25519.Verify(key, challenge, response) || Ed25519.Verify(key, System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(challenge)), response))
            return ChallengeAnswer.Unprefixed;
        return ChallengeAnswer.Wrong;
    }
}

/// <summary>How a challenge_response answers the challenge (<see cref="CipSigning.ReadChallengeResponse"/>).</summary>
public enum ChallengeAnswer
{
    /// <summary>No challenge_response at all.</summary>
    Missing,
    /// <summary>Signed over "CIP/1.0 challenge-response:" and the challenge: the model's form.</summary>
    Prefixed,
    /// <summary>Signed over the challenge itself (raw bytes or its base64 text): answers it, without the prefix.</summary>
    Unprefixed,
    /// <summary>Does not verify over the challenge in any form.</summary>
    Wrong,
}
