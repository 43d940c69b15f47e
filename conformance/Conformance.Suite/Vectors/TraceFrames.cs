// The frames of a minimal failing trace, connection by connection, as `--save-vector` turns them into a vector: what
// the suite sent exactly as sent, and what the IUT sent (read only for what it declared about itself, never as an
// expected output: those come from the model).
using Conformance.Adapters.Trace;

namespace Conformance.Suite.Vectors;

/// <summary>One text or binary frame of a trace: <paramref name="Sent"/> by the suite, else received from the IUT.</summary>
public sealed record TraceFrame(bool Sent, bool Binary, byte[] Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes);
}

public static class TraceFrames
{
    /// <summary>
    /// Every connection's text and binary frames both ways, in the order the connections opened (the trace roles that
    /// save vectors use one connection at a time). Null, with why, when a frame was kept only in part (the trace keeps
    /// the first <see cref="TraceEntry.MaxKeptBytes"/> bytes of a frame): its exact bytes are gone.
    /// </summary>
    public static (IReadOnlyList<IReadOnlyList<TraceFrame>>? Connections, string? Why) ByConnection(IReadOnlyList<TraceEntry> trace)
    {
        var connections = new List<List<TraceFrame>>();
        foreach (var e in trace)
        {
            if (e.Kind == FrameKind.Open) connections.Add([]);
            if (e.Direction == Direction.Local || e.Kind is not (FrameKind.Text or FrameKind.Binary)) continue;
            if (e.Bytes.Length < e.Length) return (null, $"a {e.Length}-byte frame of the trace was kept only in part");
            if (connections.Count == 0) connections.Add([]);
            connections[^1].Add(new TraceFrame(e.Direction == Direction.Sent, e.Kind == FrameKind.Binary, e.Bytes));
        }
        return ([.. connections.Where(c => c.Count > 0)], null);
    }
}
