// Damage that applies the same way to either side of the connection.
using System.Collections.Immutable;
using Conformance.Model.Lhs;
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

internal static class SharedFaults
{
    /// <summary>Rejections lose their error frame; the close stays.</summary>
    public static LhsStep<T> DropErrorFrame<T>(LhsStep<T> step) =>
        step.Rejected is null ? step : step with { Outputs = [.. step.Outputs.Where(o => !LhsTamper.IsStep(o, LhsStepName.Error))] };

    /// <summary>Rejections keep their error frame but lose the close, and the machine carries on from before.</summary>
    public static LhsStep<T> StayOpen<T>(T before, LhsStep<T> step) =>
        step.Rejected is null ? step : new LhsStep<T>(before, [.. step.Outputs.Where(o => o is not LhsOutput.Close)]);

    /// <summary>A flow frame that fails only because of its encoding is re-encoded into the negotiated one.</summary>
    public static LhsInput Transcoded(FlowContract? contract, LhsInput input)
    {
        if (contract is null || input is not LhsInput.Binary b) return input;
        var check = FlowFrame.Check(contract, b.Value);
        if (check.IsOk || check.Error!.Code != LhsErrorCode.InvalidLce) return input;
        return LhsTamper.Transcode(b.Value, contract.Encoding) is { } fixedFrame ? new LhsInput.Binary(fixedFrame) : input;
    }

    public static bool OverLimit(FlowContract? contract, LhsInput input) =>
        contract is not null && input is LhsInput.Binary b && b.Value.Length > contract.MaxFrameBytes;

    public static ImmutableArray<LhsOutput> None => [];
}
