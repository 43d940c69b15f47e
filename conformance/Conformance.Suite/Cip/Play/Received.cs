using Conformance.Model.Cip;

namespace Conformance.Suite.Cip.Play;

/// <summary>An envelope the agent sent, parsed and with its typed payload.</summary>
public sealed record Received(CipEnvelope Envelope, object Payload, string Text)
{
    public CipType Type => Envelope.Type;
    public StateUpdatePayload? State => Payload as StateUpdatePayload;
    public FactVerdict? Verdict => Payload as FactVerdict;
    public string Describe() => Type switch
    {
        CipType.StateUpdate => $"STATE_UPDATE (intent {State!.Intent ?? "-"}, ltppeerstate {State.PeerState.Wire()}, presence {State.Presence.Wire()}, lri {State.Lri})",
        CipType.FactConfirm or CipType.FactReject or CipType.FactChallenge => $"{Type.Wire()} for {Verdict!.FactRef}",
        _ => Type.Wire(),
    };
}
