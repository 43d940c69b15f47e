// Typed readers for control-frame members. Each returns the failure as data (code + detail) so the state
// machines can turn it into exactly one error frame.
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conformance.Model.Lhs;

internal static partial class Fields
{
    /// <summary>Reads members in order and keeps the first failure; later reads return defaults.</summary>
    public sealed class Reader(JsonElement obj, LhsErrorCode code, string rule)
    {
        public LhsError? Error { get; private set; }

        private bool Fail(string detail) { Error ??= new LhsError(code, detail, rule); return false; }

        private bool Get(string name, out JsonElement v)
        {
            v = default;
            if (Error is not null) return false;
            return obj.TryGetProperty(name, out v) || Fail($"required field \"{name}\" is missing");
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
            if (Error is not null || !obj.TryGetProperty(name, out var v)) return null;
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
