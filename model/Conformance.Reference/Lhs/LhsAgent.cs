// The reference LHS client: handshake, verify the seal, send a few LCE frames, read their echoes, close.
using System.Text;
using System.Text.Json;
using Conformance.Adapters.Http;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;

namespace Conformance.Reference.Lhs;

public sealed record LhsAgentOptions(TimeSpan StepTimeout, int FlowFrames = 1)
{
    public LhsClientBehaviour Behaviour { get; init; } = LhsClientBehaviour.Correct;
}

/// <summary>How one connection ended, for people (the agent command prints it) and for tests.</summary>
public sealed record LhsAgentOutcome(bool Established, LhsError? Rejected, string? RemoteError, int EchoesReceived, FlowContract? Contract)
{
    public override string ToString() =>
        Rejected is not null ? $"aborted: {Rejected}" :
        RemoteError is not null ? $"server rejected: {RemoteError}" :
        Established ? $"flow established ({Contract!.Encoding}, features [{string.Join(",", Contract.Features)}], max {Contract.MaxFrameBytes}); {EchoesReceived} echo(es)" :
        "connection ended before the seal";
}

public static class LhsAgent
{
    /// <summary>The LCE the agent sends in flow.</summary>
    public static readonly JsonElement PingLce = JsonDocument.Parse("{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"}}").RootElement.Clone();

    public static Task<LhsAgentOutcome> RunAsync(IWireConnection conn, LhsClientConfig config, LhsAgentOptions options, CancellationToken cancel = default)
    {
        var cfg = options.Behaviour.Configure(config);
        return RunFromAsync(conn, cfg, options, options.Behaviour.Start(cfg), cancel);
    }

    /// <summary>
    /// The HTTP Upgrade profile (§5): hello and bind in one upgrade request, the answer judged by the client machine
    /// (LhsHttp); after a 101 the flow runs as over WebSocket, and a rejected 101 is answered with the error frame and a
    /// close on the upgraded connection. Throws <see cref="IutUnreachableException"/> when there is no TCP connection.
    /// </summary>
    public static async Task<LhsAgentOutcome> RunOverHttpAsync(Uri target, LhsClientConfig config, LhsAgentOptions options, CancellationToken cancel = default)
    {
        var behaviour = options.Behaviour;
        var cfg = behaviour.Configure(config);
        var start = behaviour.Start(cfg);
        var hello = start.Outputs.OfType<LhsOutput.SendText>().First().Value;
        var bind = behaviour.HttpBind(cfg);
        var r = await HttpUpgradeClient.UpgradeAsync(target,
            [new(LhsHttp.HelloHeader, LhsHttp.Encode(hello)), new(LhsHttp.BindHeader, LhsHttp.Encode(bind))], options.StepTimeout, new WireTrace(256, 64), cancel: cancel);
        if (r.Response is not { } response) return new(false, null, null, 0, null);
        var verdict = LhsHttp.Judge(start.State, bind, cfg,
            new LhsHttpResponse(response.Status, response.Header(LhsHttp.MirrorHeader), response.Header(LhsHttp.SealHeader), response.Body),
            (s, input) => behaviour.Step(s, input, cfg, LhsClient.Step));
        if (verdict is LhsHttpVerdict.Refused refused)
            return new(false, null, ControlFrame.Parse(refused.Body) is { IsOk: true } f && f.Value!.Json.TryGetProperty("code", out var code) ? code.ToString() : $"HTTP {refused.Status}", 0, null);
        if (r.Connection is not { } conn) return new(false, null, null, 0, null);
        await using (conn)
        {
            // What the client machine did with the 101 is what the agent does on the upgraded connection.
            var first = verdict switch
            {
                LhsHttpVerdict.Upgraded u => new LhsStep<LhsClientState>(u.State, u.Outputs),
                LhsHttpVerdict.Aborted a => new LhsStep<LhsClientState>(a.State with { Phase = LhsClientPhase.Closed }, a.Outputs, a.Error),
                LhsHttpVerdict.Undecided u => new LhsStep<LhsClientState>(u.State, u.Outputs),
                _ => throw new InvalidOperationException("unknown verdict " + verdict),
            };
            return await RunFromAsync(conn, cfg, options, first, cancel);
        }
    }

    private static async Task<LhsAgentOutcome> RunFromAsync(IWireConnection conn, LhsClientConfig cfg, LhsAgentOptions options, LhsStep<LhsClientState> step, CancellationToken cancel)
    {
        var behaviour = options.Behaviour;
        var state = step.State;
        var established = false;
        var echoes = 0;
        string? remoteError = null;
        LhsError? rejected = null;
        while (true)
        {
            foreach (var output in step.Outputs)
            {
                switch (output)
                {
                    case LhsOutput.SendText s: await conn.SendTextAsync(s.Value); break;
                    case LhsOutput.SendBinary b: await conn.SendBinaryAsync(b.Value); break;
                    case LhsOutput.Close c: await conn.CloseAsync(c.Code, c.Reason); break;
                    case LhsOutput.Deliver: echoes++; break;
                    case LhsOutput.Established:
                        established = true;
                        for (var i = 0; i < options.FlowFrames; i++)
                        {
                            var frame = FlowFrame.Encode(state.Contract!, PingLce, Encoding.UTF8.GetBytes($"liminal #{i}"));
                            await conn.SendBinaryAsync(behaviour.Outgoing(state, frame));
                        }
                        break;
                }
            }
            rejected ??= step.Rejected;
            if (state.Phase == LhsClientPhase.Closed) break;
            if (established && echoes >= options.FlowFrames)
            {
                await conn.CloseAsync(LhsWire.NormalCloseCode, "done");
                break;
            }
            var ev = await conn.ReceiveAsync(options.StepTimeout, cancel);
            if (ev is WireEvent.Text t && t.Value.Contains("\"error\"") && ControlFrame.Parse(t.Value) is { IsOk: true } f && f.Value!.Step == LhsStepName.Error)
                remoteError = f.Value.Json.TryGetProperty("code", out var code) ? code.ToString() : "error";
            if (ev is WireEvent.Timeout && established)
            {
                await conn.CloseAsync(LhsWire.NormalCloseCode, "no echo");
                break;
            }
            LhsInput input = ev switch
            {
                WireEvent.Text x => new LhsInput.Text(x.Value),
                WireEvent.Binary b => new LhsInput.Binary(b.Value),
                WireEvent.Oversize o => new LhsInput.Oversize(o.IsBinary, o.AtLeast),
                WireEvent.Timeout => new LhsInput.HandshakeTimeout(),
                _ => new LhsInput.PeerClosed(),
            };
            step = behaviour.Step(state, input, cfg, LhsClient.Step);
            state = step.State;
        }
        await conn.ReceiveAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        return new LhsAgentOutcome(established && rejected is null, rejected, remoteError, echoes, state.Mirror?.Contract);
    }
}
