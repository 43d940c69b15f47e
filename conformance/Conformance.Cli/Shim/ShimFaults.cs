// The faults the reference shim can show, and where each one reaches an op. LHS server faults run through their
// real behaviour (LhsServerBehaviour.Step on the hello), the Shard edge faults of shard.header
// and the CIP replay faults of cip.replay through theirs; the CIP and Shard faults break agents and edges that
// have no single-message entry point, so the shim applies what each stops enforcing: the rule it lets through
// (or keeps pending), or the trust transition it never takes.
using Conformance.Model.Cip;
using Conformance.Reference.Cip;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Reference.Shard;

namespace Conformance.Cli.Shim;

internal static class ShimFaults
{
    /// <summary>Fault name → the op it changes (what `conformance shim --fault` accepts).</summary>
    public static readonly IReadOnlyDictionary<string, string> Supported = new Dictionary<string, string>
    {
        ["features-widened"] = "lhs.negotiate",
        ["encoding-not-offered"] = "lhs.negotiate",
        ["version-major-unchecked"] = "lhs.negotiate",
        ["missing-fields-accepted"] = "lhs.negotiate",
        ["mirror-without-nonce"] = "lhs.negotiate",
        ["cip-signature-unchecked"] = "cip.envelope.verify",
        ["cip-fingerprint-unchecked"] = "cip.envelope.verify",
        ["shard-version-id-unchecked"] = "shard.version-id",
        ["cip-no-promotion"] = "cip.trust-fsm",
        ["cip-conflict-keeps-probing"] = "cip.trust-fsm",
        ["cip-severe-conflict-ignored"] = "cip.trust-fsm",
        ["cip-anomaly-ignored"] = "cip.trust-fsm",
        ["cip-override-ignored"] = "cip.trust-fsm",
        ["cip-no-dmp-check"] = "cip.knowledge",
        ["cip-no-causal-check"] = "cip.knowledge",
        ["cip-untrusted-source-kept"] = "cip.knowledge",
        ["shard-signatures-unchecked"] = "shard.header",
        ["shard-provenance-unchecked"] = "shard.header",
        ["shard-auth-unchecked"] = "shard.header",
        ["shard-stale-auth-accepted"] = "shard.header",
        ["shard-replayed-token-accepted"] = "shard.header",
        ["shard-version-conflict-ignored"] = "shard.header",
        ["shard-rebase-ignored"] = "shard.header",
        ["shard-override-not-required"] = "shard.header",
        ["shard-tampered-chunk-taken"] = "shard.transcript",
        ["shard-late-chunk-acked"] = "shard.transcript",
        ["shard-final-hash-unchecked"] = "shard.transcript",
        ["shard-commits-partially"] = "shard.transcript",
        ["shard-resume-forgets"] = "shard.transcript",
        ["shard-deletes-on-rollback"] = "shard.transcript",
        ["shard-no-rollback-audit"] = "shard.transcript",
        ["shard-order-unchecked"] = "shard.transcript",
        ["shard-no-commit-ack"] = "shard.transcript",
        ["shard-lowest-version"] = "shard.transcript",
        ["cip-replay-accepted"] = "cip.replay",
        ["cip-stale-accepted"] = "cip.replay",
        ["nonce-reused"] = "lhs.transcript.server",
        ["seal-over-wrong-bytes"] = "lhs.transcript.server",
        ["seal-not-canonical"] = "lhs.transcript.server",
        ["second-hello-accepted"] = "lhs.transcript.server",
        ["invalid-thread-accepted"] = "lhs.transcript.server",
        ["encoding-ignored"] = "lhs.transcript.server",
        ["frame-limit-ignored"] = "lhs.transcript.server",
        ["flow-after-error"] = "lhs.transcript.server",
        ["telemetry-silent"] = "lhs.transcript.server",
        ["features-not-enforced"] = "lhs.transcript.server",
        ["text-in-flow-ignored"] = "lhs.transcript.server",
        ["flow-rejected"] = "lhs.transcript.server",
        ["error-without-close"] = "lhs.transcript.server",
    };

    /// <summary>The CIP rule a lenient-agent fault stops enforcing.</summary>
    public static string? ToleratedCipRule(Fault? f) => f?.Name switch
    {
        "cip-signature-unchecked" => CipRules.Sign,
        "cip-fingerprint-unchecked" => CipRules.Fingerprint,
        _ => null,
    };

    /// <summary>The §5.2 row (from, to) a trust fault undoes whenever the agent would take it.</summary>
    public static (TrustState From, TrustState To)? SuppressedTransition(Fault? f) => f?.Name switch
    {
        "cip-no-promotion" => (TrustState.Probing, TrustState.Trusted),
        "cip-conflict-keeps-probing" => (TrustState.Probing, TrustState.Untrusted),
        "cip-severe-conflict-ignored" => (TrustState.Trusted, TrustState.Blacklisted),
        "cip-anomaly-ignored" => (TrustState.Trusted, TrustState.Probing),
        "cip-override-ignored" => (TrustState.Blacklisted, TrustState.Probing),
        _ => null,
    };

    /// <summary>The §6 rule a knowledge fault stops rejecting for: such claims stay pending.</summary>
    public static string? KeptPendingRule(Fault? f) => f?.Name switch
    {
        "cip-no-dmp-check" => KnowledgePolicy.Dmp,
        "cip-no-causal-check" => KnowledgePolicy.Causal,
        "cip-untrusted-source-kept" => KnowledgePolicy.UntrustedSource,
        _ => null,
    };

    /// <summary>The edge <paramref name="op"/> (shard.header or shard.transcript) runs: the fault's behaviour when it is that op's fault.</summary>
    public static ShardEdgeBehaviour EdgeBehaviour(Fault? f, string op) =>
        f is not null && Supported.TryGetValue(f.Name, out var its) && its == op ? f.As(ShardEdgeBehaviour.Correct) : ShardEdgeBehaviour.Correct;

    /// <summary>The agent a cip.replay scenario runs: the fault's behaviour when it breaks the agent's replay checks.</summary>
    public static CipAgentBehaviour AgentBehaviour(Fault? f) =>
        f is not null && Supported.TryGetValue(f.Name, out var op) && op == "cip.replay" ? f.As(CipAgentBehaviour.Correct) : CipAgentBehaviour.Correct;

    /// <summary>The server a whole-connection transcript runs: the fault's behaviour when it breaks a server past the hello.</summary>
    public static LhsServerBehaviour TranscriptServer(Fault? f) =>
        f is not null && Supported.TryGetValue(f.Name, out var op) && op == "lhs.transcript.server" ? f.As(LhsServerBehaviour.Correct) : LhsServerBehaviour.Correct;

    public static Fault? Resolve(string? name)
    {
        if (name is null) return null;
        var fault = LhsFaults.Find(name) ?? throw new UsageException($"unknown fault \"{name}\" (see list-faults)");
        if (!Supported.ContainsKey(name))
            throw new UsageException($"fault {name} does not reach a vector op; the shim supports: {string.Join(", ", Supported.Keys)}");
        return fault;
    }
}
