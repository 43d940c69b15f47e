// §1 "Steps must arrive in the precise order hello → mirror → bind → seal. Any deviation is a protocol error."
// "hello MAY be retried after connection loss; all subsequent steps are single-shot per connection."
// §6 after the seal only LCE flow frames travel. One place decides which of these rules an unexpected step breaks.
namespace Conformance.Model.Lhs;

public static class StepOrder
{
    /// <summary>The rejection for control step <paramref name="got"/> where <paramref name="due"/> was expected
    /// (null: the handshake is over). <paramref name="alreadyReceived"/>: the peer's steps this side has had.</summary>
    public static LhsError Unexpected(LhsStepName got, LhsStepName? due, IReadOnlyCollection<LhsStepName> alreadyReceived)
    {
        var name = ControlFrame.WireName(got);
        if (alreadyReceived.Contains(got))
            return new(LhsErrorCode.UnexpectedStep, $"a second \"{name}\" on one connection: steps are single-shot", LhsRules.SingleShot);
        if (due is null)
            return new(LhsErrorCode.UnexpectedStep, $"control frame \"{name}\" after the seal: flow carries only LCE frames", LhsRules.LceOnly);
        return new(LhsErrorCode.UnexpectedStep, $"\"{name}\" where \"{ControlFrame.WireName(due.Value)}\" was due", LhsRules.Order);
    }

    public static LhsError FlowBeforeSeal() => new(LhsErrorCode.UnexpectedStep, "flow frame before the seal", LhsRules.Order);

    public static LhsError TextInFlow(string detail) => new(LhsErrorCode.UnexpectedStep, "text message after the seal: " + detail, LhsRules.LceOnly);
}
