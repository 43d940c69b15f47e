// What the trace engine needs from one spec and role: generate steps from the model's inputs, simplify a step for
// shrinking, and run steps against the IUT with the model judging every reply.
using Conformance.Suite.Core;
using FsCheck;

namespace Conformance.Suite.Traces;

public interface ITraceProtocol
{
    string Spec { get; }
    IutRole Role { get; }
    /// <summary>The trace case's ID, e.g. <c>LHS-S-traces</c>.</summary>
    string CaseId { get; }
    string Section { get; }
    /// <summary>The spec's catalog: a trace fails on a must or should check; a model-level one only when nothing worse turns up.</summary>
    Catalog Catalog { get; }
    /// <summary>Every requirement a trace's checks may cite; the first is the one cited when the IUT stalls a trace past its budget.</summary>
    IReadOnlyList<string> Requirements { get; }

    /// <summary>The traces: an FsCheck generator drawing steps from the model's enabled inputs (valid runs and mutations).</summary>
    Gen<TraceStep[]> Traces { get; }

    /// <summary>Simpler versions of one step, simplest first (the valid variant, smaller numbers).</summary>
    IEnumerable<TraceStep> Simpler(TraceStep step);

    /// <summary>Null when the step is one this protocol can run; else why not (a replay script is user input).</summary>
    string? Unknown(TraceStep step);

    /// <summary>
    /// Runs the steps against the IUT on connections from <paramref name="ctx"/>; each reply is judged by the model
    /// into <paramref name="checks"/>. A step may depend on the IUT's earlier replies (the rendering adapts to them).
    /// Stops at the first failed check.
    /// </summary>
    Task RunAsync(CaseContext ctx, Checks checks, IReadOnlyList<TraceStep> steps);
}
