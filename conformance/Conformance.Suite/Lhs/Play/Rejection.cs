// The verifier for "the IUT must now reject": one error frame, then close, and nothing more — §4 "If any step fails
// validation, the rejecting party SHOULD send a terminal error frame […] After emitting an error the connection MUST
// close without entering flow." Every rejection case in both roles ends here.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs.Play;

public static class Rejection
{
    public const string ErrorFrame = "LHS-4-error-frame";
    public const string Close = "LHS-4-close";
    public const string NoFlow = "LHS-4-no-flow";
    public const string TableCode = "LHS-4-code";
    public const string ProjectCode = "LHS-4-code-project";

    /// <summary>The requirements a rejection case checks besides its own rule.</summary>
    public static readonly string[] Requirements = [ErrorFrame, Close, NoFlow, TableCode, ProjectCode];

    /// <summary>
    /// Reads the IUT's reaction to an input the model rejects with <paramref name="expected"/>, attributing the
    /// rejection itself to <paramref name="requirement"/>. <paramref name="probe"/> is sent after the error frame:
    /// a frame the IUT would act on had it not rejected, so an IUT that carries on is caught doing it.
    /// <paramref name="flowMayPrecede"/>: flow frames the IUT sent before it could see the offending input are fine.
    /// </summary>
    public static async Task<Verdict> Expect(CaseContext ctx, Checks checks, IWireConnection conn, string requirement,
        LhsError expected, Func<Task>? probe = null, bool flowMayPrecede = false, TimeSpan? firstWait = null)
    {
        var want = $"rejection: error frame {expected.Code.Wire()}, then close";
        Seen first;
        do first = Seen.From(await conn.ReceiveAsync(firstWait ?? ctx.Step, ctx.Cancel));
        while (flowMayPrecede && first is Seen.Flow);

        switch (first)
        {
            case Seen.Error or Seen.Garbage:
                checks.Expect(requirement, true, want, first.Describe());
                CheckErrorFrame(checks, first, expected);
                if (probe is not null) await probe();
                // How the connection ends is judged while the run goes on: a step timeout of waiting for an IUT that
                // never closes must not add up case after case (the verdict waits for it, the next case does not).
                checks.Later(ExpectClosedQuietly(ctx, checks, conn));
                break;
            // RFC 6455 §7.4.1: 1000 means "the purpose for which the connection was established has been
            // fulfilled" — an IUT that closes normally after the offending input did not reject it (SPEC-NOTES.md).
            case Seen.Closed { Code: LhsWire.NormalCloseCode }:
                checks.Expect(requirement, false, want, first.Describe() + ": a normal closure, as if nothing were wrong");
                break;
            case Seen.Closed:
                checks.Expect(requirement, true, want, first.Describe());
                checks.Expect(ErrorFrame, false, "an error frame before the close", first.Describe() + " with no error frame");
                break;
            case Seen.Silent:
                checks.Expect(requirement, false, want, first.Describe() + ": the IUT neither rejected nor answered", timedOut: true);
                break;
            default:
                checks.Expect(requirement, false, want, first.Describe() + ": the IUT accepted the input");
                break;
        }
        return checks.Verdict();
    }

    /// <summary>§4: the rejection's first message (or, over http, its body) is a structured error frame with the model's code.</summary>
    public static void CheckErrorFrame(Checks checks, Seen first, LhsError expected)
    {
        var error = first as Seen.Error;
        checks.Expect(ErrorFrame, error?.Structured == true, "an error frame {\"step\":\"error\",\"code\":\"…\",\"detail\":\"…\"}", first.Describe());
        if (error?.Structured != true) return;
        var codeRequirement = expected.Code.IsFromSpecTable() ? TableCode : ProjectCode;
        checks.Expect(codeRequirement, error.Code == expected.Code.Wire(), $"code {expected.Code.Wire()}", $"code {error.Code}");
    }

    /// <summary>
    /// After an error frame: only further error frames may come, then the close, within <see cref="CaseContext.CloseWindow"/>
    /// (a step timeout, unless the run already knows this IUT does not close). An IUT still open then has answered
    /// (its error frame) and failed to close: a failure, not a timeout.
    /// </summary>
    private static async Task ExpectClosedQuietly(CaseContext ctx, Checks checks, IWireConnection conn)
    {
        var carriedOn = new List<string>();
        var window = ctx.CloseWindow;
        var started = DateTime.UtcNow;
        var deadline = started + window;
        // A trace may stop waiting once another case has shown, with a full wait, that this IUT does not close.
        using var known = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancel);
        string? knownFrom = null;
        if (ctx.CloseMayRestOnFacts && ctx.CloseKnownFrom is null)
            _ = ctx.Settings.Facts.KeepsOpenAfterErrorKnown(ctx.Case.Spec, ctx.Case.Role.Name()).ContinueWith(async t =>
            {
                var wait = started + CaseContext.ShortCloseWindow - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                knownFrom = t.Result;
                try { known.Cancel(); } catch (ObjectDisposedException) { }
            }, TaskScheduler.Default);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Seen next;
            try { next = left <= TimeSpan.Zero ? new Seen.Silent(window) : Seen.From(await conn.ReceiveAsync(left, known.Token)); }
            catch (OperationCanceledException) when (!ctx.Cancel.IsCancellationRequested && knownFrom is not null)
            {
                Finish(checks, carriedOn, null, $"still open {(DateTime.UtcNow - started).TotalMilliseconds:0} ms after its error frame " +
                    $"(case {knownFrom} saw this IUT keep a connection open a whole step timeout, {ctx.Step.TotalMilliseconds:0} ms, after its error frame)");
                return;
            }
            switch (next)
            {
                case Seen.Error or Seen.Garbage: continue;
                case Seen.Control or Seen.Flow: carriedOn.Add(next.Describe()); continue;
                case Seen.Closed or Seen.Oversize:
                    Finish(checks, carriedOn, next.Describe());
                    return;
                default:
                    var still = $"still open {window.TotalMilliseconds:0} ms after its error frame";
                    if (ctx.CloseKnownFrom is { } from)
                        still += $" (case {from} saw this IUT keep a connection open a whole step timeout, {ctx.Step.TotalMilliseconds:0} ms, after its error frame)";
                    else
                        ctx.Settings.Facts.KeptOpenAfterError(ctx.Case.Spec, ctx.Case.Role.Name(), ctx.Case.Id);
                    Finish(checks, carriedOn, null, still);
                    return;
            }
        }
    }

    private static void Finish(Checks checks, List<string> carriedOn, string? closedBy, string? stillOpen = null)
    {
        checks.Expect(NoFlow, carriedOn.Count == 0, "no handshake or flow frame after the error frame",
            carriedOn.Count == 0 ? "none" : string.Join("; ", carriedOn));
        checks.Expect(Close, closedBy is not null, "the connection closes after the error frame", closedBy ?? stillOpen!);
    }
}
