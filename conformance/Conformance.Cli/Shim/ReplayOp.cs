// cip.replay (adapters/SHIM.md): a fresh agent (the group's `agent` identity, its replay window) meets the request's
// envelopes at their arrival times; each one's verdict is whether the model accepted it or dropped it, and by which
// rule. A faulty agent (ShimFaults.AgentBehaviour) runs through its real behaviour around the model.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Faults;

namespace Conformance.Cli.Shim;

internal static class ReplayOp
{
    public static JsonObject Answer(JsonElement r, Fault? fault)
    {
        var agent = r.GetProperty("agent");
        using var key = new Ed25519Signer(Convert.FromHexString(agent.GetProperty("seed").GetString()!));
        var cfg = new CipAgentConfig(new CipIdentity(agent.GetProperty("agentId").GetString()!, key), new HashSet<string>(), null,
            TimeSpan.FromSeconds(r.GetProperty("replayWindowSeconds").GetInt64()));
        var behaviour = ShimFaults.AgentBehaviour(fault);
        var steps = r.GetProperty("steps").EnumerateArray().ToArray();
        if (steps.Length == 0) throw new FormatException("no steps");
        // The agent's own random choices (its HELLO's nonce and challenge) are not judged: any stream will do.
        var env = new ReplayClock(Time(steps[0].GetProperty("at")));
        var state = CipAgentState.Initial;
        var verdicts = new JsonArray();
        JsonObject last = [];
        foreach (var s in steps)
        {
            var at = Time(s.GetProperty("at"));
            if (at < env.Now) throw new FormatException("steps go back in time");
            env.Now = at;
            var step = behaviour.Step(state, new CipInput.Message(s.GetProperty("connection").GetInt32(), s.GetProperty("envelope").GetString()!), cfg, env, CipAgent.Step);
            state = step.State;
            last = step.Dropped is not { } drop ? new JsonObject { ["expected"] = "accepted" }
                : new JsonObject { ["expected"] = "dropped", ["rule"] = drop.Rule, ["reason"] = drop.Detail };
            verdicts.Add(last);
        }
        var outcome = last["expected"]!.GetValue<string>();
        return new JsonObject { ["result"] = outcome == "accepted" ? "valid" : "invalid", ["verdicts"] = verdicts, ["outcome"] = outcome };
    }

    private static DateTimeOffset Time(JsonElement e) =>
        DateTimeOffset.Parse(e.GetString() ?? throw new FormatException("at is null"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A clock the op sets to each arrival, over a fixed random stream.</summary>
    private sealed class ReplayClock(DateTimeOffset start) : IModelEnvironment
    {
        private readonly SeededEnvironment _random = new(0, start, "reference-shim-cip-replay");

        public DateTimeOffset Now { get; set; } = start;

        public void NextBytes(Span<byte> destination) => _random.NextBytes(destination);
    }
}
