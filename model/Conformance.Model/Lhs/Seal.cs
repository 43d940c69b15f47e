// LHS §3.4 Seal (server → client): "The signature MUST be produced via LTP over the canonical concatenation of
// the hello, mirror and bind payloads plus the server nonce. If verification fails, the client MUST abort."
// The project reads "canonical concatenation" as JCS([hello, mirror, bind, nonce]) and LTP as
// "ltp:jws:" + detached compact JWS with EdDSA (SPEC-NOTES.md, "Seal signature").
using System.Text.Json;
using Conformance.Model.Ltp;

namespace Conformance.Model.Lhs;

public sealed record Seal(JsonElement Json, string SessionId, string Signature)
{
    public const string SignaturePrefix = "ltp:jws:";

    public static Checked<Seal> Validate(ControlFrame frame)
    {
        // A seal without a signature cannot be trusted: that is a trust failure, not a shape error.
        var sr = new Fields.Reader(frame.Json, LhsErrorCode.TrustFailed, LhsRules.SealCovers);
        var signature = sr.String("signature");
        if (sr.Error is { } se) return Checked.Fail<Seal>(se);
        var r = new Fields.Reader(frame.Json, LhsErrorCode.InvalidFrame, LhsRules.SealFields);
        var sessionId = r.String("session_id");
        r.OptionalObject("features");
        return r.Error is { } e ? Checked.Fail<Seal>(e) : Checked.Ok(new Seal(frame.Json, sessionId, signature));
    }
}

/// <summary>The seal's signing input and its LTP signature.</summary>
public static class SealSignature
{
    /// <summary>JCS([hello, mirror, bind, nonce]): the three frames as parsed from the wire, and the nonce.</summary>
    public static byte[] Payload(JsonElement hello, JsonElement mirror, JsonElement bind, string nonce)
    {
        using var doc = JsonDocument.Parse(
            $"[{hello.GetRawText()},{mirror.GetRawText()},{bind.GetRawText()},{JsonSerializer.Serialize(nonce)}]");
        return Jcs.Canonicalize(doc.RootElement);
    }

    public static string Sign(Ed25519Signer key, byte[] payload) => Seal.SignaturePrefix + DetachedJws.Sign(key, payload);

    /// <summary>Null when the signature verifies over <paramref name="payload"/> with <paramref name="serverKey"/>.</summary>
    public static LhsError? Verify(string signature, byte[] payload, ReadOnlySpan<byte> serverKey)
    {
        if (!signature.StartsWith(Seal.SignaturePrefix, StringComparison.Ordinal))
            return new(LhsErrorCode.TrustFailed, $"signature does not start with \"{Seal.SignaturePrefix}\"", LhsRules.SealCovers);
        return DetachedJws.Verify(signature[Seal.SignaturePrefix.Length..], payload, serverKey) switch
        {
            DetachedJws.Result.Ok => null,
            DetachedJws.Result.Malformed => new(LhsErrorCode.TrustFailed, "signature is not a detached compact JWS", LhsRules.SealCovers),
            DetachedJws.Result.UnsupportedHeader => new(LhsErrorCode.TrustFailed, "JWS header is not {\"alg\":\"EdDSA\"} without crit/b64", LhsRules.SealCovers),
            _ => new(LhsErrorCode.TrustFailed, "signature does not verify over JCS([hello, mirror, bind, nonce]) with the server key", LhsRules.SealCovers),
        };
    }
}

/// <summary>What a seal carries besides its signature (SPEC-NOTES.md, "Seal fields"; model level).</summary>
public static class SealRules
{
    public static LhsError? CheckDetails(Seal seal, Mirror mirror, DateTimeOffset now)
    {
        var j = seal.Json;
        if (!j.TryGetProperty("expires_at", out var exp) || exp.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(exp.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            return new(LhsErrorCode.InvalidFrame, "expires_at is missing or not an RFC 3339 time", LhsRules.SealFields);
        if (at <= now) return new(LhsErrorCode.InvalidFrame, $"expires_at {exp.GetString()} is not in the future", LhsRules.SealFields);
        if (!j.TryGetProperty("features", out var f) || f.ValueKind != JsonValueKind.Object
            || !f.TryGetProperty("ltp", out var ltp) || ltp.ValueKind != JsonValueKind.Object
            || !ltp.TryGetProperty("jws", out var jws) || jws.ValueKind != JsonValueKind.Object)
            return new(LhsErrorCode.InvalidFrame, "features.ltp.jws is missing", LhsRules.SealFields);
        if (!jws.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "EdDSA")
            return new(LhsErrorCode.InvalidFrame, "features.ltp.jws.alg is not \"EdDSA\"", LhsRules.SealFields);
        if (!jws.TryGetProperty("nonce", out var nonce) || nonce.ValueKind != JsonValueKind.String || nonce.GetString() != mirror.Nonce)
            return new(LhsErrorCode.InvalidFrame, "features.ltp.jws.nonce is not the mirror's nonce", LhsRules.SealFields);
        return null;
    }
}
