// Shared means of breaking the CIP agent from outside the model: rewrite an input so the model sees it as valid
// (re-signed with the fault's own key, which the state then pins for that agent_id), rewrite an output and re-sign it
// with the agent's key, or patch the state before or after a step.
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Reference.Cip;
using Conformance.Reference.Hosting;

namespace Conformance.Reference.Faults;

internal static class CipFaultTools
{
    public static readonly CipIdentity Own = new("fault", TestKeys.FromLabel("fault/cip/own-key"));

    public static JsonObject? Json(CipInput input) =>
        input is CipInput.Message m ? TryObject(m.Text) : null;

    public static JsonObject? TryObject(string text)
    {
        try { return JsonNode.Parse(text) as JsonObject; } catch (JsonException) { return null; }
    }

    /// <summary>
    /// If the model dropped <paramref name="input"/> for <paramref name="rule"/>, repair the envelope with
    /// <paramref name="repair"/>, re-sign it with the fault's key, pin that key for the sender, and step again
    /// from the same state: an agent that does not enforce the rule.
    /// </summary>
    public static CipStep Tolerate(string rule, Action<JsonObject> repair, CipAgentState state, CipInput input, CipAgentConfig config,
        IModelEnvironment env, CipModel model)
    {
        var step = model(state, input, config, env);
        if (step.Dropped?.Rule != rule || Json(input) is not { } envelope || input is not CipInput.Message m) return step;
        repair(envelope);
        var agentId = envelope["sender"]?["agent_id"]?.GetValue<string>();
        var fingerprint = envelope["sender"]?["fingerprint"]?.GetValue<string>();
        var pubkey = envelope["sender"]?["pubkey"] is JsonValue pk && pk.TryGetValue<string>(out var pkText) ? pkText : null;
        if (agentId is null || fingerprint is null) return step;
        envelope["sender"]!["pubkey"] = Own.PublicKeyBase64;
        envelope["sender"]!["fingerprint"] = Own.Fingerprint;
        var text = CipSigning.Sign(envelope, Own.Key);
        var had = state.Peers.TryGetValue(agentId, out var rec);
        var repinned = had ? state with { Peers = state.Peers.SetItem(agentId, rec! with { PinnedKey = Own.Key.PublicKey }) } : state;
        var tolerated = model(repinned, new CipInput.Message(m.Connection, text), config, env);
        // Leave no trace of the fault's key: the peer stays pinned to its own, and replies go to its own fingerprint,
        // as a real agent that does not enforce the rule would answer.
        if (tolerated.State.Peers.TryGetValue(agentId, out var after))
        {
            var own = had ? (rec!.PinnedKey, rec.Fingerprint) : (TryBase64(pubkey), after.Fingerprint == Own.Fingerprint ? fingerprint : after.Fingerprint);
            tolerated = tolerated with { State = tolerated.State with { Peers = tolerated.State.Peers.SetItem(agentId, after with { PinnedKey = own.Item1, Fingerprint = own.Item2 }) } };
        }
        return RewriteSends(tolerated, config, (_, e) =>
        {
            if (e["receiver"] is JsonObject r && r["fingerprint"]?.GetValue<string>() == Own.Fingerprint) r["fingerprint"] = fingerprint;
            return e;
        });
    }

    private static byte[]? TryBase64(string? text)
    {
        try { return text is null ? null : Convert.FromBase64String(text); } catch (FormatException) { return null; }
    }

    /// <summary>Rewrites the sends of a step; <paramref name="rewrite"/> returns the new envelope (re-signed here) or null to drop it.</summary>
    public static CipStep RewriteSends(CipStep step, CipAgentConfig config, Func<CipOutput.Send, JsonObject, JsonObject?> rewrite) =>
        step with
        {
            Outputs = [.. step.Outputs.SelectMany(o =>
            {
                if (o is not CipOutput.Send s || TryObject(s.Text) is not { } env) return new[] { o };
                var changed = rewrite(s, env);
                return changed is null ? [] : new CipOutput[] { s with { Text = CipSigning.Sign(changed, config.Self.Key) } };
            })],
        };

    public static string? Type(JsonObject env) => env["type"]?.GetValue<string>();

    public static string? Intent(JsonObject env) => env["payload"]?["intent"]?.GetValue<string>();

    /// <summary>The trust transitions a step made, as (agent_id, from, to); from is null for a peer the agent had no record of.</summary>
    public static IEnumerable<(string AgentId, TrustState? From, TrustState To)> Transitions(CipStep step) =>
        step.Transitions.Select(t => (t.AgentId, t.From, t.To));

    /// <summary>The step with one peer's trust set back to <paramref name="trust"/> (and the transition and its report removed).</summary>
    public static CipStep Revert(CipStep step, string agentId, TrustState trust) =>
        step with
        {
            State = step.State with { Peers = step.State.Peers.SetItem(agentId, step.State.Peers[agentId] with { Trust = trust }) },
            Outputs = [.. step.Outputs.Where(o => !(o is CipOutput.Observe { Name: CipObservations.Trust } t && t.Data.GetProperty("agent_id").GetString() == agentId))],
            Transitions = [.. step.Transitions.Where(t => t.AgentId != agentId)],
        };

    public static ImmutableArray<CipOutput> Without(ImmutableArray<CipOutput> outputs, Func<CipOutput, bool> drop) => [.. outputs.Where(o => !drop(o))];
}
