// The Shard inputs a request carries (adapters/SHIM.md): the edge's configuration with the trust anchors' public keys
// taken from `keys`, a clock instant, and a session token given back to the edge model as its random draw.
using System.Globalization;
using System.Text.Json;
using Conformance.Model.Codec;
using Conformance.Model.Shard;

namespace Conformance.Cli.Shim;

internal static class ShardRequest
{
    public const string TokenPrefix = "EDGE-SESSION-";

    public static ShardEdgeConfig Config(JsonElement r)
    {
        var edge = r.GetProperty("edge");
        var publicKeys = r.GetProperty("keys").EnumerateArray()
            .ToDictionary(k => k.GetProperty("keyId").GetString()!, k => Convert.FromHexString(k.GetProperty("publicKey").GetString()!), StringComparer.Ordinal);
        var anchors = edge.GetProperty("trustAnchors").EnumerateArray().Select(a => a.GetString()!)
            .ToDictionary(id => id, id => publicKeys.TryGetValue(id, out var pk) ? pk : throw new FormatException($"trust anchor {id} is not among the keys"), StringComparer.Ordinal);
        return new ShardEdgeConfig([.. edge.GetProperty("protocolVersions").EnumerateArray().Select(v => v.GetString()!)], anchors,
            edge.TryGetProperty("authorityKeyId", out var a) ? a.GetString() : null,
            TimeSpan.FromSeconds(edge.GetProperty("authWindowSeconds").GetInt64()), TimeSpan.FromSeconds(edge.GetProperty("sessionLifetimeSeconds").GetInt64()));
    }

    public static DateTimeOffset Time(JsonElement e) =>
        DateTimeOffset.Parse(e.GetString() ?? throw new FormatException("a time is null"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The 16 random bytes the edge model turns into <paramref name="token"/> (its tokens are the prefix + base64url of them).</summary>
    public static byte[] TokenBytes(string token) =>
        token.StartsWith(TokenPrefix, StringComparison.Ordinal) && Base64Url.TryDecode(token[TokenPrefix.Length..], out var b) && b.Length == 16
            ? b : throw new FormatException($"session token {token} is not one the reference edge could have issued");
}
