using System.Text.Json;

namespace Conformance.Adapters.Stdio;

/// <summary>How one request ended, seen from the transport: an answer, or why there is none.</summary>
public enum ReplyKind
{
    /// <summary>A JSON object with the request's id.</summary>
    Answer,
    /// <summary>The shim wrote something that is not an answer to this request: not JSON, no id, a wrong id, a line too long.</summary>
    Garbage,
    /// <summary>No answer within the timeout.</summary>
    TimedOut,
    /// <summary>The shim exited (or closed stdout) before answering.</summary>
    Exited,
}

public sealed record ShimReply(ReplyKind Kind, JsonElement Body, string Detail)
{
    public static ShimReply Of(ReplyKind kind, string detail) => new(kind, default, detail);
}
