// LHS §6: "After the Seal acknowledgment, endpoints MUST prefix all subsequent messages with LCE payloads encoded
// according to the negotiated encoding." The project's framing (SPEC-NOTES.md, "Flow frame"): one WebSocket binary
// message = 4-byte big-endian LCE length ‖ LCE ‖ application payload; the whole message is bounded by
// mirror.max_frame_bytes in both directions.
using System.Buffers.Binary;
using System.Text.Json;
using Conformance.Model.Codec;

namespace Conformance.Model.Lhs;

public sealed record FlowFrameView(LceView Lce, ReadOnlyMemory<byte> LceBytes, ReadOnlyMemory<byte> Payload);

public static class FlowFrame
{
    /// <summary>
    /// LCE members that use an optional feature: present only when that feature was negotiated. An LTP `sig` without
    /// ltp is the design's own example (must); that an `lss` or `telemetry` member "uses" its feature is the project's
    /// reading (model level, SPEC-NOTES "Features and frame size").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Feature, string Rule)> FeatureMembers = new Dictionary<string, (string, string)>
    {
        ["sig"] = ("ltp", LhsRules.FeaturesEnforced),
        ["lss"] = ("lss", LhsRules.FeatureMembers),
        ["telemetry"] = ("telemetry", LhsRules.FeatureMembers),
    };

    /// <summary>Frames an LCE (given as a JSON object) and a payload in the contract's encoding.</summary>
    public static byte[] Encode(FlowContract contract, JsonElement lce, ReadOnlySpan<byte> payload) =>
        Frame(LceCodecs.Find(contract.Encoding)?.Encode(lce)
              ?? throw new InvalidOperationException($"no codec for encoding \"{contract.Encoding}\""), payload);

    /// <summary>Frames already-encoded LCE bytes (used to send deliberately wrong encodings).</summary>
    public static byte[] Frame(ReadOnlySpan<byte> lceBytes, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + lceBytes.Length + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)lceBytes.Length);
        lceBytes.CopyTo(frame.AsSpan(4));
        payload.CopyTo(frame.AsSpan(4 + lceBytes.Length));
        return frame;
    }

    /// <summary>Checks a received flow frame against the negotiated contract.</summary>
    public static Checked<FlowFrameView> Check(FlowContract contract, ReadOnlyMemory<byte> frame)
    {
        if (frame.Length > contract.MaxFrameBytes)
            return Checked.Fail<FlowFrameView>(LhsErrorCode.FrameTooLarge,
                $"flow frame of {frame.Length} bytes exceeds the negotiated max_frame_bytes {contract.MaxFrameBytes}", LhsRules.FrameLimit);
        if (frame.Length < 4)
            return Checked.Fail<FlowFrameView>(LhsErrorCode.InvalidLce, "flow frame shorter than its 4-byte length prefix", LhsRules.LceShape);
        var length = BinaryPrimitives.ReadUInt32BigEndian(frame.Span);
        if (length > frame.Length - 4)
            return Checked.Fail<FlowFrameView>(LhsErrorCode.InvalidLce, $"LCE length {length} exceeds the {frame.Length - 4} bytes that follow", LhsRules.LceShape);
        var codec = LceCodecs.Find(contract.Encoding)
            ?? throw new InvalidOperationException($"contract names encoding \"{contract.Encoding}\", which the model has no codec for");
        var lceBytes = frame.Slice(4, (int)length);
        var (view, problem) = codec.Decode(lceBytes.Span);
        if (view is null)
            return Checked.Fail<FlowFrameView>(LhsErrorCode.InvalidLce, $"LCE is not valid {contract.Encoding}: {problem!.Detail}",
                problem.WrongEncoding ? LhsRules.EncodingEnforced : LhsRules.LceShape);
        // The must-level member first, so a frame breaking both is judged on the stricter rule.
        foreach (var (member, (feature, rule)) in FeatureMembers.OrderBy(m => m.Value.Rule == LhsRules.FeaturesEnforced ? 0 : 1))
            if (view.HasMember(member) && !contract.Has(feature))
                return Checked.Fail<FlowFrameView>(LhsErrorCode.FeatureNotNegotiated,
                    $"LCE member \"{member}\" uses feature \"{feature}\", which was not negotiated", rule);
        return Checked.Ok(new FlowFrameView(view, lceBytes, frame[(4 + (int)length)..]));
    }
}
