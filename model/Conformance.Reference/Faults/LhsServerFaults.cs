using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

internal sealed class NonceReused : LhsServerBehaviour
{
    private sealed class FixedRandomness(IModelEnvironment inner) : IModelEnvironment
    {
        public DateTimeOffset Now => inner.Now;
        public void NextBytes(Span<byte> destination) => destination.Fill(0x2A);
    }

    public override IModelEnvironment Environment(IModelEnvironment env) => new FixedRandomness(env);
}

/// <summary>Base for faults that re-sign the seal the model produced.</summary>
internal abstract class ResigningFault : LhsServerBehaviour
{
    protected abstract string Resign(LhsServerState state, LhsServerConfig config);

    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Seal))) return step;
        var signature = Resign(step.State, config);
        return step with
        {
            Outputs = [.. step.Outputs.Select(o => LhsTamper.IsStep(o, LhsStepName.Seal)
                ? new LhsOutput.SendText(LhsTamper.WithSignature(((LhsOutput.SendText)o).Value, signature)) : o)],
        };
    }
}

internal sealed class SealOverWrongBytes : ResigningFault
{
    protected override string Resign(LhsServerState s, LhsServerConfig config) =>
        LhsTamper.SignOver(config.SealKey, s.Hello!.Json.GetRawText(), s.Mirror!.Json.GetRawText(), s.Bind!.Json.GetRawText());
}

internal sealed class SealNotCanonical : ResigningFault
{
    protected override string Resign(LhsServerState s, LhsServerConfig config)
    {
        var raw = $"[{s.Hello!.Json.GetRawText()},{s.Mirror!.Json.GetRawText()},{s.Bind!.Json.GetRawText()},{JsonSerializer.Serialize(s.Mirror.Nonce)}]";
        return SealSignature.Sign(config.SealKey, Encoding.UTF8.GetBytes(raw));
    }
}

internal sealed class BindBeforeHello : LhsServerBehaviour
{
    private const string InventedHello = "{\"step\":\"hello\",\"lri_version\":\"0.1\",\"encodings\":[\"json\"],\"features\":[],\"max_frame_bytes\":65536}";

    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.AwaitHello || !LhsTamper.IsStep(input, LhsStepName.Bind)) return model(state, input, config, env);
        var afterHello = model(state, new LhsInput.Text(InventedHello), config, env).State;
        return model(afterHello, input, config, env);
    }
}

internal sealed class SecondHelloAccepted : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        state.Phase is LhsServerPhase.AwaitBind or LhsServerPhase.Flow && LhsTamper.IsStep(input, LhsStepName.Hello)
            ? model(LhsServerState.Initial, input, config, env)
            : model(state, input, config, env);
}

internal sealed class MissingFieldsAccepted : LhsServerBehaviour
{
    private static readonly (string Name, JsonNode Value)[] Defaults =
    [
        ("lri_version", JsonValue.Create("0.1")), ("encodings", new JsonArray("json")), ("features", new JsonArray()), ("max_frame_bytes", JsonValue.Create(65536)),
    ];

    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.AwaitHello || !LhsTamper.IsStep(input, LhsStepName.Hello)) return model(state, input, config, env);
        var original = ((LhsInput.Text)input).Value;
        var obj = JsonNode.Parse(original)!.AsObject();
        var filled = false;
        foreach (var (name, value) in Defaults)
            if (!obj.ContainsKey(name)) { obj[name] = value.DeepClone(); filled = true; }
        if (!filled) return model(state, input, config, env);
        var step = model(state, new LhsInput.Text(obj.ToJsonString()), config, env);
        // The seal must still cover the hello as it arrived.
        return step.State.Hello is { } h ? step with { State = step.State with { Hello = h with { Json = JsonDocument.Parse(original).RootElement.Clone() } } } : step;
    }
}

internal sealed class VersionMajorUnchecked : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        if (state.Phase != LhsServerPhase.AwaitHello || !LhsTamper.IsStep(input, LhsStepName.Hello)) return model(state, input, config, env);
        var original = ((LhsInput.Text)input).Value;
        var step = model(state, new LhsInput.Text(LhsTamper.WithMember(original, "lri_version", JsonValue.Create(config.Capabilities.LriVersion))), config, env);
        return step.State.Hello is { } h ? step with { State = step.State with { Hello = h with { Json = JsonDocument.Parse(original).RootElement.Clone() } } } : step;
    }
}

internal sealed class FeaturesWidened : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Mirror))) return step;
        var mirrorText = ((LhsOutput.SendText)step.Outputs.First(o => LhsTamper.IsStep(o, LhsStepName.Mirror))).Value;
        var widened = LhsTamper.WithMember(mirrorText, "features", new JsonArray([.. config.Capabilities.Features.Select(f => (JsonNode)JsonValue.Create(f))]));
        // Record the widened mirror as the one sent, so the seal covers what went on the wire.
        var mirror = Mirror.Validate(ControlFrame.Parse(widened).Value!).Value!;
        return new(step.State with { Mirror = mirror }, [new LhsOutput.SendText(widened)]);
    }
}

internal sealed class InvalidThreadAccepted : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        if (step.Rejected?.Code != LhsErrorCode.InvalidBind || state.Phase != LhsServerPhase.AwaitBind) return step;
        var original = ((LhsInput.Text)input).Value;
        var patched = model(state, new LhsInput.Text(LhsTamper.WithMember(original, "thread", JsonValue.Create("00000000-0000-4000-8000-000000000000"))), config, env);
        if (patched.Rejected is not null) return step;
        // Sign over the bind as it arrived, as a careless server would.
        var s = patched.State;
        var signature = LhsTamper.SignOver(config.SealKey, s.Hello!.Json.GetRawText(), s.Mirror!.Json.GetRawText(), original, JsonSerializer.Serialize(s.Mirror.Nonce));
        return patched with
        {
            Outputs = [.. patched.Outputs.Select(o => LhsTamper.IsStep(o, LhsStepName.Seal)
                ? new LhsOutput.SendText(LhsTamper.WithSignature(((LhsOutput.SendText)o).Value, signature)) : o)],
        };
    }
}

internal sealed class EncodingIgnored : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        model(state, SharedFaults.Transcoded(state.Contract, input), config, env);
}

internal sealed class FrameLimitIgnored : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        SharedFaults.OverLimit(state.Contract, input)
            ? new(state, [new LhsOutput.SendBinary(((LhsInput.Binary)input).Value.ToArray())])
            : model(state, input, config, env);
}

internal sealed class WrongEncodingSent : LhsServerBehaviour
{
    public override byte[] Echo(LhsServerState state, FlowFrameView frame) =>
        LhsTamper.Transcode(base.Echo(state, frame), LhsTamper.Other(state.Contract!.Encoding)) ?? base.Echo(state, frame);
}

internal sealed class NoErrorFrame : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        SharedFaults.DropErrorFrame(model(state, input, config, env));
}

internal sealed class FlowAfterError : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        input is LhsInput.PeerClosed ? model(state, input, config, env) : SharedFaults.StayOpen(state, model(state, input, config, env));
}

internal sealed class TelemetrySilent : LhsServerBehaviour
{
    public override LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model)
    {
        var step = model(state, input, config, env);
        return step with { Outputs = [.. step.Outputs.Where(o => o is not LhsOutput.Observe)] };
    }
}
