// The LHS server faults over the HTTP Upgrade adapter (§5): `run --spec lhs --adapter http --fault NAME` must exit 1
// with the fault's requirement failing. A fault whose behaviour cannot show over http is listed with the reason (and
// is still caught over WebSocket by FaultDetectionTests); one that shows under another requirement says which and why.
using Conformance.Reference.Faults;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class HttpFaultDetectionTests
{
    private const string Timeout = "400";

    /// <summary>Faults that only concern WebSocket message order: nothing over http can trigger them.</summary>
    public static readonly Dictionary<string, string> WebSocketOnly = new()
    {
        ["bind-before-hello"] = "a bind before the hello needs WebSocket order; the upgrade request has one slot per frame (LHS-S-order-bind-first is not applicable over http)",
    };

    /// <summary>Faults that show over http under another requirement than over WebSocket.</summary>
    public static readonly Dictionary<string, (string Requirement, string Why)> Elsewhere = new()
    {
        ["garbage-ignored"] = ("LHS-6-lce-only",
            "garbage in LHS-Hello is ignored, so the bind that follows is rejected as out of order: the request still gets a 4xx and LHS-3-json holds; " +
            "the ignored text shows in flow, where it must be rejected"),
    };

    public static Test Tests() => TestList("suite.faults-http",
    [
        .. LhsFaults.All.Where(f => f.Side == FaultSide.Server && !WebSocketOnly.ContainsKey(f.Name)).Select(f => TestCase(f.Name, async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--adapter", "http", "--fault", f.Name, "--timeout-ms", Timeout);
            var requirement = Elsewhere.TryGetValue(f.Name, out var e) ? e.Requirement : f.ExpectedRequirement;
            Expect.equal(r.Exit, 1, $"{f.Name} over http must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), requirement, $"{f.Name} over http must fail {requirement}");
        })),
        TestCase("every listed exception names a real server fault that the WebSocket run still catches", () =>
        {
            foreach (var name in WebSocketOnly.Keys.Concat(Elsewhere.Keys))
                Expect.isTrue(LhsFaults.All.Any(f => f.Name == name && f.Side == FaultSide.Server && f.Adapter == "websocket"),
                    $"{name} must be a websocket server fault (FaultDetectionTests catches it over ws)");
        }),
        TestCase("the ws-only fault really goes unnoticed over http (the exception is not a cover for a suite gap)", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--adapter", "http", "--fault", "bind-before-hello", "--timeout-ms", Timeout);
            Expect.equal(r.Exit, 0, $"bind-before-hello cannot show over http\n{r}");
        }),
    ]);
}
