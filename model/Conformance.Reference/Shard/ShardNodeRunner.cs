// The reference CCML node on one connection: performs the model's outputs (messages, chunks read from the file,
// ledger lines) and feeds it the edge's replies.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Shard;

namespace Conformance.Reference.Shard;

public sealed record NodeOutcome(bool Committed, string? RegistryId, string? Failure, string? Token, bool Dropped)
{
    public override string ToString() =>
        Committed ? $"committed as {RegistryId}" : Dropped ? $"connection lost before the commit (session {Token}: resumable)" : $"aborted: {Failure}";
}

public static class ShardNodeRunner
{
    public static async Task<NodeOutcome> RunAsync(IWireConnection conn, ShardNodeConfig cfg, ShardFile file, ShardLedger ledger, IModelEnvironment env,
        TimeSpan step, string? resumeToken = null, ShardNodeBehaviour? behaviour = null, Action<long, long>? progress = null, CancellationToken cancel = default)
    {
        behaviour ??= ShardNodeBehaviour.Correct;
        var s = behaviour.Start(cfg, env, resumeToken);
        var state = s.State;
        using var reader = file.OpenReader();
        while (true)
        {
            foreach (var output in s.Outputs)
            {
                switch (output)
                {
                    case NodeOutput.Send m: await conn.SendTextAsync(m.Text); break;
                    case NodeOutput.SendChunk c:
                        var data = reader.Read(c.Index);
                        await conn.SendBinaryAsync(behaviour.Frame(c.Token, c.Index, data, file.Tree.Proof((int)c.Index)));
                        break;
                    case NodeOutput.Ledger l: ledger.Append(l.Entry); break;
                    case NodeOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); break;
                }
            }
            progress?.Invoke(state.AckedChunks.Count, cfg.Upload.ChunkCount);
            if (state.Phase == NodePhase.Done) return new NodeOutcome(true, state.RegistryId, null, state.Token, false);
            if (state.Phase == NodePhase.Closed) return new NodeOutcome(false, null, state.Failure, state.Token, false);
            var ev = await conn.ReceiveAsync(step, cancel);
            if (ev is not WireEvent.Text t)
                return new NodeOutcome(false, null, ev is WireEvent.Timeout ? "the edge went silent" : "the connection dropped", state.Token, state.Token is not null);
            s = behaviour.Step(state, t.Value, cfg, env);
            state = s.State;
        }
    }
}
