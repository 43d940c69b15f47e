// One LHS connection on the reference edge: transport events in, model outputs performed. No protocol rule here.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Lhs;

namespace Conformance.Reference.Lhs;

public sealed record LhsHostOptions(TimeSpan HandshakeTimeout, TimeSpan IdleTimeout)
{
    public static readonly LhsHostOptions Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2));
}

public static class LhsServerSession
{
    public static async Task RunAsync(IWireConnection conn, LhsServerConfig config, IModelEnvironment env,
        LhsServerBehaviour behaviour, LhsHostOptions options, Action<LhsOutput.Observe> publish, CancellationToken cancel,
        LhsServerState? initial = null)
    {
        var modelEnv = behaviour.Environment(env);
        // The HTTP Upgrade profile hands over a machine already in flow (its handshake travelled in headers).
        var state = initial ?? LhsServerState.Initial;
        var handshakeDeadline = DateTime.UtcNow + options.HandshakeTimeout;
        while (state.Phase != LhsServerPhase.Closed && !cancel.IsCancellationRequested)
        {
            var wait = state.Phase == LhsServerPhase.Flow ? options.IdleTimeout : handshakeDeadline - DateTime.UtcNow;
            WireEvent ev;
            try { ev = await conn.ReceiveAsync(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancel); }
            // A peer that resets the connection aborts the request before, or after, the socket's own end: the model
            // sees the peer gone either way (as ShardEdgeHost does).
            catch (OperationCanceledException) { ev = new WireEvent.Closed(null, "connection aborted"); }
            LhsInput input = ev switch
            {
                WireEvent.Text t => new LhsInput.Text(t.Value),
                WireEvent.Binary b => new LhsInput.Binary(b.Value),
                WireEvent.Oversize o => new LhsInput.Oversize(o.IsBinary, o.AtLeast),
                WireEvent.Timeout when state.Phase == LhsServerPhase.Flow => new LhsInput.PeerClosed(),
                WireEvent.Timeout => new LhsInput.HandshakeTimeout(),
                _ => new LhsInput.PeerClosed(),
            };
            var idle = ev is WireEvent.Timeout && state.Phase == LhsServerPhase.Flow;
            var step = behaviour.Step(state, input, config, modelEnv, LhsServer.Step);
            state = step.State;
            foreach (var output in step.Outputs)
            {
                switch (output)
                {
                    case LhsOutput.SendText s: await conn.SendTextAsync(s.Value); break;
                    case LhsOutput.SendBinary b: await conn.SendBinaryAsync(b.Value); break;
                    case LhsOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); break;
                    case LhsOutput.Deliver d: await conn.SendBinaryAsync(behaviour.Echo(state, d.Frame)); break;
                    case LhsOutput.Observe o: publish(o); break;
                }
            }
            if (idle) await conn.CloseAsync(LhsWire.NormalCloseCode, "idle");
        }
        // After our close, give the peer a moment to answer it so the close handshake completes.
        await conn.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
    }
}
