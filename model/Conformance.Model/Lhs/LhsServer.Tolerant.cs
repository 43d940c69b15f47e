// The server machine as a tester reads a client: a hello or bind that breaks only one of the project's model-level
// shape readings (a malformed optional session, auth or context) is still a handshake the spec lets through, so a
// tester that stopped there would hide every later defect behind a reading. The tolerant step records the reading it
// read past and goes on exactly as the strict machine would with that member ignored; the frame's own JSON stays what
// the seal signs. A reference server never uses it: it rejects (SPEC-NOTES, "Hello session", "Bind").
namespace Conformance.Model.Lhs;

/// <summary>The strict step, and the step the tester goes on with when only a model-level reading was broken.</summary>
public sealed record LhsServerTolerantStep(LhsStep<LhsServerState> Strict, LhsStep<LhsServerState> Step, LhsError? Tolerated)
{
    public bool GoesOn => Step.Rejected is null;
}

public static partial class LhsServer
{
    public static LhsServerTolerantStep StepTolerant(LhsServerState s, LhsInput input, LhsServerConfig cfg, Env.IModelEnvironment env)
    {
        var strict = Step(s, input, cfg, env);
        if (strict.Rejected is not { Rule: LhsRules.SessionShape or LhsRules.BindShape } broken || input is not LhsInput.Text t)
            return new(strict, strict, null);
        var frame = ControlFrame.Parse(t.Value).Value!;
        var step = frame.Step == LhsStepName.Hello
            ? Accept(s, Hello.ValidateRequired(frame), cfg, env)
            : Accept(s, Bind.Read(frame, tolerant: true).Bind, cfg, env);
        return step.Rejected is null ? new(strict, step, broken) : new(strict, strict, null);
    }
}
