using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

/// <summary>Trusts whatever seal arrives: it re-signs each seal with a key of its own, which it trusts instead.</summary>
internal sealed class ClientAcceptsBadSeal : LhsClientBehaviour
{
    private readonly Ed25519Signer _own = TestKeys.FromLabel("fault/client-accepts-bad-seal");

    public override LhsClientConfig Configure(LhsClientConfig config) => config with { TrustedServerKey = _own.PublicKey };

    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        if (state.Phase != LhsClientPhase.AwaitSeal || !LhsTamper.IsStep(input, LhsStepName.Seal)) return model(state, input, config);
        var payload = SealSignature.Payload(state.Hello.Json, state.Mirror!.Json, state.Bind!.Json, state.Mirror.Nonce);
        return model(state, new LhsInput.Text(LhsTamper.WithSignature(((LhsInput.Text)input).Value, SealSignature.Sign(_own, payload))), config);
    }
}

internal sealed class ClientFlowBeforeSeal : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        var step = model(state, input, config);
        if (state.Phase != LhsClientPhase.AwaitMirror || step.State.Phase != LhsClientPhase.AwaitSeal) return step;
        var early = FlowFrame.Encode(step.State.Mirror!.Contract, LhsAgent.PingLce, "too early"u8);
        return step with { Outputs = [.. step.Outputs, new LhsOutput.SendBinary(early)] };
    }
}

internal sealed class ClientMirrorUnchecked : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model)
    {
        if (state.Phase != LhsClientPhase.AwaitMirror || !LhsTamper.IsStep(input, LhsStepName.Mirror)) return model(state, input, config);
        var original = ((LhsInput.Text)input).Value;
        var parsed = Mirror.Validate(ControlFrame.Parse(original).Value!);
        if (!parsed.IsOk || state.Hello.Encodings.Contains(parsed.Value!.Contract.Encoding)) return model(state, input, config);
        var step = model(state, new LhsInput.Text(LhsTamper.WithMember(original, "encoding", JsonValue.Create(state.Hello.Encodings[0]))), config);
        // Keep the mirror as received for the seal check, as a client that never looked at it would.
        return step.State.Mirror is { } m ? step with { State = step.State with { Mirror = m with { Json = JsonDocument.Parse(original).RootElement.Clone() } } } : step;
    }
}

internal sealed class ClientEncodingIgnored : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model) =>
        model(state, SharedFaults.Transcoded(state.Contract, input), config);
}

internal sealed class ClientFrameLimitIgnored : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model) =>
        SharedFaults.OverLimit(state.Contract, input) ? new(state, SharedFaults.None) : model(state, input, config);
}

internal sealed class ClientNoErrorFrame : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model) =>
        SharedFaults.DropErrorFrame(model(state, input, config));
}

internal sealed class ClientFlowAfterError : LhsClientBehaviour
{
    public override LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model) =>
        input is LhsInput.PeerClosed ? model(state, input, config) : SharedFaults.StayOpen(state, model(state, input, config));
}
