// cip.knowledge (adapters/SHIM.md): a claim's standing under the anti-hallucination policy (cip.md §6), decided by the
// model (KnowledgePolicy.Judge) from the request's claim, trusts, causal memory, votes and load.
// A fault that keeps claims pending instead of rejecting them for one rule (ShimFaults.KeptPendingRule) answers pending.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Reference.Faults;

namespace Conformance.Cli.Shim;

internal static class KnowledgeOp
{
    public static JsonObject Answer(JsonElement r, Fault? fault)
    {
        var (claim, error) = CipPayloads.ReadProposal(r.GetProperty("claim"));
        if (claim is null) throw new FormatException("claim: " + error);
        var later = r.TryGetProperty("proposerTrustLater", out var l) && l.ValueKind != JsonValueKind.Null ? Trust(l) : (TrustState?)null;
        var v = KnowledgePolicy.Judge(claim, Trust(r.GetProperty("proposerTrust")), later,
            r.GetProperty("causalMemory").EnumerateArray().Select(m => m.GetString()!).ToHashSet(StringComparer.Ordinal), Votes(r, "confirmations"), Votes(r, "conflicts"),
            r.GetProperty("selfOverloaded").GetBoolean());
        if (v.Status == FactStatus.Rejected && v.Rule == ShimFaults.KeptPendingRule(fault))
            return new JsonObject { ["result"] = "invalid", ["status"] = FactStatus.Pending.Wire(), ["stage"] = v.Stage.Wire() };
        var o = new JsonObject
        {
            ["result"] = v.Status == FactStatus.Accepted ? "valid" : "invalid",
            ["status"] = v.Status.Wire(),
            ["stage"] = v.Stage.Wire(),
            ["rule"] = v.Rule,
        };
        if (v.Condition is { } c) o["condition"] = (int)c;
        if (v.Resolution is { } res) o["resolution"] = res.Wire();
        o["reason"] = v.Reason;
        return o;
    }

    private static (string Peer, TrustState Trust)[] Votes(JsonElement r, string name) =>
        [.. r.GetProperty(name).EnumerateArray().Select(v => (v.GetProperty("peer").GetString()!, Trust(v.GetProperty("trust"))))];

    private static TrustState Trust(JsonElement e) =>
        CipNames.TryTrust(e.GetString(), out var t) ? t : throw new FormatException($"not a trust state: {e.GetRawText()}");
}
