// §3.5 "Could be a human-readable Major.Minor.Patch or a deterministic hash-based scheme: e.g., v2.1.0 or
// hash-based: 7ecf349b1…". The project's forms: "v<major>.<minor>.<patch>" and "mth:<64 hex>", the RFC 6962 tree
// head of the payload's chunks (SPEC-NOTES.md "Version IDs").
using System.Text.RegularExpressions;

namespace Conformance.Model.Shard;

public static partial class VersionIds
{
    public const string HashPrefix = "mth:";

    public static bool IsValid(string v) => Semver().IsMatch(v) || IsHashBased(v);

    public static bool IsHashBased(string v) => v.StartsWith(HashPrefix, StringComparison.Ordinal) && Hex64().IsMatch(v[HashPrefix.Length..]);

    public static string ForRoot(ReadOnlySpan<byte> root) => HashPrefix + Convert.ToHexStringLower(root);

    [GeneratedRegex(@"^v(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\z")]
    private static partial Regex Semver();

    [GeneratedRegex("^[0-9a-f]{64}\\z")]
    public static partial Regex Hex64();
}
