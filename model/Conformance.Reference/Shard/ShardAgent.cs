// The reference CCML node's whole upload: connect, run, and after a drop reconnect and resume with the session token
// from its ledger (§4.3), a few times at most.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard;

public static class ShardAgent
{
    /// <summary>How long a deployed node waits after a drop before it reconnects (a network that just failed may need a moment).</summary>
    public static readonly TimeSpan DefaultReconnectPause = TimeSpan.FromMilliseconds(100);

    public static Task<NodeOutcome> UploadAsync(Uri target, ShardNodeConfig cfg, ShardFile file, ShardLedger ledger, IModelEnvironment env, TimeSpan step,
        ShardNodeBehaviour? behaviour = null, int attempts = 3, Action<long, long>? progress = null, CancellationToken cancel = default, bool resumeFirst = false) =>
        UploadAsync(async () => await WebSocketClient.ConnectAsync(target, step, cancel: cancel), cfg, file, ledger, env, step, behaviour, attempts, progress, cancel, resumeFirst);

    /// <summary>The same over any transport: <paramref name="connect"/> opens each connection.</summary>
    /// <param name="reconnectPause">The wait after a drop before reconnecting (default <see cref="DefaultReconnectPause"/>; the embedded node uses none).</param>
    public static async Task<NodeOutcome> UploadAsync(Func<Task<IWireConnection>> connect, ShardNodeConfig cfg, ShardFile file, ShardLedger ledger, IModelEnvironment env, TimeSpan step,
        ShardNodeBehaviour? behaviour = null, int attempts = 3, Action<long, long>? progress = null, CancellationToken cancel = default, bool resumeFirst = false,
        TimeSpan? reconnectPause = null)
    {
        NodeOutcome outcome = new(false, null, "not started", null, false);
        for (var i = 0; i < attempts; i++)
        {
            // The ledger says whether an upload of this version was left open: then the node resumes it.
            var resume = i == 0 && !resumeFirst ? null : ledger.OpenSession(cfg.Upload.ShardId, cfg.Upload.VersionId);
            if (i > 0 && resume is null) break;
            await using var conn = await connect();
            outcome = await ShardNodeRunner.RunAsync(conn, cfg, file, ledger, env, step, resume, behaviour, progress, cancel);
            if (!outcome.Dropped) return outcome;
            if ((reconnectPause ?? DefaultReconnectPause) is { Ticks: > 0 } pause) await Task.Delay(pause, cancel);
        }
        return outcome;
    }
}
