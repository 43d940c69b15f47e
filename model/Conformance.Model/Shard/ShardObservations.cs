// What the edge reports besides its messages (observations, e.g. over a shim's observe events, adapters/SHIM.md).
namespace Conformance.Model.Shard;

/// <summary>The names of the edge's observations (telemetry a tester may wait on instead of guessing a delay).</summary>
public static class ShardObservations
{
    public const string SessionDetached = "shard.session.detached";
    public const string Commit = "shard.commit";
    public const string Rollback = "shard.rollback";
}
