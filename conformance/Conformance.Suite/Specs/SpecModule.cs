// One spec's parts in one place: its catalog, cases, roles, traces, embedded references, faults and vector topics.
// The CLI, the catalog tests, the trace cases and the vector set iterate Specs.All instead of branching on a name.
using Conformance.Reference.Faults;
using Conformance.Suite.Core;
using Conformance.Suite.Traces;
using Conformance.Suite.Vectors;

namespace Conformance.Suite.Specs;

/// <summary>How an embedded reference is started: the run's seed, the fault that breaks it (if any), the adapter.</summary>
public sealed record EmbeddedStart(ulong Seed, Fault? Fault, string Adapter = "websocket");

/// <param name="Name">The spec's name on the command line and in reports ("lhs", "shard", "cip").</param>
/// <param name="Roles">The IUT roles the suite tests, in run order.</param>
/// <param name="Cases">The hand-written cases, every role.</param>
public sealed record SpecModule(string Name, Catalog Catalog, IReadOnlyList<IutRole> Roles, Func<IReadOnlyList<CaseDef>> Cases)
{
    /// <summary>
    /// Starts the embedded reference implementation in <c>role</c>, broken by the start's fault when given; null for a
    /// role without one.
    /// </summary>
    public required Func<EmbeddedStart, IutRole, Task<FreshIut>?> StartEmbedded { get; init; }

    /// <summary>
    /// The embedded reference started afresh for one property trace, its clock and randomness seeded from the trace's
    /// stream (so a minimal trace replays byte for byte); null for a role that cannot be started so.
    /// </summary>
    public required Func<IutRole, ulong, Fault?, Func<string, Task<FreshIut>>?> Fresh { get; init; }

    /// <summary>The property-trace generators of this spec, one per role they cover.</summary>
    public IEnumerable<ITraceProtocol> Traces => TraceCases.Protocols.Where(p => p.Spec == Name);

    /// <summary>The deliberately broken variants of this spec's references (readings included).</summary>
    public IEnumerable<Fault> Faults => LhsFaults.Everything.Concat(LhsFaults.AllReadings).Where(f => f.Spec == Name);

    /// <summary>The vector topics this spec's golden vectors are generated from.</summary>
    public IEnumerable<IVectorTopic> VectorTopics => VectorSet.Topics().Where(t => t.Spec == Name);
}
