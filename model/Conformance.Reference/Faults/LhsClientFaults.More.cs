using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

internal sealed class ClientHelloIncomplete : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Start(LhsClientConfig config)
    {
        var step = base.Start(config);
        var text = LhsTamper.WithMember(((LhsOutput.SendText)step.Outputs[0]).Value, "max_frame_bytes", null, remove: true);
        // Remember the hello as sent: the seal is computed over it.
        return new(step.State with { Hello = step.State.Hello with { Json = JsonDocument.Parse(text).RootElement.Clone() } }, [new LhsOutput.SendText(text)]);
    }
}

/// <summary>A reading taken the other way: session is optional metadata, and this agent sends it as a string.</summary>
internal sealed class ClientSessionString : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Start(LhsClientConfig config)
    {
        var step = base.Start(config);
        var text = LhsTamper.WithMember(((LhsOutput.SendText)step.Outputs[0]).Value, "session", "ephemeral");
        return new(step.State with { Hello = step.State.Hello with { Json = JsonDocument.Parse(text).RootElement.Clone() } }, [new LhsOutput.SendText(text)]);
    }
}

internal sealed class ClientBadThread : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        var step = model(state, input, config);
        if (!step.Outputs.Any(o => LhsTamper.IsStep(o, LhsStepName.Bind))) return step;
        var text = LhsTamper.WithMember(step.State.Bind!.Json, "thread", JsonValue.Create("thread-1"));
        var bind = step.State.Bind with { Json = JsonDocument.Parse(text).RootElement.Clone(), Thread = "thread-1" };
        return new(step.State with { Bind = bind }, [new LhsOutput.SendText(text)]);
    }

    public override string HttpBind(LhsClientConfig config) => LhsTamper.WithMember(config.BindText(), "thread", JsonValue.Create("thread-1"));
}

internal sealed class ClientMirrorFieldsUnchecked : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        if (state.Phase != LhsClientPhase.AwaitMirror || input is not LhsInput.Text t || !LhsTamper.IsStep(input, LhsStepName.Mirror)
            || JsonDocument.Parse(t.Value).RootElement.TryGetProperty("nonce", out _))
            return model(state, input, config);
        var step = model(state, new LhsInput.Text(LhsTamper.WithMember(t.Value, "nonce", JsonValue.Create("n-assumed"))), config);
        return step.State.Mirror is { } m ? step with { State = step.State with { Mirror = m with { Json = JsonDocument.Parse(t.Value).RootElement.Clone() } } } : step;
    }
}

internal sealed class ClientSealNotCanonical : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        if (state.Phase != LhsClientPhase.AwaitSeal || !LhsTamper.IsStep(input, LhsStepName.Seal)) return model(state, input, config);
        var seal = Seal.Validate(ControlFrame.Parse(((LhsInput.Text)input).Value).Value!);
        if (!seal.IsOk) return model(state, input, config);
        var raw = Encoding.UTF8.GetBytes($"[{state.Hello.Json.GetRawText()},{state.Mirror!.Json.GetRawText()},{state.Bind!.Json.GetRawText()},{JsonSerializer.Serialize(state.Mirror.Nonce)}]");
        if (SealSignature.Verify(seal.Value!.Signature, raw, config.TrustedServerKey) is { } error)
            return new(state with { Phase = LhsClientPhase.Closed }, LhsWire.Reject(error), error);
        return model(state, input, config);
    }
}
