using Conformance.Model.Cip;

namespace Conformance.Suite.Cip.Play;

/// <summary>
/// An envelope the agent sent, parsed and with its typed payload; <see cref="Problem"/> says how it breaks CIP-2-sent
/// (then Envelope or Payload is null when that part could not be read).
/// </summary>
public sealed record Received(CipEnvelope? Envelope, object? Payload, string Text, string? Problem = null)
{
    public CipType? Type => Envelope?.Type;
    public StateUpdatePayload? State => Payload as StateUpdatePayload;
    public FactVerdict? Verdict => Payload as FactVerdict;
    public string Describe() => Body() + (Problem is null ? "" : $" that breaks CIP-2-sent ({Problem})");

    private string Body() => Envelope is null ? "a message" : State is { } st
        ? $"STATE_UPDATE (intent {st.Intent ?? "-"}, ltppeerstate {st.PeerState.Wire()}, presence {st.Presence.Wire()}, lri {st.Lri})"
        : Verdict is { } v ? $"{Envelope.Type.Wire()} for {v.FactRef}"
        : Envelope.Type.Wire();
}
