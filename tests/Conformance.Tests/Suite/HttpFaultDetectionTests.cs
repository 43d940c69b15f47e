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

    /// <summary>Faults whose behaviour shows over http only as a different error code (a model-level check that never gates).</summary>
    public static readonly Dictionary<string, string> OnlyAsCode = new()
    {
        ["client-mirror-fields-unchecked"] = "a 101 must carry a seal, and no seal can be bound to a mirror without a nonce: the suite seals over its own " +
            "mirror, so an agent that skips the nonce check still aborts — on the seal, with lhs.trust_failed instead of lhs.invalid_frame (LHS-4-code-project, model level)",
    };

    /// <summary>Faults that show over http under another requirement than over WebSocket.</summary>
    public static readonly Dictionary<string, (string Requirement, string Why)> Elsewhere = new()
    {
        ["garbage-ignored"] = ("LHS-6-lce-only",
            "garbage in LHS-Hello is ignored, so the bind that follows is rejected as out of order: the request still gets a 4xx and LHS-3-json holds; " +
            "the ignored text shows in flow, where it must be rejected"),
        ["client-flow-before-seal"] = ("LHS-3.4-client-aborts",
            "over http bind and seal travel in one round trip, so the frame the agent sends right after its bind can only go out on the upgraded " +
            "connection: after a good seal it is ordinary flow; after a bad one it is flow where the connection had to end"),
    };

    public static Test Tests() => TestList("suite.faults-http",
    [
        .. LhsFaults.All.Where(f => !WebSocketOnly.ContainsKey(f.Name) && !OnlyAsCode.ContainsKey(f.Name)).Select(f => TestCase(f.Name, async () =>
        {
            var role = f.Side == FaultSide.Server ? "server" : "client";
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", role, "--adapter", "http", "--fault", f.Name, "--timeout-ms", Timeout, "--traces", "0");
            var requirement = Elsewhere.TryGetValue(f.Name, out var e) ? e.Requirement : f.ExpectedRequirement;
            Expect.equal(r.Exit, 1, $"{f.Name} over http must make the suite exit 1\n{r}");
            Expect.contains(r.FailedRequirements(), requirement, $"{f.Name} over http must fail {requirement}");
        })),
        TestCase("every listed exception names a real server fault that the WebSocket run still catches", () =>
        {
            foreach (var name in WebSocketOnly.Keys.Concat(Elsewhere.Keys).Concat(OnlyAsCode.Keys))
                Expect.isTrue(LhsFaults.All.Any(f => f.Name == name && f.Adapter == "websocket"),
                    $"{name} must be a websocket fault (FaultDetectionTests catches it over ws)");
        }),
        TestCase("the listed faults really go unnoticed over http (an exception is not a cover for a suite gap)", async () =>
        {
            foreach (var name in WebSocketOnly.Keys.Concat(OnlyAsCode.Keys))
            {
                var role = LhsFaults.Find(name)!.Side == FaultSide.Server ? "server" : "client";
                var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", role, "--adapter", "http", "--fault", name, "--timeout-ms", Timeout, "--traces", "0");
                Expect.equal(r.Exit, 0, $"{name} cannot show over http as a must failure\n{r}");
            }
        }),
    ]);
}
