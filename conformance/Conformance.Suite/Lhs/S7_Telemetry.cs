// §7 item 5 — "Emits telemetry hooks so LSS can initialise coherence metrics from Bind." A hook is not on the wire:
// the suite reads it from the IUT's observation channel (DESIGN.md "Telemetry"; SPEC-NOTES.md "Telemetry hooks").
using System.Text.Json;
using Conformance.Model.Ltp;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S7_Telemetry
{
    private const string Hook = "LHS-7-telemetry-bind";

    public static IEnumerable<CaseDef> Cases() =>
    [
        Server("LHS-S-telemetry-bind", "§7", "Telemetry hook from bind", "Completes a handshake whose bind carries a context, then waits for the IUT's \"lhs.bind\" observation with that thread and context.",
            [.. Handshake, Hook], async (ctx, k) =>
            {
                if (ctx.Server!.Observations is not { } observations)
                    return Verdict.NotImplemented("no observation channel: pass --observe URL (the reference edge serves <path>/observe) or use a stdio shim");
                var c = await SuiteClient.ConnectAsync(ctx, k);
                if (!await c.HandshakeAsync()) return k.Verdict();
                var thread = c.Config.Thread;
                var seen = await observations.WaitForAsync(o => o.Name == "lhs.bind" && o.Data.ValueKind == JsonValueKind.Object
                    && o.Data.TryGetProperty("thread", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == thread, ctx.Step, ctx.Cancel);
                if (seen is null)
                {
                    k.Expect(Hook, false, $"an \"lhs.bind\" observation for thread {thread}", $"none within {ctx.Step.TotalMilliseconds:0} ms on {observations.Describe}", timedOut: true);
                    return k.Verdict();
                }
                var want = Jcs.CanonicalString(c.Config.Context!.Value);
                var got = seen.Data.TryGetProperty("context", out var context) && context.ValueKind == JsonValueKind.Object ? Jcs.CanonicalString(context) : "(none)";
                k.Expect(Hook, want == got, $"the bind's context {want}", $"context {got}");
                return k.Verdict();
            }),
    ];
}
