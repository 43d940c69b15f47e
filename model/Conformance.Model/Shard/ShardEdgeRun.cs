// The one effect loop of the edge: step the model, perform its registry effects against a port, feed each answer back,
// until quiet. Every host, suite edge, trace shadow, vector generator and shim op runs an input through this.
using System.Collections.Immutable;
using Conformance.Model.Env;

namespace Conformance.Model.Shard;

/// <summary>The edge's step function: the model's own (ShardEdge.Step) or a behaviour wrapped around it (a fault).</summary>
public delegate EdgeStep EdgeModel(ShardEdgeState state, EdgeInput input, ShardEdgeConfig config, IModelEnvironment env);

/// <summary>One output of a run and, for a registry effect that answers, the input it was answered with.</summary>
public sealed record EdgeTrailItem(EdgeOutput Output, EdgeInput? Answer)
{
    /// <summary>Sent, closed or observed: what leaves the edge rather than goes to its registry.</summary>
    public bool IsWire => Output is EdgeOutput.Send or EdgeOutput.Close or EdgeOutput.Observe;
}

/// <summary>What an input did: the final state, every output in order (with the answers to effects), the rejections, and
/// the phase after each step (a caller may ask which phases the edge passed through).</summary>
public sealed record EdgeRun(ShardEdgeState State, ImmutableArray<EdgeTrailItem> Trail, ImmutableArray<ShardError> Rejections, ImmutableArray<EdgePhase> Phases)
{
    /// <summary>Send, Close and Observe outputs, in order.</summary>
    public IEnumerable<EdgeOutput> Wire => Trail.Where(t => t.IsWire).Select(t => t.Output);

    public IEnumerable<string> Sent => Trail.Select(t => t.Output).OfType<EdgeOutput.Send>().Select(s => s.Text);

    public bool Closes => Trail.Any(t => t.Output is EdgeOutput.Close);

    /// <summary>The first rejection, if any.</summary>
    public ShardError? Rejected => Rejections.IsEmpty ? null : Rejections[0];

    /// <summary>Whether the edge entered <paramref name="phase"/> during the run, starting from <paramref name="from"/>.</summary>
    public bool Entered(EdgePhase from, EdgePhase phase) => Phases.Select((p, i) => (p, prev: i == 0 ? from : Phases[i - 1])).Any(x => x.p == phase && x.prev != phase);
}

public static partial class ShardEdge
{
    /// <summary>Runs <paramref name="input"/> through <paramref name="step"/> (the model unless given a behaviour around it),
    /// performing its registry effects against <paramref name="registry"/> until no answer is pending.</summary>
    public static EdgeRun Run(ShardEdgeState state, EdgeInput input, ShardEdgeConfig config, IModelEnvironment env, IRegistryPort registry, EdgeModel? step = null)
    {
        step ??= Step;
        var trail = ImmutableArray.CreateBuilder<EdgeTrailItem>();
        var rejections = ImmutableArray.CreateBuilder<ShardError>();
        var phases = ImmutableArray.CreateBuilder<EdgePhase>();
        var pending = new Queue<EdgeInput>([input]);
        while (pending.TryDequeue(out var next))
        {
            var r = step(state, next, config, env);
            state = r.State;
            phases.Add(state.Phase);
            if (r.Rejected is { } e) rejections.Add(e);
            foreach (var o in r.Outputs)
            {
                var answer = Perform(registry, o, env.Now);
                trail.Add(new(o, answer));
                if (answer is not null) pending.Enqueue(answer);
            }
        }
        return new(state, trail.ToImmutable(), rejections.ToImmutable(), phases.ToImmutable());
    }

    /// <summary>Carries out one registry effect; the model's next input for an effect that answers, else null.</summary>
    public static EdgeInput? Perform(IRegistryPort registry, EdgeOutput output, DateTimeOffset now)
    {
        switch (output)
        {
            case EdgeOutput.LookupShard l: return new EdgeInput.ShardLooked(registry.Shard(l.ShardId));
            case EdgeOutput.LookupSession l: return new EdgeInput.SessionLooked(registry.Session(l.Token));
            case EdgeOutput.OpenSession o: registry.OpenSession(o.Token, o.ShardId, o.HeaderJson, o.At); return null;
            case EdgeOutput.StoreChunk c: registry.StoreChunk(c.Token, c.Index, c.Offset, c.Data, c.LeafHash); return null;
            case EdgeOutput.RecordOverride o: registry.RecordOverride(o.ShardId, o.VersionId, o.Detail, now); return null;
            case EdgeOutput.Commit c:
                var commit = registry.Commit(c, now);
                return commit.RegistryId is { } id ? new EdgeInput.Committed(id) : new EdgeInput.CommitRefused(commit.Refusal!);
            case EdgeOutput.Rollback r:
                var rollback = registry.Rollback(r.ShardId, r.VersionId, r.Reason, now);
                return rollback.Done ? new EdgeInput.RolledBack(rollback.Reinstated) : new EdgeInput.RollbackRefused(rollback.Refusal!);
            default: return null;
        }
    }
}
