namespace Conformance.Adapters.WebSockets;

/// <summary>What one receive produced: typed, so verifiers never parse transport states themselves.</summary>
public abstract record WireEvent
{
    public sealed record Text(string Value) : WireEvent;
    public sealed record Binary(byte[] Value) : WireEvent;
    /// <summary>The peer closed (with its close code when it sent a close frame) or the transport dropped.</summary>
    public sealed record Closed(int? Code, string? Reason) : WireEvent;
    /// <summary>Nothing arrived within the step timeout.</summary>
    public sealed record Timeout(TimeSpan After) : WireEvent;
    /// <summary>A message exceeded the receive limit; the connection was aborted to bound memory.</summary>
    public sealed record Oversize(bool IsBinary, long AtLeast) : WireEvent;
}
