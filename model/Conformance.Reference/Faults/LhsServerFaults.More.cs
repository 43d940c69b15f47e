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

// Readings, not bugs: each takes the other side of a `model`-level reading of a vague sentence (SPEC-NOTES). An IUT
// that does this is reported (informational), never failed.

/// <summary>The edge takes any hello.session, an object or not ("Optional session metadata").</summary>
internal sealed class SessionUnchecked : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.AwaitHello || !LhsTamper.IsStep(input, LhsStepName.Hello)) return model(state, input, config, env);
        var original = ((LhsInput.Text)input).Value;
        var obj = System.Text.Json.Nodes.JsonNode.Parse(original)!.AsObject();
        if (obj["session"] is null or System.Text.Json.Nodes.JsonObject) return model(state, input, config, env);
        obj.Remove("session");
        var step = model(state, new LhsInput.Text(obj.ToJsonString()), config, env);
        // The seal still covers the hello as it arrived.
        return step.State.Hello is { } h ? step with { State = step.State with { Hello = h with { Json = System.Text.Json.JsonDocument.Parse(original).RootElement.Clone() } } } : step;
    }
}

/// <summary>The edge reads a control frame with a duplicated member name, the last one winning.</summary>
internal sealed class DuplicatesAccepted : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (input is not LhsInput.Text t || ControlFrame.Parse(t.Value).Error?.Rule != LhsRules.DuplicateMembers) return model(state, input, config, env);
        using var doc = System.Text.Json.JsonDocument.Parse(t.Value, new System.Text.Json.JsonDocumentOptions { AllowDuplicateProperties = true });
        return model(state, new LhsInput.Text(LastWins(doc.RootElement)!.ToJsonString()), config, env);
    }

    private static System.Text.Json.Nodes.JsonNode? LastWins(System.Text.Json.JsonElement e)
    {
        switch (e.ValueKind)
        {
            case System.Text.Json.JsonValueKind.Object:
                var o = new System.Text.Json.Nodes.JsonObject();
                foreach (var p in e.EnumerateObject()) o[p.Name] = LastWins(p.Value);
                return o;
            case System.Text.Json.JsonValueKind.Array:
                return new System.Text.Json.Nodes.JsonArray([.. e.EnumerateArray().Select(LastWins)]);
            default:
                return System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText());
        }
    }
}

/// <summary>The edge accepts (and echoes) LCEs with an lss or telemetry member it never granted; `sig` it still refuses.</summary>
internal sealed class FeatureMembersEchoed : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Contract is { } contract && input is LhsInput.Binary b && FlowFrame.Check(contract, b.Value).Error?.Rule == LhsRules.FeatureMembers)
            return new(state, [new LhsOutput.SendBinary(b.Value.ToArray())]);
        return model(state, input, config, env);
    }
}

/// <summary>
/// Two independent defects at once, to show that one does not hide the other: the mirror leaves out max_frame_bytes
/// (the seal covers the mirror as sent), and flow frames over the negotiated limit are echoed instead of rejected.
/// </summary>
internal sealed class MirrorLimitMissingAndIgnored : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (SharedFaults.OverLimit(state.Contract, input)) return new(state, [new LhsOutput.SendBinary(((LhsInput.Binary)input).Value.ToArray())]);
        var step = model(state, input, config, env);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Mirror))) return step;
        var text = LhsTamper.WithMember(step.State.Mirror!.Json, "max_frame_bytes", null, remove: true);
        var sent = step.State.Mirror with { Json = JsonDocument.Parse(text).RootElement.Clone() };
        return new(step.State with { Mirror = sent }, [new LhsOutput.SendText(text)]);
    }
}

/// <summary>The edge prefers cbor whenever the hello offers it, whatever the client's order.</summary>
internal sealed class OwnEncodingPreference : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.AwaitHello || !LhsTamper.IsStep(input, LhsStepName.Hello)) return model(state, input, config, env);
        var original = ((LhsInput.Text)input).Value;
        var obj = JsonNode.Parse(original)!.AsObject();
        if (obj["encodings"] is not JsonArray list || !list.Any(e => e?.GetValueKind() == JsonValueKind.String && e.GetValue<string>() == "cbor")) return model(state, input, config, env);
        obj["encodings"] = new JsonArray("cbor");
        var step = model(state, new LhsInput.Text(obj.ToJsonString()), config, env);
        return step.State.Hello is { } h ? step with { State = step.State with { Hello = h with { Json = JsonDocument.Parse(original).RootElement.Clone() } } } : step;
    }
}

/// <summary>The edge rejects a hello of its own major but another minor version.</summary>
internal sealed class MinorVersionRejected : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase == LhsServerPhase.AwaitHello && LhsTamper.IsStep(input, LhsStepName.Hello)
            && JsonNode.Parse(((LhsInput.Text)input).Value)?["lri_version"] is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && v.GetValue<string>() != config.Capabilities.LriVersion && model(state, input, config, env).Rejected is null)
        {
            var error = new LhsError(LhsErrorCode.VersionMismatch, $"only {config.Capabilities.LriVersion} is supported", LhsRules.Version);
            return new(state with { Phase = LhsServerPhase.Closed }, LhsWire.Reject(error), error);
        }
        return model(state, input, config, env);
    }
}
