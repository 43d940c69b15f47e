// The reference LHS client: handshake, verify the seal, send a few LCE frames, read their echoes, close.
using System.Text;
using System.Text.Json;
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

    public static async Task<LhsAgentOutcome> RunAsync(IWireConnection conn, LhsClientConfig config, LhsAgentOptions options, CancellationToken cancel = default)
    {
        var behaviour = options.Behaviour;
        var cfg = behaviour.Configure(config);
        var step = behaviour.Start(cfg);
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
