// How a stdio shim's own failures reach the case executor: they are not verdicts on the protocol, so they must not
// look like a peer that closed or went quiet (which a case would judge as `fail`).
namespace Conformance.Adapters.Stdio;

/// <summary>The shim declared a feature unimplemented (adapters/SHIM.md protocol 2): the case is `unimplemented`, never `fail`.</summary>
public sealed class IutUnimplementedException(string feature) : Exception($"the IUT declared \"{feature}\" unimplemented")
{
    public string Feature { get; } = feature;
}

/// <summary>The shim broke (exited, wrote garbage, flooded): the case is `error`.</summary>
public sealed class ShimBrokenException(string message) : Exception(message);

/// <summary>The shim did not answer a control request in time (hung): the case is `timeout`.</summary>
public sealed class ShimTimeoutException(string message) : Exception(message);
