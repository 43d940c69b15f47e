// The faults the reference shim can show: the registry's entries that carry a ShimReach (Fault.Shim). LHS server
// faults run through their real behaviour (LhsServerBehaviour.Step on the hello), the Shard edge faults of
// shard.header and the CIP replay faults of cip.replay through theirs; the CIP and Shard faults break agents and edges
// that have no single-message entry point, so the shim applies what each stops enforcing: the rule it lets through
// (or keeps pending), or the trust transition it never takes.
using Conformance.Model.Cip;
using Conformance.Reference.Cip;
using Conformance.Reference.Faults;
using Conformance.Reference.Lhs;
using Conformance.Reference.Shard;

namespace Conformance.Cli.Shim;

internal static class ShimFaults
{
    /// <summary>Fault name → the op it changes (what `conformance shim --fault` accepts): the registry's own entries.</summary>
    public static readonly IReadOnlyDictionary<string, string> Supported =
        LhsFaults.Everything.Where(f => f.Shim is not null).ToDictionary(f => f.Name, f => f.Shim!.Op);

    /// <summary>The CIP rule a lenient-agent fault stops enforcing.</summary>
    public static string? ToleratedCipRule(Fault? f) => (f?.Shim as ShimReach.Tolerates)?.Rule;

    /// <summary>The §5.2 row (from, to) a trust fault undoes whenever the agent would take it.</summary>
    public static (TrustState From, TrustState To)? SuppressedTransition(Fault? f) =>
        f?.Shim is ShimReach.Suppresses s ? (s.From, s.To) : null;

    /// <summary>The §6 rule a knowledge fault stops rejecting for: such claims stay pending.</summary>
    public static string? KeptPendingRule(Fault? f) => (f?.Shim as ShimReach.KeepsPending)?.Rule;

    /// <summary>True when the fault accepts version ids of any form (shard.version-id).</summary>
    public static bool AnyVersionId(Fault? f) => f?.Shim is ShimReach.AnyVersionId;

    /// <summary>The fault's behaviour when it is <paramref name="op"/>'s fault, else <paramref name="correct"/>.</summary>
    private static T Runs<T>(Fault? f, string op, T correct) where T : class =>
        f?.Shim is ShimReach.Runs r && r.Op == op ? f.As(correct) : correct;

    /// <summary>The edge <paramref name="op"/> (shard.header or shard.transcript) runs: the fault's behaviour when it is that op's fault.</summary>
    public static ShardEdgeBehaviour EdgeBehaviour(Fault? f, string op) => Runs(f, op, ShardEdgeBehaviour.Correct);

    /// <summary>The agent a cip.replay scenario runs: the fault's behaviour when it breaks the agent's replay checks.</summary>
    public static CipAgentBehaviour AgentBehaviour(Fault? f) => Runs(f, "cip.replay", CipAgentBehaviour.Correct);

    /// <summary>The server a whole-connection transcript runs: the fault's behaviour when it breaks a server past the hello.</summary>
    public static LhsServerBehaviour TranscriptServer(Fault? f) => Runs(f, "lhs.transcript.server", LhsServerBehaviour.Correct);

    public static Fault? Resolve(string? name)
    {
        if (name is null) return null;
        var fault = LhsFaults.Find(name) ?? throw new UsageException($"unknown fault \"{name}\" (see list-faults)");
        if (!Supported.ContainsKey(name))
            throw new UsageException($"fault {name} does not reach a vector op; the shim supports: {string.Join(", ", Supported.Keys)}");
        return fault;
    }
}
