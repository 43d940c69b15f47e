// What the Lattice Registry store holds and returns: plain immutable records, no behaviour.
namespace Conformance.Reference.Shard.Store;

/// <summary>One registry entry. Entries are never deleted; a rollback only sets <see cref="Status"/> to "inactive".</summary>
public sealed record RegistryEntry(string RegistryId, string ShardId, string VersionId, string? PreviousVersionId, string ShardHash,
    string Provenance /* JSON text */, DateTimeOffset Timestamp, string Status /* "active" | "inactive" */, long Size);

/// <summary>One line of the append-only audit log; <see cref="Seq"/> increases with every record.</summary>
public sealed record AuditRecord(long Seq, DateTimeOffset At, string Action /* "commit" | "rollback" | "override" */, string ShardId,
    string VersionId, string Detail /* JSON text */);

/// <summary>A shard's current canonical version (null: none) and all its entries, oldest first.</summary>
public sealed record ShardView(string ShardId, string? Canonical, IReadOnlyList<RegistryEntry> Entries);

/// <summary>A resumable upload: which chunks have been stored (chunk index → 32-byte leaf hash).</summary>
public sealed record SessionRecord(string Token, string ShardId, string HeaderJson, DateTimeOffset CreatedAt, string State /* "open" | "committed" */,
    IReadOnlyDictionary<int, byte[]> Received);

/// <summary>
/// Commit the payload staged under <paramref name="Token"/> as version <paramref name="VersionId"/> of
/// <paramref name="ShardId"/>; <paramref name="ExpectedParent"/> must be the shard's current canonical version (null: none yet).
/// </summary>
public sealed record CommitRequest(string Token, string ShardId, string VersionId, string? ExpectedParent, string ShardHash, string Provenance,
    long Size, DateTimeOffset At);

/// <summary>The registry refused a change because of its current state (wrong parent, duplicate version, used or unknown
/// session, rollback of an inactive entry). Nothing was written.</summary>
public sealed class RegistryConflictException(string message) : Exception(message);
