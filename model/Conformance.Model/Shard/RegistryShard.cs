// The Lattice Registry's rules for one shard, as immutable state (SPEC-NOTES.md "Rollback and override", "Provenance
// and version conflicts"): entries are never deleted; a commit lands only on the canonical head and only for a new
// version; a rollback marks an active version inactive and, if it was canonical, reinstates its nearest active
// ancestor; every change appends to the audit log. The reference's SQLite store (LatticeRegistry) applies these rules and only
// makes their outcome durable; suites use them to say what an edge's registry must hold (vectors, property traces).
using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Conformance.Model.Shard;

public sealed record RegistryShard(string ShardId, string? Canonical, ImmutableList<RegistryVersion> Versions, ImmutableList<AuditFact> Audit)
{
    public static RegistryShard Empty(string shardId) => new(shardId, null, [], []);

    public ShardFacts Facts => new(ShardId, Canonical, Versions, Audit);

    public RegistryVersion? Find(string versionId) => Versions.FirstOrDefault(v => v.VersionId == versionId);

    /// <summary>The shard with <paramref name="versionId"/> committed on top, or why the registry refuses (nothing written).</summary>
    public (RegistryShard Next, string? Refusal) Commit(string versionId, string? expectedParent, string registryId, string shardHash, long size)
    {
        if (Find(versionId) is not null) return (this, $"version {versionId} of shard {ShardId} already exists");
        if (Canonical != expectedParent)
            return (this, $"shard {ShardId}: canonical version is {Canonical ?? "(none)"}, the commit expects {expectedParent ?? "(none)"}; rebase");
        return (this with
        {
            Canonical = versionId,
            Versions = Versions.Add(new RegistryVersion(versionId, RegistryStatus.Active, expectedParent, registryId, shardHash)),
            Audit = Audit.Add(Fact(AuditAction.Commit, versionId, new JsonObject
            {
                ["registry_id"] = registryId, ["previous_version_id"] = expectedParent, ["shard_hash"] = shardHash, ["size"] = size,
            })),
        }, null);
    }

    /// <summary>The shard with <paramref name="versionId"/> rolled back and the version reinstated as canonical (if any), or why the registry refuses.</summary>
    public (RegistryShard Next, string? Reinstated, string? Refusal) Rollback(string versionId, string reason)
    {
        var entry = Find(versionId);
        if (entry is null) return (this, null, $"shard {ShardId} has no version {versionId}");
        if (entry.Status != RegistryStatus.Active) return (this, null, $"version {versionId} of shard {ShardId} is already {entry.Status}");
        var versions = Versions.Replace(entry, entry with { Status = RegistryStatus.Inactive });
        var wasCanonical = Canonical == versionId;
        string? reinstated = null;
        if (wasCanonical)
        {
            // §2.4 "The prior valid version's reference is reinstated": the nearest active ancestor (a cycle ends the walk).
            var seen = new HashSet<string>(StringComparer.Ordinal) { versionId };
            for (var prev = entry.Previous; prev is not null && seen.Add(prev);)
            {
                var ancestor = versions.FirstOrDefault(v => v.VersionId == prev);
                if (ancestor is null) break;
                if (ancestor.Status == RegistryStatus.Active) { reinstated = prev; break; }
                prev = ancestor.Previous;
            }
        }
        var canonical = wasCanonical ? reinstated : Canonical;
        return (this with
        {
            Canonical = canonical,
            Versions = versions,
            Audit = Audit.Add(Fact(AuditAction.Rollback, versionId, new JsonObject
            {
                ["reason"] = reason, ["was_canonical"] = wasCanonical, ["reinstated"] = reinstated, ["canonical"] = canonical,
            })),
        }, reinstated, null);
    }

    /// <summary>The shard with an "override" audit record (an explicit, signed reference to an invalidated version).</summary>
    public RegistryShard Override(string versionId, string detailJson) =>
        this with { Audit = Audit.Add(new AuditFact(AuditAction.Override, versionId, JsonNode.Parse(detailJson)!.ToJsonString())) };

    private static AuditFact Fact(string action, string versionId, JsonObject detail) => new(action, versionId, detail.ToJsonString());
}
