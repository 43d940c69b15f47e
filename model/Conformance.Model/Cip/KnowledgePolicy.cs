// §6 Anti-hallucination policy (normative): "An agent must not accept a knowledge claim unless:
//   1. It matches or is reconcilable with causal memory.  2. It is consistent with DMP-trace or decision provenance.
//   3. It is confirmed by >=2 trusted peers.  4. It passes trust gating (peer ≠ untrusted/blacklisted).
//   5. It respects local state constraints (LPI/LRI are not overloaded)."
// §6.1 "2+ trusted confirmations → accept · Any trusted conflict → mark as disputed · Untrusted source → reject"
using System.Collections.Immutable;

namespace Conformance.Model.Cip;

public enum FactStatus { Pending, Accepted, Disputed, Rejected }

public sealed record FactRecord(
    string MsgId,
    string Proposer,
    FactProposal Proposal,
    FactStatus Status,
    ImmutableHashSet<string> Confirmers,
    ImmutableHashSet<string> Conflicters,
    string? Reason = null);

public static partial class KnowledgePolicy
{
    public const string TwoConfirmations = "CIP-6-two-confirmations";
    public const string TrustGate = "CIP-6-trust-gate";
    public const string UntrustedSource = "CIP-6-untrusted-reject";
    public const string Disputed = "CIP-6-disputed";
    public const string Dmp = "CIP-6-dmp";
    public const string DmpSources = "CIP-6-dmp-sources";
    public const string Causal = "CIP-6-causal";
    public const string LocalState = "CIP-6-local-state";

    /// <summary>How many distinct trusted confirmations acceptance needs (§6 condition 3).</summary>
    public const int RequiredConfirmations = 2;

    /// <summary>The rejection a new proposal earns on arrival, or null if it may wait for confirmations.</summary>
    public static CipError? Admit(FactProposal p, TrustState source, IReadOnlySet<string> causalMemory)
    {
        // Condition 4 and §6.1 "Untrusted source → reject".
        if (source is TrustState.Untrusted or TrustState.Blacklisted)
            return new(UntrustedSource, $"the source is {source.Wire()}");
        // Condition 2: a DMP trace that accounts for the claim: non-empty steps and evidence, every source cited.
        if (p.Trace is not { } trace) return new(Dmp, "no dmp_trace: the claim has no decision provenance");
        if (trace.Steps.Count == 0 || trace.Evidence.Count == 0) return new(Dmp, "dmp_trace has no steps or no evidence");
        var unaccounted = p.Sources.Where(s => !trace.Evidence.Contains(s)).ToArray();
        if (unaccounted.Length > 0) return new(DmpSources, $"sources [{string.Join(", ", unaccounted)}] do not appear in dmp_trace.evidence");
        // Condition 1: every causal link must be something causal memory holds (an accepted fact or a shared decision).
        var unknown = p.CausalLinks.Where(l => !causalMemory.Contains(l)).ToArray();
        if (unknown.Length > 0) return new(Causal, $"causal links [{string.Join(", ", unknown)}] are not in causal memory");
        return null;
    }

    /// <summary>Where a pending fact stands now. <paramref name="trusted"/> says whether a peer is currently trusted.</summary>
    public static (FactStatus Status, string Rule, string Reason) Resolve(FactRecord f, TrustState proposer, Func<string, bool> trusted, bool selfOverloaded)
    {
        if (f.Status != FactStatus.Pending) return (f.Status, "", f.Reason ?? "");
        // §6.1 "Any trusted conflict → mark as disputed".
        // Sorted: the reason is sent on the wire (FACT_CHALLENGE notes), and set order changes from process to process.
        var conflicts = f.Conflicters.Where(trusted).Order(StringComparer.Ordinal).ToArray();
        if (conflicts.Length > 0) return (FactStatus.Disputed, Disputed, $"contradicted by trusted {string.Join(", ", conflicts)}");
        if (proposer is TrustState.Untrusted or TrustState.Blacklisted)
            return (FactStatus.Rejected, UntrustedSource, $"the source became {proposer.Wire()}");
        // Condition 3 counts only confirmations from peers trusted now (condition 4 applies to confirmers too).
        var confirmations = f.Confirmers.Where(trusted).Count();
        if (confirmations < RequiredConfirmations) return (FactStatus.Pending, TwoConfirmations, $"{confirmations} trusted confirmation(s) of {RequiredConfirmations}");
        // Condition 5: not while overloaded; the claim waits until load falls.
        if (selfOverloaded) return (FactStatus.Pending, LocalState, "the agent is overloaded");
        return (FactStatus.Accepted, TwoConfirmations, $"{confirmations} trusted confirmations");
    }
}
