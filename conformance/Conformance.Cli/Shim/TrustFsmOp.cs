// cip.trust-fsm (adapters/SHIM.md): the §5.2 trust table replayed over the request's events from its initial state.
// A fault that undoes one row of the table (ShimFaults.SuppressedTransition) leaves the state where it was instead.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Reference.Faults;

namespace Conformance.Cli.Shim;

internal static class TrustFsmOp
{
    public static JsonObject Answer(JsonElement r, Fault? fault)
    {
        if (!CipNames.TryTrust(r.GetProperty("initial").GetString(), out var state)) throw new FormatException("initial is not a trust state");
        var suppressed = ShimFaults.SuppressedTransition(fault);
        var states = new JsonArray();
        foreach (var e in r.GetProperty("events").EnumerateArray())
        {
            var next = TrustFsm.Next(state, Event(e.GetString()));
            if ((state, next) != suppressed) state = next;
            states.Add(state.Wire());
        }
        return new JsonObject { ["result"] = "valid", ["states"] = states, ["final"] = state.Wire() };
    }

    private static TrustEvent Event(string? name) =>
        TrustFsm.TryEvent(name, out var e) ? e : throw new FormatException($"unknown trust event \"{name}\"");
}
