// Where a broken variant shows through the reference shim's vector ops (adapters/SHIM.md) and what it changes there.
// Part of the fault's own entry (Fault.Shim), so the shim's faults are the registry's, not a second list.
using Conformance.Model.Cip;

namespace Conformance.Reference.Faults;

public abstract record ShimReach(string Op)
{
    /// <summary>The op runs the fault's real behaviour (a server, edge or agent wrapped around the model).</summary>
    public sealed record Runs(string Op) : ShimReach(Op);

    /// <summary>cip.envelope.verify lets an envelope through that the model drops for <paramref name="Rule"/>.</summary>
    public sealed record Tolerates(string Rule) : ShimReach("cip.envelope.verify");

    /// <summary>cip.trust-fsm undoes the §5.2 row <paramref name="From"/> → <paramref name="To"/> whenever the agent would take it.</summary>
    public sealed record Suppresses(TrustState From, TrustState To) : ShimReach("cip.trust-fsm");

    /// <summary>cip.knowledge keeps a claim pending instead of rejecting it for the §6 rule <paramref name="Rule"/>.</summary>
    public sealed record KeepsPending(string Rule) : ShimReach("cip.knowledge");

    /// <summary>shard.version-id accepts a version id of any form.</summary>
    public sealed record AnyVersionId() : ShimReach("shard.version-id");
}
