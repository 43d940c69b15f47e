// Typed member reads for Shard messages; the first failure is kept as a ShardError (rule SHARD-3-messages unless given).
using System.Text.Json;

namespace Conformance.Model.Shard;

internal sealed class ShardReader(JsonElement obj, string what, string rule = ShardRules.Messages)
{
    public ShardError? Error { get; private set; }

    public bool Fail(string detail, ShardErrorCode code = ShardErrorCode.InvalidMessage, string? ruleOverride = null)
    {
        Error ??= new ShardError(code, $"{what}: {detail}", ruleOverride ?? rule);
        return false;
    }

    private bool Get(string name, out JsonElement v)
    {
        v = default;
        return Error is null && (obj.TryGetProperty(name, out v) || Fail($"\"{name}\" is missing"));
    }

    public string Str(string name)
    {
        if (!Get(name, out var v)) return "";
        if (v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0) return v.GetString()!;
        Fail($"\"{name}\" must be a non-empty string");
        return "";
    }

    public string? NullableStr(string name)
    {
        if (!Get(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0) return v.GetString();
        Fail($"\"{name}\" must be a string or null");
        return null;
    }

    public long Long(string name, long min, long max)
    {
        if (!Get(name, out var v)) return 0;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d == Math.Floor(d) && d >= min && d <= max) return (long)d;
        Fail($"\"{name}\" must be an integer from {min} to {max}");
        return 0;
    }

    public JsonElement Obj(string name)
    {
        if (!Get(name, out var v)) return default;
        if (v.ValueKind == JsonValueKind.Object) return v;
        Fail($"\"{name}\" must be an object");
        return default;
    }

    public JsonElement? OptionalObj(string name)
    {
        if (Error is not null || !obj.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Object) return v;
        Fail($"\"{name}\" must be an object");
        return null;
    }

    public IReadOnlyList<JsonElement> Array(string name)
    {
        if (!Get(name, out var v)) return [];
        if (v.ValueKind == JsonValueKind.Array) return [.. v.EnumerateArray()];
        Fail($"\"{name}\" must be an array");
        return [];
    }

    public IReadOnlyList<string> Strings(string name)
    {
        var items = Array(name);
        if (items.Any(i => i.ValueKind != JsonValueKind.String)) { Fail($"\"{name}\" must hold only strings"); return []; }
        return [.. items.Select(i => i.GetString()!)];
    }

    public byte[] Hex32(string name)
    {
        var s = Str(name);
        if (Error is not null) return [];
        if (VersionIds.Hex64().IsMatch(s)) return Convert.FromHexString(s);
        Fail($"\"{name}\" must be 64 lowercase hex digits");
        return [];
    }
}
