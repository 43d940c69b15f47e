// The registry's rules as the model states them (RegistryShard): what a commit, a rollback and an override leave in
// the registry, and what the registry refuses.
using System.Text.Json;
using Conformance.Model.Shard;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Model;

public static class RegistryShardTests
{
    private static RegistryShard Committed(RegistryShard r, string version)
    {
        var (next, refusal) = r.Commit(version, r.Canonical, "id-" + version, new string('a', 64), 10);
        Expect.isNull(refusal, $"{version} commits");
        return next;
    }

    private static string? Member(AuditFact a, string name)
    {
        using var d = JsonDocument.Parse(a.Detail);
        return d.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    public static Test Tests() => TestList("model.shard-registry",
    [
        TestCase("a commit lands only on the canonical head and only for a new version; each is audited", () =>
        {
            var r = Committed(Committed(RegistryShard.Empty("s"), "v1.0.0"), "v2.0.0");
            Expect.equal(r.Canonical, "v2.0.0", "the last commit is canonical");
            Expect.equal(r.Find("v2.0.0")!.Previous, "v1.0.0", "linked to its parent");
            Expect.isNotNull(r.Commit("v3.0.0", "v1.0.0", "x", new string('b', 64), 1).Refusal, "a stale parent is refused");
            Expect.isNotNull(r.Commit("v2.0.0", "v2.0.0", "x", new string('b', 64), 1).Refusal, "an existing version is refused");
            Expect.sequenceEqual(r.Audit.Select(a => $"{a.Action} {a.VersionId}"), ["commit v1.0.0", "commit v2.0.0"], "both commits audited");
        }),
        TestCase("a rollback keeps the version inactive, reinstates the nearest active ancestor and audits the reason", () =>
        {
            var r = Committed(Committed(Committed(RegistryShard.Empty("s"), "v1.0.0"), "v2.0.0"), "v3.0.0");
            var (older, reinstatedNone, refusal) = r.Rollback("v2.0.0", "bad middle");
            Expect.isNull(refusal, "an active version that is not canonical rolls back");
            Expect.isNull(reinstatedNone, "the canonical version does not change");
            Expect.equal(older.Canonical, "v3.0.0", "v3.0.0 stays canonical");
            var (top, reinstated, _) = older.Rollback("v3.0.0", "user-initiated revert");
            Expect.equal(reinstated, "v1.0.0", "the nearest active ancestor, past the inactive v2.0.0");
            Expect.equal(top.Canonical, "v1.0.0", "is canonical again");
            Expect.sequenceEqual(top.Versions.Select(v => $"{v.VersionId}:{v.Status}"), ["v1.0.0:active", "v2.0.0:inactive", "v3.0.0:inactive"], "nothing deleted");
            var last = top.Audit[^1];
            Expect.equal((last.Action, last.VersionId, Member(last, "reason"), Member(last, "reinstated")), ("rollback", "v3.0.0", "user-initiated revert", "v1.0.0"), "audited with reason and reinstated version");
            var (none, gone, _) = Committed(RegistryShard.Empty("t"), "v1.0.0").Rollback("v1.0.0", "only one");
            Expect.equal((none.Canonical, gone), ((string?)null, (string?)null), "the only version rolled back: no canonical version");
        }),
        TestCase("a rollback of an unknown or inactive version is refused and changes nothing; an override is audited", () =>
        {
            var r = Committed(RegistryShard.Empty("s"), "v1.0.0");
            var (same, _, refusal) = r.Rollback("v9.0.0", "no such");
            Expect.isNotNull(refusal, "unknown version refused");
            Expect.equal(same, r, "nothing changed");
            var (rolled, _, _) = r.Rollback("v1.0.0", "first");
            Expect.isNotNull(rolled.Rollback("v1.0.0", "again").Refusal, "already inactive refused");
            var o = rolled.Override("v2.0.0", "{\"parent_version_id\":\"v1.0.0\",\"reason\":\"r\"}");
            Expect.equal((o.Audit[^1].Action, o.Audit[^1].VersionId, Member(o.Audit[^1], "parent_version_id")), ("override", "v2.0.0", "v1.0.0"), "the override is audited");
        }),
    ]);
}
