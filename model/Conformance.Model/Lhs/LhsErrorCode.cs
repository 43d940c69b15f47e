// LHS §4 "Common error codes" plus the project's codes for failures the table does not name
// (conformance/SPEC-NOTES.md, "LHS error codes").
namespace Conformance.Model.Lhs;

public enum LhsErrorCode
{
    // From the spec's table (§4).
    VersionMismatch,
    EncodingNegotiationFailed,
    InvalidBind,
    TrustFailed,
    // The project's codes: the table has no entry for these failures.
    UnexpectedStep,
    InvalidFrame,
    InvalidLce,
    FrameTooLarge,
    FeatureNotNegotiated,
    HandshakeTimeout,
}

public static class LhsErrorCodes
{
    public static string Wire(this LhsErrorCode code) => code switch
    {
        LhsErrorCode.VersionMismatch => "lhs.version_mismatch",
        LhsErrorCode.EncodingNegotiationFailed => "lhs.encoding_negotiation_failed",
        LhsErrorCode.InvalidBind => "lhs.invalid_bind",
        LhsErrorCode.TrustFailed => "lhs.trust_failed",
        LhsErrorCode.UnexpectedStep => "lhs.unexpected_step",
        LhsErrorCode.InvalidFrame => "lhs.invalid_frame",
        LhsErrorCode.InvalidLce => "lhs.invalid_lce",
        LhsErrorCode.FrameTooLarge => "lhs.frame_too_large",
        LhsErrorCode.FeatureNotNegotiated => "lhs.feature_not_negotiated",
        LhsErrorCode.HandshakeTimeout => "lhs.handshake_timeout",
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    /// <summary>True for the four codes of the spec's §4 table; the rest are the project's.</summary>
    public static bool IsFromSpecTable(this LhsErrorCode code) => code <= LhsErrorCode.TrustFailed;

    public static bool TryParse(string? wire, out LhsErrorCode code)
    {
        foreach (var c in Enum.GetValues<LhsErrorCode>())
            if (c.Wire() == wire) { code = c; return true; }
        code = default;
        return false;
    }
}

/// <summary>
/// A validation failure: the code the error frame carries, a human-readable detail, and the rule that was broken
/// (its requirement ID in the LHS catalog, e.g. "LHS-3.3-thread"), so an oracle can say which rule an IUT broke.
/// </summary>
public sealed record LhsError(LhsErrorCode Code, string Detail, string Rule)
{
    public override string ToString() => $"{Code.Wire()}: {Detail}";
}

/// <summary>The rule IDs the model enforces (the LHS requirement catalog names the same IDs).</summary>
public static class LhsRules
{
    public const string Order = "LHS-1-order";
    public const string SingleShot = "LHS-1-single-shot";
    public const string FrameLimit = "LHS-1-frame-limit";
    public const string Json = "LHS-3-json";
    /// <summary>A control frame with a member name twice: the seal's JCS input must be I-JSON (model level).</summary>
    public const string DuplicateMembers = "LHS-3-duplicate-members";
    public const string HelloRequired = "LHS-3.1-required";
    /// <summary>The optional hello.session, when present, is an object (model level: §3.1 only calls it optional metadata).</summary>
    public const string SessionShape = "LHS-3.1-session-shape";
    public const string Version = "LHS-3.1-version";
    /// <summary>A hello of a known major but another minor is answered (model level: the spec only says "reject unknown majors").</summary>
    public const string MinorCompatible = "LHS-3.1-minor-compatible";
    public const string Negotiation = "LHS-3.2-negotiation";
    public const string MirrorFields = "LHS-3.2-mirror-fields";
    public const string FeaturesSubset = "LHS-3.2-features-subset";
    public const string FeaturesEnforced = "LHS-3.2-features-enforced";
    /// <summary>An LCE's lss or telemetry member "uses" that feature: the project's reading, model level.</summary>
    public const string FeatureMembers = "LHS-3.2-feature-members";
    public const string Thread = "LHS-3.3-thread";
    public const string BindShape = "LHS-3.3-bind-shape";
    public const string SealCovers = "LHS-3.4-seal-covers";
    public const string SealFields = "LHS-3.4-seal-fields";
    public const string EncodingEnforced = "LHS-6-encoding-enforced";
    public const string LceOnly = "LHS-6-lce-only";
    public const string LceShape = "LHS-6-lce-shape";
    public const string Timeout = "LHS-2-timeout";
    /// <summary>§5: the request's LHS-Hello / LHS-Bind header is missing or not base64url UTF-8.</summary>
    public const string HttpHeaders = "LHS-5-request-headers";
}
