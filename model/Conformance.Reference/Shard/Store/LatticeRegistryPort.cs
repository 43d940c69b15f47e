// The SQLite Lattice Registry as the edge model's registry port: ShardEdge.Run performs its effects through this, as it
// does through the model's in-memory registry. A refusal of the store (RegistryConflictException) is the port's refusal.
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard.Store;

public sealed class LatticeRegistryPort(LatticeRegistry registry) : IRegistryPort
{
    public ShardFacts Shard(string shardId)
    {
        var view = registry.View(shardId);
        return new ShardFacts(shardId, view.Canonical,
            [.. view.Entries.Select(e => new RegistryVersion(e.VersionId, e.Status, e.PreviousVersionId, e.RegistryId, e.ShardHash))],
            [.. registry.Audit(shardId).Select(a => new AuditFact(a.Action, a.VersionId, a.Detail))]);
    }

    public SessionFacts? Session(string token) => registry.Session(token) is { } s
        ? new SessionFacts(s.Token, s.HeaderJson, s.CreatedAt, s.State == SessionStatus.Committed, s.Received.ToDictionary(kv => (long)kv.Key, kv => kv.Value))
        : null;

    public void OpenSession(string token, string shardId, string headerJson, DateTimeOffset at) => registry.OpenSession(token, shardId, headerJson, at);

    public void StoreChunk(string token, long index, long offset, ReadOnlyMemory<byte> data, byte[] leafHash) =>
        registry.StoreChunk(token, (int)index, offset, data.Span, leafHash);

    public RegistryCommit Commit(EdgeOutput.Commit c, DateTimeOffset at)
    {
        try { return RegistryCommit.Done(registry.Commit(new CommitRequest(c.Token, c.ShardId, c.VersionId, c.ExpectedParent, c.ShardHash, c.Provenance, c.Size, at)).RegistryId); }
        catch (RegistryConflictException e) { return RegistryCommit.Refused(e.Message); }
    }

    public RegistryRollback Rollback(string shardId, string versionId, string reason, DateTimeOffset at)
    {
        try { return new(true, registry.Rollback(shardId, versionId, reason, at).Reinstated, null); }
        catch (RegistryConflictException e) { return RegistryRollback.Refused(e.Message); }
    }

    public void RecordOverride(string shardId, string versionId, string detailJson, DateTimeOffset at) => registry.RecordOverride(shardId, versionId, detailJson, at);
}
