// What the LHS state machines take in and give out. Hosts turn transport events into inputs and perform the
// outputs; the machines never touch a socket.
using System.Collections.Immutable;
using System.Text.Json;
using Conformance.Model.Codec;

namespace Conformance.Model.Lhs;

public abstract record LhsInput
{
    /// <summary>A text message: a control frame.</summary>
    public sealed record Text(string Value) : LhsInput;
    /// <summary>A binary message: a flow frame.</summary>
    public sealed record Binary(ReadOnlyMemory<byte> Value) : LhsInput;
    /// <summary>The transport refused to buffer a message this large (hosts bound their memory).</summary>
    public sealed record Oversize(bool IsBinary, long Size) : LhsInput;
    /// <summary>The handshake did not complete in time (§2: "HELLO --> [*] : Reject / timeout").</summary>
    public sealed record HandshakeTimeout : LhsInput;
    /// <summary>The peer closed the connection.</summary>
    public sealed record PeerClosed : LhsInput;
}

public abstract record LhsOutput
{
    public sealed record SendText(string Value) : LhsOutput;
    public sealed record SendBinary(byte[] Value) : LhsOutput;
    public sealed record Close(int Code, string Reason) : LhsOutput;
    /// <summary>A flow frame for the application.</summary>
    public sealed record Deliver(FlowFrameView Frame) : LhsOutput;
    /// <summary>The handshake completed; flow starts under this contract.</summary>
    public sealed record Established(FlowContract Contract, string SessionId) : LhsOutput;
    /// <summary>A telemetry hook (§7 item 5) for the host to publish.</summary>
    public sealed record Observe(string Name, JsonElement Data) : LhsOutput;
}

/// <summary>One transition: the next state, what to do, and the violation that caused a rejection, if any.</summary>
public sealed record LhsStep<TState>(TState State, ImmutableArray<LhsOutput> Outputs, LhsError? Rejected = null);

public static class LhsWire
{
    /// <summary>WebSocket close code for a protocol rejection (RFC 6455 §7.4.1, 1008 policy violation).</summary>
    public const int RejectCloseCode = 1008;
    public const int NormalCloseCode = 1000;

    /// <summary>§4 error frame: {"step":"error","code":...,"detail":...}.</summary>
    public static string ErrorFrame(LhsError error) =>
        LhsJson.Write(new { step = "error", code = error.Code.Wire(), detail = error.Detail });

    /// <summary>"After emitting an error the connection MUST close without entering flow."</summary>
    public static ImmutableArray<LhsOutput> Reject(LhsError error) =>
        [new LhsOutput.SendText(ErrorFrame(error)), new LhsOutput.Close(RejectCloseCode, error.Code.Wire())];
}
