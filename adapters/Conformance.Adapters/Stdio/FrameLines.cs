// The wire-frame lines of shim protocol 2 (adapters/SHIM.md "Conversations"), the same shape in both directions: the
// suite writes {"op": "frame", ...}, the shim {"event": "frame", ...}. One place builds and reads them for both sides.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;

namespace Conformance.Adapters.Stdio;

public static class FrameLines
{
    /// <summary>Largest line in protocol 2: a maximal binary frame (a 4 MiB Shard chunk) in base64 plus its envelope.</summary>
    public const int MaxLineBytes = 16 * 1024 * 1024;

    public static JsonObject Text(string verb, string kind, string conn, string text) => new() { [verb] = kind, ["conn"] = conn, ["text"] = text };

    public static JsonObject Binary(string verb, string kind, string conn, ReadOnlySpan<byte> bytes) =>
        new() { [verb] = kind, ["conn"] = conn, ["base64"] = Convert.ToBase64String(bytes) };

    public static JsonObject Close(string verb, string conn, int? code, string reason) =>
        new() { [verb] = "close", ["conn"] = conn, ["code"] = code, ["reason"] = reason };

    public static JsonObject Abort(string verb, string conn) => new() { [verb] = "abort", ["conn"] = conn };

    /// <summary>The connection a line is about, if it names one as a string.</summary>
    public static string? Conn(JsonElement line) =>
        line.TryGetProperty("conn", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    /// <summary>A frame/close/abort line as the event its receiver sees; null with a reason when it is malformed.</summary>
    public static (WireEvent? Event, string? Problem) Read(string kind, JsonElement line)
    {
        switch (kind)
        {
            case "frame" when line.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String:
                return (new WireEvent.Text(t.GetString()!), null);
            case "frame" when line.TryGetProperty("base64", out var b) && b.ValueKind == JsonValueKind.String:
                try { return (new WireEvent.Binary(Convert.FromBase64String(b.GetString()!)), null); }
                catch (FormatException) { return (null, "a frame whose base64 does not decode"); }
            case "frame":
                return (null, "a frame with neither \"text\" nor \"base64\"");
            case "close":
                int? code = line.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var v) ? v : null;
                var reason = line.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                return (new WireEvent.Closed(code, reason), null);
            case "abort":
                return (new WireEvent.Closed(null, "transport dropped: the peer aborted"), null);
            default:
                return (null, $"unknown kind \"{kind}\"");
        }
    }
}
