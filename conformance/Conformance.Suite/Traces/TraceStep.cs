// One step of a property-based trace, printed as a readable token so a shrunk counterexample reads (and replays) as a
// script: `kind[:variant][#n]`, steps joined by ';' — e.g. `hello;bind:thread-bad`. The protocol gives the tokens
// meaning; the engine only generates, shrinks, prints and parses them.
namespace Conformance.Suite.Traces;

/// <summary>A step: what to send (<paramref name="Kind"/>), how it deviates from the valid one (<paramref name="Variant"/>, "" = valid), and a size-like number.</summary>
public sealed record TraceStep(string Kind, string Variant = "", int N = 0)
{
    public override string ToString() => Kind + (Variant.Length > 0 ? ":" + Variant : "") + (N != 0 ? "#" + N : "");

    public static string Script(IEnumerable<TraceStep> steps) => string.Join(";", steps);

    /// <summary>Parses a script printed by <see cref="Script"/>; null when it is malformed.</summary>
    public static IReadOnlyList<TraceStep>? Parse(string script)
    {
        var steps = new List<TraceStep>();
        foreach (var token in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var n = 0;
            var rest = token;
            var hash = token.IndexOf('#');
            if (hash >= 0)
            {
                if (!int.TryParse(token[(hash + 1)..], out n)) return null;
                rest = token[..hash];
            }
            var colon = rest.IndexOf(':');
            var kind = colon >= 0 ? rest[..colon] : rest;
            if (kind.Length == 0 || kind.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch == '-'))) return null;
            steps.Add(new TraceStep(kind, colon >= 0 ? rest[(colon + 1)..] : "", n));
        }
        return steps.Count > 0 ? steps : null;
    }
}
