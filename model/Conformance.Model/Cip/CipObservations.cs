// Names of the agent's observations (CipOutput.Observe): what it decided off the wire, for the telemetry channel.
// Code that needs a decision reads the typed step (CipStep.Dropped, CipStep.Transitions), not these.
namespace Conformance.Model.Cip;

public static class CipObservations
{
    /// <summary>An envelope dropped: rule, reason, and msg_id, sender and type when it parsed.</summary>
    public const string Drop = "cip.drop";
    /// <summary>A trust transition: agent_id, from, to, why.</summary>
    public const string Trust = "cip.trust";
    /// <summary>A claim's standing changed: fact_ref, status, rule, reason.</summary>
    public const string Fact = "cip.fact";
    /// <summary>A vote recorded but not counted: fact_ref, voter, counted, reason.</summary>
    public const string Vote = "cip.vote";
    /// <summary>A handshake deferred: agent_id, reason.</summary>
    public const string Defer = "cip.defer";
}
