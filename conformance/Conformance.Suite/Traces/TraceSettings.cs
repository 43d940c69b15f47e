using Conformance.Suite.Core;

namespace Conformance.Suite.Traces;

/// <summary>An IUT started afresh for one trace, with its randomness seeded from <c>stream</c> (the embedded references).</summary>
public sealed record FreshIut(Targets Targets, IAsyncDisposable Owner);

/// <summary>How a trace case runs.</summary>
/// <param name="Count">Traces to generate.</param>
/// <param name="Parallel">Traces at once (1 when the IUT cannot take concurrent connections).</param>
/// <param name="ShrinkRuns">At most this many reruns while shrinking.</param>
/// <param name="Fresh">When set, the minimal failing trace is rerun against a fresh, seeded IUT so its bytes replay exactly.</param>
/// <param name="ReplayCommand">The one-line command that replays trace <c>id</c> with script <c>steps</c>.</param>
public sealed record TraceSettings(int Count, int Parallel = 4, int ShrinkRuns = 300,
    Func<string, Task<FreshIut>>? Fresh = null, Func<int, string, string>? ReplayCommand = null)
{
    /// <summary>The default per spec and role.</summary>
    public const int DefaultCount = 200;
}
