// Property-trace cases: one per spec and role the engine covers, listed after the hand-written cases. A trace case
// is a case like any other (ID, requirements, checks, wire trace as evidence) with a trace section in the report.
using Conformance.Reference.Faults;
using Conformance.Suite.Core;
using Conformance.Suite.Traces.Lhs;

namespace Conformance.Suite.Traces;

public static class TraceCases
{
    /// <summary>Every spec and role with a trace generator.</summary>
    public static readonly IReadOnlyList<ITraceProtocol> Protocols = [LhsServerTraces.Instance, LhsClientTraces.Instance, Shard.ShardEdgeTraces.Instance, Shard.ShardNodeTraces.Instance, Cip.CipAgentTraces.Instance];

    public static ITraceProtocol? Find(string spec, IutRole role) => Protocols.FirstOrDefault(p => p.Spec == spec && p.Role == role);

    /// <summary>The trace case of <paramref name="p"/>: <paramref name="options"/>.Count generated traces, or one replayed script.</summary>
    public static CaseDef Case(ITraceProtocol p, TraceSettings options, (int Id, IReadOnlyList<TraceStep> Steps)? replay = null) =>
        new(p.CaseId, p.Spec, p.Role, p.Section, replay is null ? "Property-based traces" : $"Replay of trace {replay.Value.Id}",
            replay is null
                ? $"Generates {options.Count} conversations from the model's inputs (valid runs and mutations), runs each against the IUT with the model judging every reply, and shrinks the first failure to a minimal trace."
                : $"Replays trace {replay.Value.Id}: {TraceStep.Script(replay.Value.Steps)}",
            p.Requirements,
            ctx => replay is { } r ? TraceEngine.ReplayAsync(ctx, p, options, r.Id, r.Steps) : TraceEngine.RunAsync(ctx, p, options))
        {
            // Each trace has its own budget (TraceEngine); this only bounds a whole case gone wrong.
            BudgetSteps = 40 + 2 * options.Count + 6 * options.ShrinkRuns,
            // Generated LHS traces reorder, repeat and drop handshake frames: over HTTP Upgrade hello and bind travel
            // together in one request, so most traces could not even be expressed there.
            NotOver = Specs.Specs.Of(p.Spec).HttpProfile ? new Dictionary<string, string> { ["http"] = "generated traces reorder handshake frames; the HTTP profile carries hello and bind in one request" } : new Dictionary<string, string>(),
        };

    /// <summary>
    /// The embedded reference (broken by <paramref name="fault"/> when given) started afresh for one trace, its clock
    /// and randomness seeded from the trace's stream, so the minimal trace replays byte for byte. Null for a spec and
    /// role without an embedded reference to start so.
    /// </summary>
    public static Func<string, Task<FreshIut>>? EmbeddedFresh(string spec, IutRole role, ulong seed, Fault? fault) =>
        Specs.Specs.Find(spec)?.Fresh(role, seed, fault);
}
