// Shard hand-off registries. The spec names no error codes; these are the project's (SPEC-NOTES.md "Shard errors").
namespace Conformance.Model.Shard;

public enum ShardErrorCode
{
    VersionUnsupported, InvalidMessage, SignatureInvalid, ProvenanceInvalid, AuthInvalid, AuthStale, Replay,
    VersionConflict, RebaseRequired, VersionInvalidated, ChunkInvalid, ChunkIndexInvalid, HashMismatch,
    SessionUnknown, SessionExpired, UnexpectedMessage, RollbackInvalid,
}

public static class ShardErrorCodes
{
    public static string Wire(this ShardErrorCode c) => c switch
    {
        ShardErrorCode.VersionUnsupported => "shard.version_unsupported",
        ShardErrorCode.InvalidMessage => "shard.invalid_message",
        ShardErrorCode.SignatureInvalid => "shard.signature_invalid",
        ShardErrorCode.ProvenanceInvalid => "shard.provenance_invalid",
        ShardErrorCode.AuthInvalid => "shard.auth_invalid",
        ShardErrorCode.AuthStale => "shard.auth_stale",
        ShardErrorCode.Replay => "shard.replay",
        ShardErrorCode.VersionConflict => "shard.version_conflict",
        ShardErrorCode.RebaseRequired => "shard.rebase_required",
        ShardErrorCode.VersionInvalidated => "shard.version_invalidated",
        ShardErrorCode.ChunkInvalid => "shard.chunk_invalid",
        ShardErrorCode.ChunkIndexInvalid => "shard.chunk_index_invalid",
        ShardErrorCode.HashMismatch => "shard.hash_mismatch",
        ShardErrorCode.SessionUnknown => "shard.session_unknown",
        ShardErrorCode.SessionExpired => "shard.session_expired",
        ShardErrorCode.UnexpectedMessage => "shard.unexpected_message",
        ShardErrorCode.RollbackInvalid => "shard.rollback_invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };
}

/// <summary>A refusal: the wire code, a readable detail, and the rule (requirement ID in the Shard catalog) broken.</summary>
public sealed record ShardError(ShardErrorCode Code, string Detail, string Rule)
{
    public override string ToString() => $"{Code.Wire()}: {Detail}";
}

/// <summary>The rule IDs the Shard model enforces; the Shard catalog names the same IDs.</summary>
public static class ShardRules
{
    public const string Negotiation = "SHARD-2.1-negotiation";
    public const string Messages = "SHARD-3-messages";
    public const string VersionId = "SHARD-3.5-version-id";
    public const string Signatures = "SHARD-2.2-signatures";
    public const string Provenance = "SHARD-3.2-provenance";
    public const string Auth = "SHARD-2.2-auth-token";
    public const string AuthStale = "SHARD-4.1-auth-fresh";
    public const string TokenSingleUse = "SHARD-4.1-token-single-use";
    public const string VersionConflict = "SHARD-2.2-version-conflict";
    public const string Rebase = "SHARD-4.4-rebase";
    public const string Override = "SHARD-2.4-override";
    public const string ChunkProof = "SHARD-4.2-chunk-proof";
    public const string ChunkBounds = "SHARD-4.2-chunk-bounds";
    public const string FinalHash = "SHARD-4.2-final-hash";
    public const string Resume = "SHARD-4.3-resume";
    public const string Rollback = "SHARD-2.4-rollback";
    public const string RollbackAuth = "SHARD-2.4-rollback-auth";
    public const string Order = "SHARD-2-order";
}
