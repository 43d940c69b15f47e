// The Lattice Registry as the edge model sees it (§2.2, §2.4, §4.3): what ShardEdge.Run performs the model's registry
// effects against. The model stays pure: the in-memory registry (MemoryRegistry) and the reference's SQLite store
// (Conformance.Reference LatticeRegistryPort) implement it; the rules both apply are RegistryShard's and RegistrySessions'.
namespace Conformance.Model.Shard;

public interface IRegistryPort
{
    /// <summary>A shard's entries, canonical head and audit log (an unknown shard has none).</summary>
    ShardFacts Shard(string shardId);

    /// <summary>An upload session and the chunks it has stored, or null for an unknown token.</summary>
    SessionFacts? Session(string token);

    /// <summary>Records an upload session (idempotent for the same shard and header; a conflict throws).</summary>
    void OpenSession(string token, string shardId, string headerJson, DateTimeOffset at);

    /// <summary>Stores one verified chunk of an open session (an unknown or committed session throws).</summary>
    void StoreChunk(string token, long index, long offset, ReadOnlyMemory<byte> data, byte[] leafHash);

    /// <summary>Commits the session's payload: the new entry's registry id, or why the registry refuses (nothing written).</summary>
    RegistryCommit Commit(EdgeOutput.Commit commit, DateTimeOffset at);

    /// <summary>Marks a version inactive: the version reinstated as canonical (if any), or why the registry refuses.</summary>
    RegistryRollback Rollback(string shardId, string versionId, string reason, DateTimeOffset at);

    /// <summary>Appends an "override" audit record.</summary>
    void RecordOverride(string shardId, string versionId, string detailJson, DateTimeOffset at);
}

/// <summary>A commit's outcome: exactly one of <see cref="RegistryId"/> and <see cref="Refusal"/> is set.</summary>
public sealed record RegistryCommit(string? RegistryId, string? Refusal)
{
    public static RegistryCommit Done(string registryId) => new(registryId, null);
    public static RegistryCommit Refused(string refusal) => new(null, refusal);
}

/// <summary>A rollback's outcome: done (with the reinstated canonical version, if any) or refused.</summary>
public sealed record RegistryRollback(bool Done, string? Reinstated, string? Refusal)
{
    public static RegistryRollback Refused(string refusal) => new(false, null, refusal);
}
