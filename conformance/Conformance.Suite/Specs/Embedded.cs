// What the spec modules share for seeded fresh references: one environment per trace stream, apart from the suite's.
using Conformance.Model.Env;

namespace Conformance.Suite.Specs;

/// <summary>What the spec modules share for seeded fresh references.</summary>
internal static class Embedded
{
    public static SeededEnvironment Seeded(ulong seed, string stream) => new(seed, stream: "iut/" + stream);
}
