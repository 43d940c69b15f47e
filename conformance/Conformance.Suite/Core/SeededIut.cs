// An IUT started afresh for one trace with its clock and randomness seeded from the trace (the embedded references,
// TraceCases.EmbeddedFresh), so that a replay reproduces the trace's bytes. The suite plays along: it has seen nothing
// before this trace, so what the suite otherwise makes unique per run (shard ids, peer identities) is drawn from the
// trace's own stream, and the suite stamps its messages with the IUT's clock instead of the real one.
using Conformance.Model.Env;
using Conformance.Reference.Hosting;

namespace Conformance.Suite.Core;

public interface ISeededIut
{
    /// <summary>The IUT's clock (a seeded one moves only when told).</summary>
    DateTimeOffset Now { get; }
}

public static class SuiteClock
{
    /// <summary>
    /// The clock a trace stamps its messages with and its shadow model reads: the IUT's own when it is seeded, else the
    /// real one. The shadow's random draws (its own tokens and nonces, never compared) stay the system's, so they never
    /// take bytes from the IUT's seeded stream.
    /// </summary>
    public static IModelEnvironment For(object? target) => target is ISeededIut s ? new IutClock(s) : SystemEnvironment.Instance;

    private sealed class IutClock(ISeededIut iut) : IModelEnvironment
    {
        public DateTimeOffset Now => iut.Now;
        public void NextBytes(Span<byte> destination) => SystemEnvironment.Instance.NextBytes(destination);
    }
}
