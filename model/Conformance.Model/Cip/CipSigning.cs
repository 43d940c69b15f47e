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
    public static CipError? Verify(CipEnvelope e)
    {
        // §4.1 "fingerprint matches pubkey"
        if (CipIdentity.FingerprintOf(e.PublicKey) != e.Sender.Fingerprint)
            return new(CipRules.Fingerprint, "sender.fingerprint is not SHA-256 of sender.pubkey");
        if (!Ed25519.Verify(e.PublicKey, SigningInput(e.Json), e.Signature))
            return new(CipRules.Sign, "the signature does not verify over JCS of the envelope without \"sign\"");
        return null;
    }

    /// <summary>§4.1 step 2: the response to a challenge, signed (SPEC-NOTES.md "Challenge response").</summary>
    public static byte[] ChallengeResponseInput(ReadOnlySpan<byte> challenge) =>
        [.. "CIP/1.0 challenge-response:"u8, .. challenge];
}
