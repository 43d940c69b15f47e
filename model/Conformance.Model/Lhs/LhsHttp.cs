// LHS §5 HTTP Upgrade Profile — "When LHS is negotiated via HTTP Upgrade, the handshake maps to headers […] Servers
// SHOULD respond with `101 Switching Protocols` only after validating the proposed capabilities and generating the
// Seal commitment." Project reading (SPEC-NOTES.md "HTTP Upgrade profile"): one round trip on a WebSocket upgrade;
//   request   LHS-Hello: b64url(hello)   LHS-Bind: b64url(bind)
//   101       LHS-Mirror: b64url(mirror) LHS-Seal: b64url(seal)    → the upgraded connection carries flow frames only
//   4xx       body = the §4 error frame
// Only the placement of the four control frames differs from the WebSocket profile: both sides run the same state
// machines (LhsServer, LhsClient) over the frames decoded from the headers, so no rule is restated here.
using System.Collections.Immutable;
using System.Text;
using Conformance.Model.Codec;

namespace Conformance.Model.Lhs;

/// <summary>What a server answers an upgrade request with.</summary>
public abstract record LhsHttpAnswer
{
    /// <summary>101: the mirror and seal for the headers, the machine in flow, and its other outputs (telemetry …).</summary>
    public sealed record Upgrade(string Mirror, string Seal, LhsServerState State, ImmutableArray<LhsOutput> Outputs) : LhsHttpAnswer;

    /// <summary>A 4xx whose body is the error frame.</summary>
    public sealed record Reject(int Status, string Body, LhsError Error) : LhsHttpAnswer;
}

/// <summary>What a client saw in answer to its upgrade request (headers by name; null when absent).</summary>
public sealed record LhsHttpResponse(int Status, string? MirrorHeader, string? SealHeader, string Body);

/// <summary>How the client machine judged a response.</summary>
public abstract record LhsHttpVerdict
{
    /// <summary>101 with a mirror and a seal the client machine accepts: flow under <see cref="State"/>'s contract.</summary>
    public sealed record Upgraded(LhsClientState State, string SessionId, ImmutableArray<LhsOutput> Outputs) : LhsHttpVerdict;

    /// <summary>
    /// The client must abort: <see cref="Error"/> is the rule the server broke; <see cref="State"/> is how far it got;
    /// <see cref="Outputs"/> what the machine does about it on the upgraded connection (the error frame, the close).
    /// </summary>
    public sealed record Aborted(LhsError Error, LhsClientState State, ImmutableArray<LhsOutput> Outputs) : LhsHttpVerdict;

    /// <summary>A wrapped machine (a host's own step) that neither rejected nor reached flow: its state and outputs as they are.</summary>
    public sealed record Undecided(LhsClientState State, ImmutableArray<LhsOutput> Outputs) : LhsHttpVerdict;

    /// <summary>The server refused with a status other than 101; the body should be the error frame (the caller reads it).</summary>
    public sealed record Refused(int Status, string Body) : LhsHttpVerdict;
}

public static class LhsHttp
{
    public const string HelloHeader = "LHS-Hello", BindHeader = "LHS-Bind", MirrorHeader = "LHS-Mirror", SealHeader = "LHS-Seal";
    public const int SwitchingProtocols = 101;

    /// <summary>A control frame as a header value: base64url (RFC 4648 §5, unpadded) of its UTF-8 text.</summary>
    public static string Encode(string frameText) => Base64Url.Encode(Encoding.UTF8.GetBytes(frameText));

    /// <summary>
    /// The frame text a header carries. A missing header, a value that is not unpadded base64url or not UTF-8 is a
    /// malformed request: <c>lhs.invalid_frame</c> under <see cref="LhsRules.HttpHeaders"/> (the frame never arrived).
    /// </summary>
    public static Checked<string> Decode(string header, string? value)
    {
        if (value is null) return Checked.Fail<string>(LhsErrorCode.InvalidFrame, $"no {header} header", LhsRules.HttpHeaders);
        if (!Base64Url.TryDecode(value.Trim(), out var bytes))
            return Checked.Fail<string>(LhsErrorCode.InvalidFrame, $"{header} is not unpadded base64url", LhsRules.HttpHeaders);
        try { return Checked.Ok(new UTF8Encoding(false, true).GetString(bytes)); }
        catch (DecoderFallbackException) { return Checked.Fail<string>(LhsErrorCode.InvalidFrame, $"{header} is not UTF-8", LhsRules.HttpHeaders); }
    }

    /// <summary>
    /// The 4xx for a rejection (project reading, SPEC-NOTES.md): 408 for a handshake that did not complete, 431 for a
    /// request too large to buffer, 400 for every validation failure. The error frame in the body names the rule.
    /// </summary>
    public static int RejectStatus(LhsErrorCode code) => code switch
    {
        LhsErrorCode.HandshakeTimeout => 408,
        LhsErrorCode.FrameTooLarge => 431,
        _ => 400,
    };

    public static LhsHttpAnswer.Reject Reject(LhsError error) => new(RejectStatus(error.Code), LhsWire.ErrorFrame(error), error);

    /// <summary>The machine's rejection as a 4xx: the body is the error frame the machine emitted (none if it emitted none).</summary>
    private static LhsHttpAnswer.Reject Rejected(LhsStep<LhsServerState> step, LhsError error) =>
        new(RejectStatus(error.Code), step.Outputs.OfType<LhsOutput.SendText>().FirstOrDefault()?.Value ?? "", error);

    /// <summary>
    /// Server side: the request's two headers through the server machine, hello then bind, exactly as if they had
    /// arrived as the first two text messages. <paramref name="step"/> is <see cref="LhsServer.Step"/> with its
    /// config and environment bound (a host may wrap it). The 101 answer exists only once the seal does (§5 SHOULD).
    /// </summary>
    public static LhsHttpAnswer Serve(string? helloHeader, string? bindHeader, Func<LhsServerState, LhsInput, LhsStep<LhsServerState>> step)
    {
        var hello = Decode(HelloHeader, helloHeader);
        if (!hello.IsOk) return Reject(hello.Error!);
        var afterHello = step(LhsServerState.Initial, new LhsInput.Text(hello.Value!));
        if (afterHello.Rejected is { } e1) return Rejected(afterHello, e1);
        var bind = Decode(BindHeader, bindHeader);
        if (!bind.IsOk) return Reject(bind.Error!);
        var afterBind = step(afterHello.State, new LhsInput.Text(bind.Value!));
        if (afterBind.Rejected is { } e2) return Rejected(afterBind, e2);
        var mirror = afterHello.Outputs.OfType<LhsOutput.SendText>().FirstOrDefault();
        var seal = afterBind.Outputs.OfType<LhsOutput.SendText>().FirstOrDefault();
        if (mirror is null || seal is null || afterBind.State.Phase != LhsServerPhase.Flow)
            throw new InvalidOperationException("the server machine accepted hello and bind without producing a mirror and a seal");
        return new LhsHttpAnswer.Upgrade(mirror.Value, seal.Value, afterBind.State,
            [.. afterHello.Outputs.Where(o => o is not LhsOutput.SendText), .. afterBind.Outputs.Where(o => o is not LhsOutput.SendText)]);
    }

    /// <summary>
    /// Client side: the response through the client machine. <paramref name="awaitingMirror"/> is the state after the
    /// hello that went out in LHS-Hello; <paramref name="bindSent"/> the bind that went out in LHS-Bind (it must
    /// validate). A 101 must carry both headers; any status but 101 is a refusal. <paramref name="step"/> is
    /// <see cref="LhsClient.Step"/> with the config bound unless a host wraps it.
    /// </summary>
    public static LhsHttpVerdict Judge(LhsClientState awaitingMirror, string bindSent, LhsClientConfig config, LhsHttpResponse response,
        Func<LhsClientState, LhsInput, LhsStep<LhsClientState>>? step = null)
    {
        step ??= (s, input) => LhsClient.Step(s, input, config);
        if (response.Status != SwitchingProtocols) return new LhsHttpVerdict.Refused(response.Status, response.Body);
        var mirror = Decode(MirrorHeader, response.MirrorHeader);
        if (!mirror.IsOk) return new LhsHttpVerdict.Aborted(mirror.Error!, awaitingMirror, LhsWire.Reject(mirror.Error!));
        var afterMirror = step(awaitingMirror, new LhsInput.Text(mirror.Value!));
        // The bind the machine answers the mirror with already travelled in LHS-Bind; anything else it does stands.
        ImmutableArray<LhsOutput> outputs = [.. afterMirror.Outputs.Where(o => !(o is LhsOutput.SendText t && ControlFrame.Parse(t.Value) is { IsOk: true } f && f.Value!.Step == LhsStepName.Bind))];
        if (afterMirror.Rejected is { } e1) return new LhsHttpVerdict.Aborted(e1, awaitingMirror, outputs);
        // The seal covers the bind that went out; one that does not validate is the sender's own fault (a server
        // refuses it), and the machine's bind stands in for it.
        var bind = ControlFrame.Parse(bindSent) is { IsOk: true } parsed ? Bind.Validate(parsed.Value!) : default;
        var state = bind.IsOk && bind.Value is not null ? afterMirror.State with { Bind = bind.Value } : afterMirror.State;
        if (state.Phase != LhsClientPhase.AwaitSeal) return new LhsHttpVerdict.Undecided(state, outputs);
        var seal = Decode(SealHeader, response.SealHeader);
        if (!seal.IsOk) return new LhsHttpVerdict.Aborted(seal.Error!, state, [.. outputs, .. LhsWire.Reject(seal.Error!)]);
        var afterSeal = step(state, new LhsInput.Text(seal.Value!));
        outputs = [.. outputs, .. afterSeal.Outputs];
        if (afterSeal.Rejected is { } e2) return new LhsHttpVerdict.Aborted(e2, state, outputs);
        return afterSeal.State is { Phase: LhsClientPhase.Flow, Seal: { } done }
            ? new LhsHttpVerdict.Upgraded(afterSeal.State, done.SessionId, outputs)
            : new LhsHttpVerdict.Undecided(afterSeal.State, outputs);
    }
}
