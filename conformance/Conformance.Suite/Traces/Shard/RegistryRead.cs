// A registry_state the edge sent, against the one the model's shadow registry gives for the same shard: the versions
// with their status, previous version and shard hash, the canonical version, and the audit log (its actions, versions
// and, for a rollback, the reason and the version reinstated). What the edge picks itself (registry ids, the order of
// the lists, other audit details) need not match. Each difference is cited under the rule it breaks.
using System.Text.Json;
using Conformance.Model.Shard;

namespace Conformance.Suite.Traces.Shard;

internal static class RegistryRead
{
    private const string Commit = "SHARD-2.3-commit", Entry = "SHARD-2.3-entry", Atomic = "SHARD-4.3-atomic", Durable = "SHARD-4.3-durable",
        Rollback = "SHARD-2.4-rollback", Audit = "SHARD-2.4-audit", Override = "SHARD-2.4-override";

    internal sealed record Version(string Id, string Status, string? Previous, string? Hash);
    internal sealed record Logged(string Action, string Version, string? Reason, string? Reinstated);

    /// <summary>False once a check failed. <paramref name="restarted"/>: the edge was restarted in this trace, so what it lost is durability.</summary>
    public static bool Judge(Core.Checks checks, JsonElement want, JsonElement got, bool restarted)
    {
        var (wantCanonical, wantVersions, wantAudit) = Read(want);
        var (gotCanonical, gotVersions, gotAudit) = Read(got);
        var lost = restarted ? Durable : Commit;
        var held = $"versions [{string.Join(", ", gotVersions.Select(v => $"{v.Id}:{v.Status}"))}]";
        foreach (var v in wantVersions)
        {
            var other = gotVersions.FirstOrDefault(x => x.Id == v.Id);
            // §2.4 "without deleting it, for audit reasons": a rolled-back version stays, inactive.
            if (!checks.Expect(v.Status == RegistryStatus.Inactive ? Rollback : lost, other is not null, $"version {v.Id} in the registry, {v.Status}", held)) return false;
            if (!checks.Expect(Rollback, other!.Status == v.Status, $"version {v.Id} {v.Status}", $"version {v.Id} {other.Status}")) return false;
            if (!checks.Expect(Entry, other.Previous == v.Previous && other.Hash == v.Hash, $"{v.Id}: previous {v.Previous ?? "(none)"}, shard hash {v.Hash}",
                $"{v.Id}: previous {other.Previous ?? "(none)"}, shard hash {other.Hash}")) return false;
        }
        var extra = gotVersions.Where(x => wantVersions.All(v => v.Id != x.Id)).Select(x => x.Id).ToArray();
        if (!checks.Expect(Atomic, extra.Length == 0, $"only the versions committed: [{string.Join(", ", wantVersions.Select(v => v.Id))}]", held)) return false;
        // The canonical version is the last commit's, or what the last rollback reinstated.
        var canonicalRule = wantAudit.LastOrDefault(a => a.Action is AuditAction.Commit or AuditAction.Rollback)?.Action == AuditAction.Rollback ? Rollback : lost;
        if (!checks.Expect(canonicalRule, gotCanonical == wantCanonical, $"canonical {wantCanonical ?? "(none)"}", $"canonical {gotCanonical ?? "(none)"}")) return false;
        foreach (var (action, rule) in new[] { (AuditAction.Rollback, Audit), (AuditAction.Override, Override), (AuditAction.Commit, Entry) })
        {
            var w = Entries(wantAudit, action);
            var g = Entries(gotAudit, action);
            if (!checks.Expect(rule, w.SequenceEqual(g), $"audit {action}: [{string.Join("; ", w)}]", $"audit {action}: [{string.Join("; ", g)}]")) return false;
        }
        return true;
    }

    private static string[] Entries(IEnumerable<Logged> log, string action) =>
        [.. log.Where(a => a.Action == action)
            .Select(a => action == AuditAction.Rollback ? $"{a.Version} (reason {a.Reason ?? "(none)"}, reinstated {a.Reinstated ?? "(none)"})" : a.Version)
            .Order(StringComparer.Ordinal)];

    /// <summary>A registry_state as far as it is well-formed: what is missing or mistyped reads as absent.</summary>
    internal static (string? Canonical, Version[] Versions, Logged[] Audit) Read(JsonElement j)
    {
        if (j.ValueKind != JsonValueKind.Object) return (null, [], []);
        return (Str(j, "canonical"),
            [.. Array(j, "versions").Where(v => Str(v, "version_id") is not null)
                .Select(v => new Version(Str(v, "version_id")!, Str(v, "status") ?? "(none)", Str(v, "previous"), Str(v, "shard_hash")))],
            [.. Array(j, "audit").Where(a => Str(a, "action") is not null && Str(a, "version_id") is not null)
                .Select(a => a.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.Object
                    ? new Logged(Str(a, "action")!, Str(a, "version_id")!, Str(d, "reason"), Str(d, "reinstated"))
                    : new Logged(Str(a, "action")!, Str(a, "version_id")!, null, null))]);
    }

    private static IEnumerable<JsonElement> Array(JsonElement j, string name) =>
        j.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Object) : [];

    private static string? Str(JsonElement j, string name) =>
        j.ValueKind == JsonValueKind.Object && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
