// What both registries (in memory and SQLite) must agree on besides RegistryShard's entry rules: the status words they
// store, the registry id format and when a session may store a chunk or commit. Written once, here.
namespace Conformance.Model.Shard;

/// <summary>An entry's status: never deleted, a rollback only makes it inactive.</summary>
public static class RegistryStatus
{
    public const string Active = "active";
    public const string Inactive = "inactive";
}

/// <summary>An upload session's state: open until its one commit (a session token is single-use).</summary>
public static class SessionStatus
{
    public const string Open = "open";
    public const string Committed = "committed";
}

public static class RegistryIds
{
    /// <summary>"ONEIRIC-" + the first 12 hex digits of the shard hash + "-" + the entry's sequence number in the registry
    /// (entries are never deleted, so the next number is one more than the entries held).</summary>
    public static string Mint(string shardHash, long seq) => $"ONEIRIC-{shardHash[..12]}-{seq}";
}

/// <summary>A session as the registry holds it, for its checks.</summary>
public sealed record SessionRow(string ShardId, string HeaderJson, string Status);

public static class RegistrySessions
{
    /// <summary>Why a session may not be opened again under <paramref name="token"/> (null: it may; the same shard and header is idempotent).</summary>
    public static string? OpenRefusal(string token, SessionRow? existing, string shardId, string headerJson) =>
        existing is not null && (existing.ShardId != shardId || existing.HeaderJson != headerJson)
            ? $"session {token} already exists with another shard or header" : null;

    /// <summary>Why session <paramref name="token"/> may not store a chunk (null: it may).</summary>
    public static string? StoreRefusal(string token, SessionRow? s) =>
        s is null ? $"unknown session {token}" : s.Status != SessionStatus.Open ? $"session {token} is already {s.Status}" : null;

    /// <summary>Why session <paramref name="token"/> may not commit shard <paramref name="shardId"/> (null: it may).</summary>
    public static string? CommitRefusal(string token, SessionRow? s, string shardId) =>
        StoreRefusal(token, s) ?? (s!.ShardId != shardId ? $"session {token} uploads shard {s.ShardId}, not {shardId}" : null);
}

/// <summary>What an audit record says happened (SPEC-NOTES.md "Rollback and override"): the log is only appended to.</summary>
public static class AuditAction
{
    public const string Commit = "commit";
    public const string Rollback = "rollback";
    public const string Override = "override";
}
