// LHS client state machine (§2), the mirror image of LhsServer:
//   Start: send hello --> AwaitMirror --mirror ok--> send bind --> AwaitSeal --seal verifies--> Flow
// §3.4 "If verification fails, the client MUST abort the connection."
using System.Collections.Immutable;
using System.Text.Json;

namespace Conformance.Model.Lhs;

public enum LhsClientPhase { AwaitMirror, AwaitSeal, Flow, Closed }

/// <summary>What the client proposes and binds, and the server key it trusts for the seal.</summary>
public sealed record LhsClientConfig(
    string LriVersion,
    IReadOnlyList<string> Encodings,
    IReadOnlyList<string> Features,
    int MaxFrameBytes,
    string Thread,
    byte[] TrustedServerKey,
    JsonElement? Context = null,
    JsonElement? Auth = null,
    JsonElement? Session = null)
{
    public string HelloText() => LhsJson.Write(new Dictionary<string, object?>
    {
        ["step"] = "hello",
        ["lri_version"] = LriVersion,
        ["encodings"] = Encodings,
        ["features"] = Features,
        ["max_frame_bytes"] = MaxFrameBytes,
        ["session"] = Session,
    }.Where(kv => kv.Value is not null).ToDictionary());

    public string BindText() => LhsJson.Write(new Dictionary<string, object?>
    {
        ["step"] = "bind",
        ["thread"] = Thread,
        ["auth"] = Auth,
        ["context"] = Context,
    }.Where(kv => kv.Value is not null).ToDictionary());
}

public sealed record LhsClientState(LhsClientPhase Phase, Hello Hello, Mirror? Mirror = null, Bind? Bind = null, Seal? Seal = null)
{
    public FlowContract? Contract => Phase == LhsClientPhase.Flow ? Mirror?.Contract : null;
}

public static partial class LhsClient
{
    public static LhsStepName? Expected(LhsClientPhase phase) => phase switch
    {
        LhsClientPhase.AwaitMirror => LhsStepName.Mirror,
        LhsClientPhase.AwaitSeal => LhsStepName.Seal,
        _ => null,
    };

    /// <summary>Opens the handshake: the hello to send and the state awaiting the mirror.</summary>
    public static LhsStep<LhsClientState> Start(LhsClientConfig cfg)
    {
        var text = cfg.HelloText();
        var hello = Hello.Validate(ControlFrame.Parse(text).Value!);
        if (!hello.IsOk) throw new ArgumentException("client config makes an invalid hello: " + hello.Error, nameof(cfg));
        return new(new LhsClientState(LhsClientPhase.AwaitMirror, hello.Value!), [new LhsOutput.SendText(text)]);
    }

    public static LhsStep<LhsClientState> Step(LhsClientState s, LhsInput input, LhsClientConfig cfg) =>
        (s.Phase, input) switch
        {
            (LhsClientPhase.Closed, _) => new(s, []),
            (_, LhsInput.PeerClosed) => new(s with { Phase = LhsClientPhase.Closed }, []),
            (LhsClientPhase.Flow, LhsInput.HandshakeTimeout) => new(s, []),
            (_, LhsInput.HandshakeTimeout) => Reject(s, new(LhsErrorCode.HandshakeTimeout, "handshake did not complete in time", LhsRules.Timeout)),
            (_, LhsInput.Oversize o) => Reject(s, new(LhsErrorCode.FrameTooLarge, $"message of {o.Size} bytes is over this client's limit", LhsRules.FrameLimit)),
            (LhsClientPhase.Flow, LhsInput.Binary b) => OnFlow(s, b.Value),
            (_, LhsInput.Binary) => Reject(s, StepOrder.FlowBeforeSeal()),
            (_, LhsInput.Text t) => OnControl(s, t.Value, cfg),
            _ => throw new InvalidOperationException($"unhandled input {input.GetType().Name}"),
        };

    private static LhsStep<LhsClientState> OnControl(LhsClientState s, string text, LhsClientConfig cfg)
    {
        var parsed = ControlFrame.Parse(text);
        if (!parsed.IsOk) return Reject(s, s.Phase == LhsClientPhase.Flow ? StepOrder.TextInFlow(parsed.Error!.Detail) : parsed.Error!);
        var frame = parsed.Value!;
        if (frame.Step == LhsStepName.Error) return new(s with { Phase = LhsClientPhase.Closed }, [new LhsOutput.Close(LhsWire.NormalCloseCode, "peer error")]);
        if (Expected(s.Phase) != frame.Step) return Reject(s, StepOrder.Unexpected(frame.Step, Expected(s.Phase), Received(s.Phase)));
        return frame.Step == LhsStepName.Mirror ? OnMirror(s, frame, cfg) : OnSeal(s, frame, cfg);
    }

    private static LhsStep<LhsClientState> OnMirror(LhsClientState s, ControlFrame frame, LhsClientConfig cfg)
    {
        var mirror = Mirror.Validate(frame);
        if (!mirror.IsOk) return Reject(s, mirror.Error!);
        var incompatible = Negotiation.CheckMirror(s.Hello, mirror.Value!);
        if (incompatible is not null) return Reject(s, incompatible);
        var text = cfg.BindText();
        var bind = Bind.Validate(ControlFrame.Parse(text).Value!);
        if (!bind.IsOk) throw new ArgumentException("client config makes an invalid bind: " + bind.Error, nameof(cfg));
        return new(s with { Phase = LhsClientPhase.AwaitSeal, Mirror = mirror.Value, Bind = bind.Value }, [new LhsOutput.SendText(text)]);
    }

    private static LhsStep<LhsClientState> OnSeal(LhsClientState s, ControlFrame frame, LhsClientConfig cfg)
    {
        var seal = Seal.Validate(frame);
        if (!seal.IsOk) return Reject(s, seal.Error!);
        var payload = SealSignature.Payload(s.Hello.Json, s.Mirror!.Json, s.Bind!.Json, s.Mirror.Nonce);
        var trust = SealSignature.Verify(seal.Value!.Signature, payload, cfg.TrustedServerKey);
        if (trust is not null) return Reject(s, trust);
        return new(s with { Phase = LhsClientPhase.Flow, Seal = seal.Value },
            [new LhsOutput.Established(s.Mirror.Contract, seal.Value.SessionId)]);
    }

    private static LhsStep<LhsClientState> OnFlow(LhsClientState s, ReadOnlyMemory<byte> frame)
    {
        var checkedFrame = FlowFrame.Check(s.Mirror!.Contract, frame);
        return checkedFrame.IsOk ? new(s, [new LhsOutput.Deliver(checkedFrame.Value!)]) : Reject(s, checkedFrame.Error!);
    }

    /// <summary>The server steps a client in this phase has already received.</summary>
    private static LhsStepName[] Received(LhsClientPhase phase) => phase switch
    {
        LhsClientPhase.AwaitSeal => [LhsStepName.Mirror],
        LhsClientPhase.Flow => [LhsStepName.Mirror, LhsStepName.Seal],
        _ => [],
    };

    private static LhsStep<LhsClientState> Reject(LhsClientState s, LhsError error) =>
        new(s with { Phase = LhsClientPhase.Closed }, LhsWire.Reject(error), error);
}
