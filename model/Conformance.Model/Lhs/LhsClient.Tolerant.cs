// The client machine as a tester reads a server: when a mirror or seal breaks a rule but can still be read, a tester
// that stopped there would hide every later defect behind the first. The tolerant step records what the frame broke
// (the same errors the strict step rejects with) and goes on as a client would with the nearest sensible reading:
// a missing field takes the value the hello proposed, a seal that does not verify still opens the flow.
// A reference client never uses it: a real client MUST abort (§3.4).
using System.Collections.Immutable;
using System.Text.Json;
using Conformance.Model.Codec;

namespace Conformance.Model.Lhs;

/// <summary>
/// A tolerant step: the strict step (with its rejection), and when the frame could still be read, the state the
/// tester goes on from, the outputs it sends, and every violation it read past.
/// <see cref="SealUnverifiable"/>: the seal could not be checked at all (no nonce in the mirror or the seal).
/// </summary>
public sealed record LhsTolerantStep(LhsStep<LhsClientState> Strict, LhsClientState? State, ImmutableArray<LhsOutput> Outputs,
    IReadOnlyList<LhsError> Tolerated, bool SealUnverifiable = false)
{
    /// <summary>True when the tester can go on (the strict step accepted, or the frame was read past its violations).</summary>
    public bool GoesOn => Strict.Rejected is null || State is not null;
}

public static partial class LhsClient
{
    public static LhsTolerantStep StepTolerant(LhsClientState s, LhsInput input, LhsClientConfig cfg)
    {
        var strict = Step(s, input, cfg);
        if (strict.Rejected is null) return new(strict, strict.State, strict.Outputs, []);
        if (input is not LhsInput.Text t || ControlFrame.Parse(t.Value) is not { IsOk: true } parsed || parsed.Value!.Step != Expected(s.Phase))
            return new(strict, null, [], []);
        return parsed.Value.Step == LhsStepName.Mirror ? MirrorTolerant(s, strict, parsed.Value, cfg) : SealTolerant(s, strict, parsed.Value, cfg);
    }

    private static LhsTolerantStep MirrorTolerant(LhsClientState s, LhsStep<LhsClientState> strict, ControlFrame frame, LhsClientConfig cfg)
    {
        var problems = new List<LhsError>();
        if (Mirror.Validate(frame).Error is { } shape) problems.Add(shape);
        var mirror = Mirror.ReadTolerant(frame, s.Hello);
        if (mirror is null) return new(strict, null, [], []);
        problems.AddRange(Negotiation.MirrorProblems(s.Hello, mirror));
        // Flow goes on under what both sides could have meant: never wider than the hello asked for.
        var contract = mirror.Contract with
        {
            Features = [.. mirror.Contract.Features.Where(f => s.Hello.Features.Contains(f, StringComparer.Ordinal))],
            MaxFrameBytes = Math.Min(mirror.Contract.MaxFrameBytes, s.Hello.MaxFrameBytes),
        };
        var text = cfg.BindText();
        var bind = Bind.Validate(ControlFrame.Parse(text).Value!).Value!;
        return new(strict, s with { Phase = LhsClientPhase.AwaitSeal, Mirror = mirror with { Contract = contract }, Bind = bind },
            [new LhsOutput.SendText(text)], problems);
    }

    private static LhsTolerantStep SealTolerant(LhsClientState s, LhsStep<LhsClientState> strict, ControlFrame frame, LhsClientConfig cfg)
    {
        var problems = new List<LhsError>();
        var seal = Seal.Validate(frame);
        if (seal.Error is { } shape) problems.Add(shape);
        var j = frame.Json;
        var signature = Text(j, "signature");
        var sessionId = Text(j, "session_id") ?? "";
        // A mirror without its nonce leaves the seal's own features.ltp.jws.nonce as the only word on what was signed.
        var nonce = s.Mirror!.Nonce.Length > 0 ? s.Mirror.Nonce : SealNonce(j);
        var unverifiable = nonce is null && signature is not null;
        if (signature is not null && nonce is not null)
        {
            var payload = SealSignature.Payload(s.Hello.Json, s.Mirror.Json, s.Bind!.Json, nonce);
            if (SealSignature.Verify(signature, payload, cfg.TrustedServerKey) is { } trust) problems.Add(trust);
        }
        var opened = new Seal(j, sessionId, signature ?? "");
        return new(strict, s with { Phase = LhsClientPhase.Flow, Seal = opened }, [new LhsOutput.Established(s.Mirror.Contract, sessionId)],
            problems, unverifiable);
    }

    private static string? Text(JsonElement j, string name) =>
        j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? SealNonce(JsonElement j) =>
        j.TryGetProperty("features", out var f) && f.ValueKind == JsonValueKind.Object
        && f.TryGetProperty("ltp", out var ltp) && ltp.ValueKind == JsonValueKind.Object
        && ltp.TryGetProperty("jws", out var jws) && jws.ValueKind == JsonValueKind.Object
            ? Text(jws, "nonce") : null;
}
