// What a protocol 2 shim may declare unimplemented (adapters/SHIM.md, "An unimplemented feature"). Optional parts of
// a spec (an encoding, the HTTP profile, telemetry, a whole role) may be missing: those cases are `unimplemented`.
// A rule every implementation must follow cannot be: a shim that declares one unimplemented would otherwise turn
// its must requirements into "not verified" instead of failures, so the suite refuses it.
namespace Conformance.Adapters.Stdio;

public static class ShimFeatures
{
    /// <summary>Per spec, the feature names that name mandatory rules (data; SHIM.md lists them).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Mandatory = new Dictionary<string, string[]>
    {
        ["lhs"] = ["lhs.hello-validation", "lhs.mirror", "lhs.bind", "lhs.seal", "lhs.flow", "lhs.error-frame"],
        ["shard"] = ["shard.signatures", "shard.merkle", "shard.commit", "shard.resume", "shard.rollback"],
        ["cip"] = ["cip.signing", "cip.envelope", "cip.handshake", "cip.replay", "cip.trust"],
    };

    public static bool IsMandatory(string spec, string feature) =>
        Mandatory.TryGetValue(spec, out var names) && names.Contains(feature, StringComparer.Ordinal);

    public static string Refusal(string spec, string feature) =>
        $"the shim declares \"{feature}\" unimplemented, but it names a mandatory {spec} rule: every implementation must " +
        $"implement it, so its cases cannot be left unverified (mandatory: {string.Join(", ", Mandatory[spec])}; optional parts " +
        "such as an encoding, the HTTP profile or telemetry may be declared)";
}

/// <summary>The shim's hello declares a mandatory rule unimplemented: a usage error (exit 2), not an unreachable IUT.</summary>
public sealed class ShimRefusedException(string message) : Exception(message);
