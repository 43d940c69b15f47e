// A claim's standing under §6 as one verdict: the arrival checks (KnowledgePolicy.Admit), then the standing of an
// admitted claim (KnowledgePolicy.Resolve), named by the §6 condition (1–5) or §6.1 resolution that decided it.
namespace Conformance.Model.Cip;

/// <summary>The five conditions of §6, numbered as in the spec.</summary>
public enum KnowledgeCondition { CausalMemory = 1, DmpTrace = 2, TrustedConfirmations = 3, TrustGating = 4, LocalState = 5 }

/// <summary>The three outcomes of §6.1.</summary>
public enum KnowledgeResolution { Accept, Disputed, UntrustedReject }

/// <summary>When the claim was decided: as it arrived, or once admitted and voted on.</summary>
public enum KnowledgeStage { Arrival, Resolution }

/// <summary>A claim's standing: its status, when and by which rule it was decided, the §6 grounds, and why.</summary>
public sealed record KnowledgeVerdict(FactStatus Status, KnowledgeStage Stage, string Rule, KnowledgeCondition? Condition,
    KnowledgeResolution? Resolution, string Reason);

public static class KnowledgeNames
{
    public static string Wire(this FactStatus s) => s.ToString().ToLowerInvariant();
    public static string Wire(this KnowledgeStage s) => s.ToString().ToLowerInvariant();
    public static string Wire(this KnowledgeResolution r) => r switch
    {
        KnowledgeResolution.Accept => "accept",
        KnowledgeResolution.Disputed => "disputed",
        KnowledgeResolution.UntrustedReject => "untrusted-reject",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };
}

public static partial class KnowledgePolicy
{
    /// <summary>
    /// The standing of <paramref name="claim"/> from a proposer of trust <paramref name="atArrival"/> (and
    /// <paramref name="atResolution"/> if it changed before the votes were counted), given causal memory, the votes
    /// (each voter with its trust) and the agent's own load.
    /// </summary>
    public static KnowledgeVerdict Judge(FactProposal claim, TrustState atArrival, TrustState? atResolution, IReadOnlySet<string> causalMemory,
        IReadOnlyList<(string Peer, TrustState Trust)> confirmations, IReadOnlyList<(string Peer, TrustState Trust)> conflicts, bool selfOverloaded)
    {
        var trustOf = new Dictionary<string, TrustState>(StringComparer.Ordinal);
        foreach (var (peer, trust) in confirmations.Concat(conflicts))
        {
            if (trustOf.TryGetValue(peer, out var t) && t != trust) throw new ArgumentException($"peer {peer} has two trusts");
            trustOf[peer] = trust;
        }
        if (Admit(claim, atArrival, causalMemory) is { } refused)
            return Verdict(FactStatus.Rejected, KnowledgeStage.Arrival, refused.Rule, refused.Detail);
        var fact = new FactRecord("claim", "proposer", claim, FactStatus.Pending, [.. confirmations.Select(v => v.Peer)], [.. conflicts.Select(v => v.Peer)]);
        var (status, rule, reason) = Resolve(fact, atResolution ?? atArrival, p => trustOf[p] == TrustState.Trusted, selfOverloaded);
        return Verdict(status, KnowledgeStage.Resolution, rule, reason);
    }

    private static KnowledgeVerdict Verdict(FactStatus status, KnowledgeStage stage, string rule, string reason)
    {
        var (condition, resolution) = Grounds(rule, status);
        return new(status, stage, rule, condition, resolution, reason);
    }

    /// <summary>The §6 condition and/or §6.1 resolution a rule of the policy stands for.</summary>
    public static (KnowledgeCondition? Condition, KnowledgeResolution? Resolution) Grounds(string rule, FactStatus status) => rule switch
    {
        UntrustedSource => (KnowledgeCondition.TrustGating, KnowledgeResolution.UntrustedReject),
        Dmp or DmpSources => (KnowledgeCondition.DmpTrace, null),
        Causal => (KnowledgeCondition.CausalMemory, null),
        LocalState => (KnowledgeCondition.LocalState, null),
        Disputed => (null, KnowledgeResolution.Disputed),
        TwoConfirmations when status == FactStatus.Accepted => (null, KnowledgeResolution.Accept),
        TwoConfirmations => (KnowledgeCondition.TrustedConfirmations, null),
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "not a rule of the §6 policy"),
    };

    /// <summary>The message the agent sends the proposer for a decided claim (§3.4), or null while it is pending.</summary>
    public static CipType? Message(FactStatus status) => status switch
    {
        FactStatus.Accepted => CipType.FactConfirm,
        FactStatus.Rejected => CipType.FactReject,
        FactStatus.Disputed => CipType.FactChallenge,
        _ => null,
    };
}
