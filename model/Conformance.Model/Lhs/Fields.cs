// Typed readers for control-frame members. Each returns the failure as data (code + detail) so the state
// machines can turn it into exactly one error frame.
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conformance.Model.Lhs;

internal static partial class Fields
{
    /// <summary>
    /// Reads members in order and keeps every failure, so the error names each missing or mistyped field, not just the
    /// first; a failed read returns a default.
    /// </summary>
    public sealed class Reader(JsonElement obj, LhsErrorCode code, string rule)
    {
        private readonly List<string> _problems = [];

        public LhsError? Error => _problems.Count == 0 ? null : new LhsError(code, Describe(_problems), rule);

        /// <summary>Each failure on its own (the members read so far).</summary>
        public IReadOnlyList<string> Problems => _problems;

        private bool Fail(string detail) { _problems.Add(detail); return false; }

        private bool Get(string name, out JsonElement v) =>
            obj.TryGetProperty(name, out v) || Fail($"required field \"{name}\" is missing");

        /// <summary>Missing fields named together ("required fields "a", "b" are missing"), then the rest, in order.</summary>
        private static string Describe(List<string> problems)
        {
            const string prefix = "required field ", suffix = " is missing";
            var missing = problems.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.EndsWith(suffix, StringComparison.Ordinal))
                .Select(p => p[prefix.Length..^suffix.Length]).ToArray();
            var rest = problems.Where(p => !(p.StartsWith(prefix, StringComparison.Ordinal) && p.EndsWith(suffix, StringComparison.Ordinal)));
            var head = missing.Length switch
            {
                0 => null,
                1 => $"required field {missing[0]} is missing",
                _ => $"required fields {string.Join(", ", missing)} are missing",
            };
            return string.Join("; ", new[] { head }.Concat(rest).Where(x => x is not null));
        }

        public string String(string name, bool nonEmpty = true)
        {
            if (!Get(name, out var v)) return "";
            if (v.ValueKind != JsonValueKind.String) { Fail($"\"{name}\" must be a string"); return ""; }
            var s = v.GetString()!;
            if (nonEmpty && s.Length == 0) Fail($"\"{name}\" must not be empty");
            return s;
        }

        public IReadOnlyList<string> StringArray(string name)
        {
            if (!Get(name, out var v)) return [];
            if (v.ValueKind != JsonValueKind.Array) { Fail($"\"{name}\" must be an array of strings"); return []; }
            var list = new List<string>();
            foreach (var item in v.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String) { Fail($"\"{name}\" must contain only strings"); return []; }
                list.Add(item.GetString()!);
            }
            return list;
        }

        public int PositiveInt(string name)
        {
            if (!Get(name, out var v)) return 0;
            // I-JSON numbers are doubles: 65536, 65536.0 and 6.5536e4 are the same value.
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || d != Math.Floor(d) || d < 1 || d > int.MaxValue)
            { Fail($"\"{name}\" must be an integer from 1 to {int.MaxValue}"); return 0; }
            return (int)d;
        }

        public JsonElement? OptionalObject(string name)
        {
            if (!obj.TryGetProperty(name, out var v)) return null;
            if (v.ValueKind != JsonValueKind.Object) { Fail($"\"{name}\" must be an object when present"); return null; }
            return v;
        }
    }

    /// <summary>"major.minor" or "major.minor.patch", decimal without leading zeros.</summary>
    public static bool TryVersionMajor(string version, out int major)
    {
        major = -1;
        var m = VersionPattern().Match(version);
        return m.Success && int.TryParse(m.Groups[1].Value, out major);
    }

    /// <summary>LHS §3.3: "thread MUST be a stable identifier (UUID or ULID)".</summary>
    public static bool IsUuidOrUlid(string s) => UuidPattern().IsMatch(s) || UlidPattern().IsMatch(s);

    [GeneratedRegex(@"^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8}))?\z")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z")]
    private static partial Regex UuidPattern();

    // Crockford base32, 26 characters; the first is 0-7 because a ULID is 128 bits.
    [GeneratedRegex(@"^[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}\z")]
    private static partial Regex UlidPattern();
}
