// An agent identity: its Ed25519 key, agent_id, and the derived fingerprint (DESIGN.md: lowercase hex SHA-256 of the
// raw 32-byte public key). The spec shows "pubkey": "base64": standard base64 with padding (SPEC-NOTES.md).
using System.Security.Cryptography;
using Conformance.Model.Ltp;

namespace Conformance.Model.Cip;

public sealed record CipIdentity(string AgentId, Ed25519Signer Key)
{
    public string Fingerprint { get; } = FingerprintOf(Key.PublicKey);
    public string PublicKeyBase64 { get; } = Convert.ToBase64String(Key.PublicKey);

    public static string FingerprintOf(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey));
}
