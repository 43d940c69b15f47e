// LHS server state machine (§2):  HELLO → MIRROR → BIND → SEAL → FLOW, any deviation a protocol error (§1).
//   AwaitHello --hello ok--> send mirror --> AwaitBind --bind ok--> send seal --> Flow
// Every rejection is one error frame and a close (§4), after which the machine is Closed and ignores all input.
using System.Collections.Immutable;
using System.Text.Json;
using Conformance.Model.Codec;
using Conformance.Model.Env;
using Conformance.Model.Ltp;

namespace Conformance.Model.Lhs;

public enum LhsServerPhase { AwaitHello, AwaitBind, Flow, Closed }

public sealed record LhsServerConfig(ServerCapabilities Capabilities, Ed25519Signer SealKey, TimeSpan SessionLifetime)
{
    public static LhsServerConfig Reference(Ed25519Signer key) => new(ServerCapabilities.Reference, key, TimeSpan.FromHours(1));
}

public sealed record LhsServerState(LhsServerPhase Phase, Hello? Hello = null, Mirror? Mirror = null, Bind? Bind = null, string? SessionId = null)
{
    public static readonly LhsServerState Initial = new(LhsServerPhase.AwaitHello);
    public FlowContract? Contract => Phase == LhsServerPhase.Flow ? Mirror?.Contract : null;
}

public static partial class LhsServer
{
    /// <summary>The control step each phase accepts; everything else there is a protocol error.</summary>
    public static LhsStepName? Expected(LhsServerPhase phase) => phase switch
    {
        LhsServerPhase.AwaitHello => LhsStepName.Hello,
        LhsServerPhase.AwaitBind => LhsStepName.Bind,
        _ => null,
    };

    public static LhsStep<LhsServerState> Step(LhsServerState s, LhsInput input, LhsServerConfig cfg, IModelEnvironment env) =>
        (s.Phase, input) switch
        {
            (LhsServerPhase.Closed, _) => Stay(s),
            (_, LhsInput.PeerClosed) => new(s with { Phase = LhsServerPhase.Closed }, []),
            (LhsServerPhase.Flow, LhsInput.HandshakeTimeout) => Stay(s),
            (_, LhsInput.HandshakeTimeout) => Reject(s, new(LhsErrorCode.HandshakeTimeout, "handshake did not complete in time", LhsRules.Timeout)),
            (_, LhsInput.Oversize o) => Reject(s, new(LhsErrorCode.FrameTooLarge, $"{(o.IsBinary ? "binary" : "text")} message of {o.Size} bytes is over this server's limit", LhsRules.FrameLimit)),
            (LhsServerPhase.Flow, LhsInput.Binary b) => OnFlow(s, b.Value),
            (_, LhsInput.Binary) => Reject(s, StepOrder.FlowBeforeSeal()),
            (_, LhsInput.Text t) => OnControl(s, t.Value, cfg, env),
            _ => throw new InvalidOperationException($"unhandled input {input.GetType().Name}"),
        };

    private static LhsStep<LhsServerState> OnControl(LhsServerState s, string text, LhsServerConfig cfg, IModelEnvironment env)
    {
        var parsed = ControlFrame.Parse(text);
        if (!parsed.IsOk) return Reject(s, s.Phase == LhsServerPhase.Flow ? StepOrder.TextInFlow(parsed.Error!.Detail) : parsed.Error!);
        var frame = parsed.Value!;
        // A peer's error frame ends the connection; answering it with another error would only loop.
        if (frame.Step == LhsStepName.Error) return new(s with { Phase = LhsServerPhase.Closed }, [new LhsOutput.Close(LhsWire.NormalCloseCode, "peer error")]);
        if (Expected(s.Phase) != frame.Step) return Reject(s, StepOrder.Unexpected(frame.Step, Expected(s.Phase), Received(s.Phase)));
        return frame.Step == LhsStepName.Hello ? OnHello(s, frame, cfg, env) : OnBind(s, frame, cfg, env);
    }

    private static LhsStep<LhsServerState> OnHello(LhsServerState s, ControlFrame frame, LhsServerConfig cfg, IModelEnvironment env) =>
        Accept(s, Hello.Validate(frame), cfg, env);

    private static LhsStep<LhsServerState> Accept(LhsServerState s, Checked<Hello> hello, LhsServerConfig cfg, IModelEnvironment env)
    {
        if (!hello.IsOk) return Reject(s, hello.Error!);
        // §3.2 "The nonce MUST be a unique token bound into the Seal signature to prevent replay."
        var nonce = "n-" + Base64Url.Encode(env.NextBytes(16));
        var mirrorText = Negotiation.MirrorFor(hello.Value!, cfg.Capabilities, nonce);
        if (!mirrorText.IsOk) return Reject(s, mirrorText.Error!);
        var mirror = Mirror.Validate(ControlFrame.Parse(mirrorText.Value!).Value!).Value!;
        return new(s with { Phase = LhsServerPhase.AwaitBind, Hello = hello.Value, Mirror = mirror },
            [new LhsOutput.SendText(mirrorText.Value!)]);
    }

    private static LhsStep<LhsServerState> OnBind(LhsServerState s, ControlFrame frame, LhsServerConfig cfg, IModelEnvironment env) =>
        Accept(s, Bind.Validate(frame), cfg, env);

    private static LhsStep<LhsServerState> Accept(LhsServerState s, Checked<Bind> bind, LhsServerConfig cfg, IModelEnvironment env)
    {
        if (!bind.IsOk) return Reject(s, bind.Error!);
        var mirror = s.Mirror!;
        var sessionId = "flow-" + Convert.ToHexStringLower(env.NextBytes(8));
        var payload = SealSignature.Payload(s.Hello!.Json, mirror.Json, bind.Value!.Json, mirror.Nonce);
        var seal = LhsJson.Write(new
        {
            step = "seal",
            session_id = sessionId,
            expires_at = (env.Now + cfg.SessionLifetime).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
            signature = SealSignature.Sign(cfg.SealKey, payload),
            features = new { ltp = new { jws = new { alg = "EdDSA", nonce = mirror.Nonce } } },
        });
        var next = s with { Phase = LhsServerPhase.Flow, Bind = bind.Value, SessionId = sessionId };
        return new(next,
        [
            new LhsOutput.SendText(seal),
            new LhsOutput.Established(mirror.Contract, sessionId),
            // §7 item 5 "Emits telemetry hooks so LSS can initialise coherence metrics from Bind."
            new LhsOutput.Observe("lhs.bind", BindTelemetry(bind.Value!, mirror.Contract, sessionId)),
        ]);
    }

    private static LhsStep<LhsServerState> OnFlow(LhsServerState s, ReadOnlyMemory<byte> frame)
    {
        // §6 "endpoints MUST prefix all subsequent messages with LCE payloads encoded according to the negotiated encoding"
        var checkedFrame = FlowFrame.Check(s.Mirror!.Contract, frame);
        return checkedFrame.IsOk ? new(s, [new LhsOutput.Deliver(checkedFrame.Value!)]) : Reject(s, checkedFrame.Error!);
    }

    /// <summary>Checks a frame the server application wants to send; a violation is the caller's bug, not the peer's.</summary>
    public static byte[] Outgoing(LhsServerState s, byte[] frame)
    {
        var contract = s.Contract ?? throw new InvalidOperationException("no flow before the seal");
        var check = FlowFrame.Check(contract, frame);
        return check.IsOk ? frame : throw new InvalidOperationException("outgoing flow frame breaks the contract: " + check.Error);
    }

    public static JsonElement BindTelemetry(Bind bind, FlowContract contract, string sessionId)
    {
        var context = bind.Context is { } c ? c.GetRawText() : "null";
        using var doc = JsonDocument.Parse(
            $"{{\"thread\":{LhsJson.Write(bind.Thread)},\"session_id\":{LhsJson.Write(sessionId)}," +
            $"\"encoding\":{LhsJson.Write(contract.Encoding)},\"features\":{LhsJson.Write(contract.Features)}," +
            $"\"context\":{context}}}");
        return doc.RootElement.Clone();
    }

    /// <summary>The client steps a server in this phase has already received.</summary>
    private static LhsStepName[] Received(LhsServerPhase phase) => phase switch
    {
        LhsServerPhase.AwaitBind => [LhsStepName.Hello],
        LhsServerPhase.Flow => [LhsStepName.Hello, LhsStepName.Bind],
        _ => [],
    };

    private static LhsStep<LhsServerState> Stay(LhsServerState s) => new(s, []);

    private static LhsStep<LhsServerState> Reject(LhsServerState s, LhsError error) =>
        new(s with { Phase = LhsServerPhase.Closed }, LhsWire.Reject(error), error);
}
