// The generator's randomness: drawn from the model's seeded environment, so a trace is the same on every machine and
// .NET version for the same --seed and trace number (System.Random makes no such promise).
using System.Buffers.Binary;
using Conformance.Model.Env;

namespace Conformance.Suite.Traces;

public sealed class TraceRandom(ulong seed, string stream)
{
    private readonly SeededEnvironment _env = new(seed, stream: stream);

    /// <summary>A number in [0, n).</summary>
    public int Next(int n)
    {
        if (n <= 1) return 0;
        Span<byte> b = stackalloc byte[8];
        _env.NextBytes(b);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(b) % (ulong)n);
    }

    public bool Chance(int percent) => Next(100) < percent;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
