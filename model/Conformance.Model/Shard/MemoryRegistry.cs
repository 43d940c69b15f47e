// The Lattice Registry in memory: each shard's entries, canonical head and audit log by the model's rules
// (RegistryShard), registry ids numbered across the registry as the reference's SQLite store numbers them, and sessions
// with their received leaf hashes. Its contents are one immutable value swapped under a lock, so a case's connections
// may share it.
using System.Collections.Immutable;

namespace Conformance.Model.Shard;

public sealed class MemoryRegistry : IRegistryPort
{
    private sealed record Held(SessionRow Row, DateTimeOffset At, ImmutableSortedDictionary<long, byte[]> Received);

    private sealed record Contents(ImmutableDictionary<string, RegistryShard> Shards, ImmutableDictionary<string, Held> Sessions)
    {
        public static readonly Contents Empty = new(ImmutableDictionary.Create<string, RegistryShard>(StringComparer.Ordinal),
            ImmutableDictionary.Create<string, Held>(StringComparer.Ordinal));

        public RegistryShard Shard(string shardId) => Shards.GetValueOrDefault(shardId) ?? RegistryShard.Empty(shardId);
    }

    private readonly Lock _gate = new();
    private Contents _contents = Contents.Empty;

    public ShardFacts Shard(string shardId) => _contents.Shard(shardId).Facts;

    public SessionFacts? Session(string token) => _contents.Sessions.TryGetValue(token, out var s)
        ? new SessionFacts(token, s.Row.HeaderJson, s.At, s.Row.Status == SessionStatus.Committed, s.Received)
        : null;

    public void OpenSession(string token, string shardId, string headerJson, DateTimeOffset at) => Change(c =>
    {
        var existing = c.Sessions.GetValueOrDefault(token);
        if (RegistrySessions.OpenRefusal(token, existing?.Row, shardId, headerJson) is { } refusal) throw new InvalidOperationException(refusal);
        return existing is not null ? c : c with { Sessions = c.Sessions.SetItem(token, new(new(shardId, headerJson, SessionStatus.Open), at, ImmutableSortedDictionary<long, byte[]>.Empty)) };
    });

    public void StoreChunk(string token, long index, long offset, ReadOnlyMemory<byte> data, byte[] leafHash) => Change(c =>
    {
        var s = c.Sessions.GetValueOrDefault(token);
        if (RegistrySessions.StoreRefusal(token, s?.Row) is { } refusal) throw new InvalidOperationException(refusal);
        return c with { Sessions = c.Sessions.SetItem(token, s! with { Received = s.Received.SetItem(index, leafHash) }) };
    });

    public RegistryCommit Commit(EdgeOutput.Commit commit, DateTimeOffset at) => Change(c =>
    {
        var s = c.Sessions.GetValueOrDefault(commit.Token);
        if (RegistrySessions.CommitRefusal(commit.Token, s?.Row, commit.ShardId) is { } refusal) return (c, RegistryCommit.Refused(refusal));
        var registryId = RegistryIds.Mint(commit.ShardHash, c.Shards.Values.Sum(x => x.Versions.Count) + 1);
        var (next, why) = c.Shard(commit.ShardId).Commit(commit.VersionId, commit.ExpectedParent, registryId, commit.ShardHash, commit.Size);
        if (why is not null) return (c, RegistryCommit.Refused(why));
        return (new(c.Shards.SetItem(commit.ShardId, next), c.Sessions.SetItem(commit.Token, s! with { Row = s.Row with { Status = SessionStatus.Committed } })),
            RegistryCommit.Done(registryId));
    });

    public RegistryRollback Rollback(string shardId, string versionId, string reason, DateTimeOffset at) => Change(c =>
    {
        var (next, reinstated, refusal) = c.Shard(shardId).Rollback(versionId, reason);
        return refusal is null ? (c with { Shards = c.Shards.SetItem(shardId, next) }, new RegistryRollback(true, reinstated, null)) : (c, RegistryRollback.Refused(refusal));
    });

    public void RecordOverride(string shardId, string versionId, string detailJson, DateTimeOffset at) =>
        Change(c => c with { Shards = c.Shards.SetItem(shardId, c.Shard(shardId).Override(versionId, detailJson)) });

    /// <summary>Appends a shard's entries and audit log as an earlier registry left them (a registry_state replayed), in
    /// order, so later registry ids number on from them; its canonical head replaces the current one if it names one.</summary>
    public void Restore(ShardFacts facts) => Change(c =>
    {
        var shard = c.Shard(facts.ShardId);
        return c with
        {
            Shards = c.Shards.SetItem(facts.ShardId, shard with
            {
                Canonical = facts.Canonical ?? shard.Canonical,
                Versions = shard.Versions.AddRange(facts.Versions),
                Audit = shard.Audit.AddRange(facts.Audit ?? []),
            }),
        };
    });

    /// <summary>Seeds the registry with a committed version (as an earlier upload would have left it); its registry id.</summary>
    public string Seed(string shardId, string versionId, string shardHash, long size = 0)
    {
        var token = $"SEED-{shardId}-{versionId}";
        OpenSession(token, shardId, "{}", DateTimeOffset.UnixEpoch);
        var answer = Commit(new EdgeOutput.Commit(token, shardId, versionId, _contents.Shard(shardId).Canonical, shardHash, "{}", size), DateTimeOffset.UnixEpoch);
        return answer.RegistryId ?? throw new InvalidOperationException(answer.Refusal);
    }

    private void Change(Func<Contents, Contents> change) => Change(c => (change(c), 0));

    /// <summary>One atomic change of the contents and what it answers.</summary>
    private T Change<T>(Func<Contents, (Contents Next, T Answer)> change)
    {
        lock (_gate)
        {
            var (next, answer) = change(_contents);
            _contents = next;
            return answer;
        }
    }
}
