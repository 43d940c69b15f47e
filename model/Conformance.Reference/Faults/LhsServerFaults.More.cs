// More deliberately broken edges: one rule each (see Fault.cs for the catalogue).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

internal sealed class GarbageIgnored : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        input is LhsInput.Text t && !ControlFrame.Parse(t.Value).IsOk ? new(state, SharedFaults.None) : model(state, input, config, env);
}

internal sealed class MirrorWithoutNonce : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Mirror))) return step;
        var text = LhsTamper.WithMember(step.State.Mirror!.Json, "nonce", null, remove: true);
        // The seal will sign the mirror as sent (without nonce) plus the nonce the machine drew.
        var sent = step.State.Mirror with { Json = JsonDocument.Parse(text).RootElement.Clone() };
        return new(step.State with { Mirror = sent }, [new LhsOutput.SendText(text)]);
    }
}

internal sealed class EncodingNotOffered : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Mirror))) return step;
        var text = LhsTamper.WithMember(step.State.Mirror!.Json, "encoding", JsonValue.Create("json"));
        var mirror = Mirror.Validate(ControlFrame.Parse(text).Value!).Value!;
        return new(step.State with { Mirror = mirror }, [new LhsOutput.SendText(text)]);
    }
}

internal sealed class FeaturesNotEnforced : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Contract is { } contract && input is LhsInput.Binary b
            && FlowFrame.Check(contract, b.Value).Error?.Rule == LhsRules.FeaturesEnforced)
            return new(state, [new LhsOutput.SendBinary(b.Value.ToArray())]);
        return model(state, input, config, env);
    }
}

internal sealed class TextInFlowIgnored : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        return step.Rejected?.Rule == LhsRules.LceOnly ? new(state, SharedFaults.None) : step;
    }
}

internal sealed class FlowRejected : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.Flow || input is not LhsInput.Binary) return model(state, input, config, env);
        var error = new LhsError(LhsErrorCode.InvalidLce, "every flow frame is refused", LhsRules.LceShape);
        return new(state with { Phase = LhsServerPhase.Closed }, LhsWire.Reject(error), error);
    }
}

/// <summary>Keeps per-connection state: once it has rejected, it swallows everything and never closes.</summary>
internal sealed class ErrorWithoutClose : LhsServerBehaviour
{
    private bool _deaf;

    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (input is LhsInput.PeerClosed) return model(state, input, config, env);
        if (_deaf) return new(state, SharedFaults.None);
        var step = model(state, input, config, env);
        if (step.Rejected is null) return step;
        _deaf = true;
        return new(state, [.. step.Outputs.Where(o => o is not LhsOutput.Close)]);
    }
}

/// <summary>§5 only: the edge's 101 carries LHS-Mirror but leaves LHS-Seal out (the WebSocket profile is untouched).</summary>
internal sealed class SealHeaderMissing : LhsServerBehaviour
{
    public override IReadOnlyList<KeyValuePair<string, string>> UpgradeHeaders(string mirror, string seal) =>
        [.. base.UpgradeHeaders(mirror, seal).Where(h => h.Key != LhsHttp.SealHeader)];
}

/// <summary>The edge's own flow frames carry an LTP sig member even when ltp was not negotiated (it skips LhsServer.Outgoing).</summary>
internal sealed class OwnSigWithoutLtp : LhsServerBehaviour
{
    public override byte[] Echo(LhsServerState state, FlowFrameView frame)
    {
        var echo = Model.Lhs.FlowFrame.Frame(frame.LceBytes.Span, frame.Payload.Span);
        return state.Contract is { } c && !c.Has("ltp")
            ? LhsTamper.WithLceMember(echo, c.Encoding, "sig", System.Text.Json.Nodes.JsonValue.Create("ltp:jws:e30..AA")) ?? echo
            : base.Echo(state, frame);
    }
}
