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

    /// <summary>The reference `conformance serve --spec` hosts for this spec.</summary>
    public required ServeSpec Serve { get; init; }

    /// <summary>The server role signs what the suite verifies (the LHS seal): a stdio server's hello must give keys.seal.</summary>
    public bool ServerSigns { get; init; }

    /// <summary>
    /// The server role keeps durable state a restart must find again (the Lattice Registry): the reference run as a
    /// stdio shim gets a store directory that lives as long as the run.
    /// </summary>
    public bool ServerKeepsState { get; init; }

    /// <summary>The spec has an HTTP Upgrade profile (LHS §5): the http adapter applies to it; other specs run over websocket.</summary>
    public bool HttpProfile { get; init; }

    /// <summary>The IUT is an agent the suite's peers talk to (CIP): it is reached with --target, never as a client.</summary>
    public bool IsAgent => Roles.Contains(IutRole.Agent);

    /// <summary>What a run prints while it waits for an external client IUT to connect to the given URL.</summary>
    public Func<Uri, string> WaitingForClient { get; init; } = url => $"waiting for the client IUT at {url}";

    /// <summary>The property-trace generators of this spec, one per role they cover.</summary>
    public IEnumerable<ITraceProtocol> Traces => TraceCases.Protocols.Where(p => p.Spec == Name);

    /// <summary>The deliberately broken variants of this spec's references (readings included).</summary>
    public IEnumerable<Fault> Faults => LhsFaults.Everything.Concat(LhsFaults.AllReadings).Where(f => f.Spec == Name);

    /// <summary>The vector topics this spec's golden vectors are generated from.</summary>
    public IEnumerable<IVectorTopic> VectorTopics => VectorSet.Topics().Where(t => t.Spec == Name);
}
