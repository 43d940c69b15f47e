using Conformance.Adapters.Trace;

namespace Conformance.Adapters.WebSockets;

/// <summary>One message-framed duplex connection to or from an IUT. Sends never throw on a dead peer;
/// receives never hang past their timeout.</summary>
public interface IWireConnection : IAsyncDisposable
{
    WireTrace Trace { get; }

    /// <summary>Sends a text message; false when the connection is already gone.</summary>
    Task<bool> SendTextAsync(string text);

    /// <summary>Sends a binary message; false when the connection is already gone.</summary>
    Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes);

    /// <summary>The next event, or <see cref="WireEvent.Timeout"/> after <paramref name="timeout"/>.</summary>
    Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default);

    Task CloseAsync(int code, string reason);

    /// <summary>Drops the connection without a close handshake.</summary>
    void Abort();
}
