// §2.4 Rollback & Reversion Hooks — "The Lattice Registry flags the newly inserted shard version as invalid or
// inactive (without deleting it, for audit reasons). The prior valid version's reference is reinstated as the canonical
// shard […] Both the CCML Node and the Oneiric Lattice preserve logs of the rollback event […] Future attempts to
// reference the invalidated version must pass through a strict override process."
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Shard;
using Conformance.Suite.Core;
using Conformance.Suite.Shard.Play;
using static Conformance.Suite.Shard.ShardCase;

namespace Conformance.Suite.Shard;

internal static class S2_4_Rollback
{
    private const string Rollback = "SHARD-2.4-rollback", Audit = "SHARD-2.4-audit", Override = "SHARD-2.4-override", Auth = "SHARD-2.4-rollback-auth";

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Edge("SHARD-E-rollback", "§2.4", "Rollback with audit and reinstatement",
            "Commits v1 and v2, requests a signed rollback of v2: Rollback-Intent; v2 stays in the registry, inactive; v1 is canonical again; the audit log records it.",
            [Rollback, Audit], async w =>
            {
                var shard = await TwoVersions(w);
                if (shard is null) return w.Checks.Verdict();
                var (_, r) = await RequestRollback(w, shard, "v2.0.0", ShardClient.NodeKey);
                w.Checks.Expect(Rollback, r.Type == "rollback_intent" && r.Str("version_id") == "v2.0.0" && r.Str("reinstated") == "v1.0.0",
                    "rollback_intent for v2.0.0 reinstating v1.0.0", r.Describe(), r.Silent);
                var state = await ShardClient.QueryAsync(w.Ctx, shard);
                var (canonical, versions) = ShardWorld.Versions(state);
                w.Checks.Expect(Rollback, canonical == "v1.0.0" && versions.Contains(("v2.0.0", RegistryStatus.Inactive)) && versions.Contains(("v1.0.0", RegistryStatus.Active)),
                    "canonical v1.0.0; v2.0.0 still present and inactive", state.Describe());
                var audit = state.Json.TryGetProperty("audit", out var a) ? a.EnumerateArray().ToArray() : [];
                w.Checks.Expect(Audit, audit.Any(x => x.GetProperty("action").GetString() == AuditAction.Rollback && x.GetProperty("version_id").GetString() == "v2.0.0"
                    && x.GetProperty("detail").GetRawText().Contains("user-initiated revert", StringComparison.Ordinal)),
                    "an audit entry for the rollback of v2.0.0 with its reason", state.Describe());
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-rollback-unsigned", "§2.4", "Rollback requested by a stranger", "Commits v1 and v2, then asks to roll back v2 with a key that is not a trust anchor.",
            [Auth], async w =>
            {
                var shard = await TwoVersions(w);
                if (shard is null) return w.Checks.Verdict();
                var (c, r) = await RequestRollback(w, shard, "v2.0.0", ShardClient.Stranger);
                w.Refused(c, r, Auth, "a rollback signed by a stranger");
                await w.Untouched(shard, "v2.0.0", ["v1.0.0", "v2.0.0"], Auth, "after the refused rollback");
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-rollback-unknown", "§2.4", "Rollback of a version that does not exist", "Commits v1 and v2, then asks to roll back v7.0.0.",
            [Auth], async w =>
            {
                var shard = await TwoVersions(w);
                if (shard is null) return w.Checks.Verdict();
                var (c, r) = await RequestRollback(w, shard, "v7.0.0", ShardClient.NodeKey);
                w.Refused(c, r, Auth, "a rollback of an unknown version");
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-invalidated-parent", "§2.4", "Building on an invalidated version without override",
            "Commits v1 and v2, rolls back v2, then uploads v3 with parent v2: refused.",
            [Override, Rollback], async w =>
            {
                var shard = await RolledBack(w);
                if (shard is null) return w.Checks.Verdict();
                var c = await w.ConnectAsync();
                w.RefusedAtHeader(c, await c.UploadAsync(w.NewPayload(shard, "v3.0.0", "v2.0.0")), Override, "an upload on an invalidated parent");
                await w.Untouched(shard, "v1.0.0", ["v1.0.0", "v2.0.0"]);
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-invalidated-override", "§2.4", "Building on an invalidated version with the authority's override",
            "Commits v1 and v2, rolls back v2, then uploads v3 on v2 carrying an override signed by the suite's authority: committed, and the override audited.",
            [Override, Audit, Rollback], async w =>
            {
                var shard = await RolledBack(w);
                if (shard is null) return w.Checks.Verdict();
                var c = await w.ConnectAsync();
                var grant = ShardClient.Override(shard, "v3.0.0", "v2.0.0", "restore the reviewed branch", ShardClient.Authority);
                var r = await c.UploadAsync(w.NewPayload(shard, "v3.0.0", "v2.0.0"), grant);
                w.Checks.Expect(Override, r.Type == "commit_ack", "with the signed override, the upload commits", r.Describe(), r.Silent);
                var state = await ShardClient.QueryAsync(w.Ctx, shard);
                var audit = state.Json.TryGetProperty("audit", out var a) ? a.EnumerateArray().ToArray() : [];
                w.Checks.Expect(Audit, audit.Any(x => x.GetProperty("action").GetString() == AuditAction.Override && x.GetProperty("version_id").GetString() == "v3.0.0"),
                    "an audit entry for the override", state.Describe());
                return w.Checks.Verdict();
            });
        yield return Edge("SHARD-E-override-not-authority", "§2.4", "An override signed by someone else",
            "Commits v1 and v2, rolls back v2, then uploads v3 on v2 with an override signed by the node's key (a trust anchor, not the authority): refused.",
            [Override, Rollback], async w =>
            {
                var shard = await RolledBack(w);
                if (shard is null) return w.Checks.Verdict();
                var c = await w.ConnectAsync();
                var grant = ShardClient.Override(shard, "v3.0.0", "v2.0.0", "self-service", ShardClient.NodeKey);
                w.RefusedAtHeader(c, await c.UploadAsync(w.NewPayload(shard, "v3.0.0", "v2.0.0"), grant), Override, "an override not signed by the authority");
                return w.Checks.Verdict();
            });
    }

    private static async Task<string?> TwoVersions(ShardWorld w)
    {
        var shard = w.NewShardId();
        return await w.CommitAsync(w.NewPayload(shard, "v1.0.0", null)) && await w.CommitAsync(w.NewPayload(shard, "v2.0.0", "v1.0.0")) ? shard : null;
    }

    private static async Task<string?> RolledBack(ShardWorld w)
    {
        var shard = await TwoVersions(w);
        if (shard is null) return null;
        var (_, r) = await RequestRollback(w, shard, "v2.0.0", ShardClient.NodeKey);
        return w.Checks.Expect(Rollback, r.Type == "rollback_intent", "the rollback of v2.0.0 is confirmed", r.Describe(), r.Silent) ? shard : null;
    }

    /// <summary>A rollback request on a connection of its own: the connection (to ask the oracle about) and the reply.</summary>
    private static async Task<(ShardClient C, Reply R)> RequestRollback(ShardWorld w, string shard, string version, Model.Ltp.Ed25519Signer key)
    {
        var c = await w.ConnectAsync();
        await c.SendAsync(ShardClient.RollbackRequest(shard, version, "user-initiated revert", key));
        var r = await c.ExpectAsync("rollback_intent");
        await w.Ctx.ReleaseAsync(c.Conn);
        return (c, r);
    }
}
