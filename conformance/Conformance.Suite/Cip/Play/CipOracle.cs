// The model as oracle for CIP cases: what the reference agent would decide for the same inputs. Cases ask it for the
// trust a move gives, the rule a bad envelope breaks and the standing of a claim, instead of writing them down, so a
// rule lives only in the model (as Lhs/Play/Oracle.cs does for LHS).
using System.Text.Json.Nodes;
using Conformance.Model.Cip;

namespace Conformance.Suite.Cip.Play;

public static class CipOracle
{
    /// <summary>How the agent sees a new peer after a valid handshake.</summary>
    public static TrustState NewPeer => TrustFsm.AfterHandshake(null, anchor: false);

    /// <summary>How the agent sees a configured trust anchor after its first handshake.</summary>
    public static TrustState Anchor => TrustFsm.AfterHandshake(null, anchor: true);

    /// <summary>
    /// The rule the agent breaks by acting on <paramref name="text"/> from <paramref name="p"/>, which has a session on
    /// its connection: the agent is judged by the model's acceptance order with the reference window.
    /// </summary>
    public static string Drops(CipPeer p, string text)
    {
        var v = CipAcceptance.Judge(text, new CipReceiving
        {
            Self = p.AgentPeer,
            Pinned = id => id == p.Id.AgentId ? p.Id.Key.PublicKey : null,
            Clock = (DateTimeOffset.UtcNow, CipAgentConfig.ReferenceReplayWindow),
            SeenMsgId = p.SentKeys.Contains,
            InSession = _ => true,
            Handshakes = true,
        });
        return v.Error?.Rule ?? throw new InvalidOperationException("oracle: the model accepts this envelope; the case expects a drop");
    }

    /// <summary>A trusted voter (an anchor, or a peer made trusted).</summary>
    public static (string Peer, TrustState Trust) Trusted(CipPeer p) => (p.Id.AgentId, TrustState.Trusted);

    /// <summary>The standing the model gives <paramref name="claim"/> (a FACT_PROPOSE payload) from a proposer of trust <paramref name="proposer"/>.</summary>
    public static KnowledgeVerdict Claim(JsonObject claim, TrustState proposer, IReadOnlyList<(string Peer, TrustState Trust)>? confirmations = null,
        IReadOnlyList<(string Peer, TrustState Trust)>? conflicts = null, IEnumerable<string>? causalMemory = null, bool overloaded = false)
    {
        var (proposal, error) = CipPayloads.ReadProposal(System.Text.Json.JsonSerializer.SerializeToElement(claim));
        if (proposal is null) throw new InvalidOperationException("oracle: the claim is not a FACT_PROPOSE payload: " + error);
        return KnowledgePolicy.Judge(proposal, proposer, null, (causalMemory ?? []).ToHashSet(StringComparer.Ordinal), confirmations ?? [], conflicts ?? [], overloaded);
    }

    /// <summary>The FACT_* the agent sends the proposer for this verdict, or null while the claim waits.</summary>
    public static CipType? Sends(KnowledgeVerdict v) => KnowledgePolicy.Message(v.Status);

    /// <summary>What the agent must do for this verdict, in words.</summary>
    public static string Describe(KnowledgeVerdict v) =>
        Sends(v) is { } type ? $"{type.Wire()} ({v.Status.Wire()}: {v.Reason})" : $"no decision yet ({v.Reason})";
}
