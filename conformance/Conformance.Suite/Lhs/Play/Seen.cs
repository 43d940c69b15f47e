// What the IUT did, as typed LHS events: verifiers read these, never raw transport states.
using System.Text.Json;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;

namespace Conformance.Suite.Lhs.Play;

public abstract record Seen
{
    /// <summary>A control frame other than an error.</summary>
    public sealed record Control(ControlFrame Frame, string Raw) : Seen;
    /// <summary>An error frame; <see cref="Structured"/> when it is {"step":"error","code":string,...}.</summary>
    public sealed record Error(string? Code, string Raw, bool Structured) : Seen;
    /// <summary>A text message that is not a control frame at all.</summary>
    public sealed record Garbage(string Raw) : Seen;
    public sealed record Flow(byte[] Bytes) : Seen;
    public sealed record Closed(int? Code, string? Reason) : Seen;
    public sealed record Silent(TimeSpan After) : Seen;
    public sealed record Oversize(long Bytes) : Seen;

    public static Seen From(WireEvent e) => e switch
    {
        WireEvent.Text t => FromText(t.Value),
        WireEvent.Binary b => new Flow(b.Value),
        WireEvent.Closed c => new Closed(c.Code, c.Reason),
        WireEvent.Timeout t => new Silent(t.After),
        WireEvent.Oversize o => new Oversize(o.AtLeast),
        _ => throw new InvalidOperationException("unknown wire event " + e),
    };

    private static Seen FromText(string text)
    {
        var parsed = ControlFrame.Parse(text);
        if (!parsed.IsOk) return new Garbage(text);
        var frame = parsed.Value!;
        if (frame.Step != LhsStepName.Error) return new Control(frame, text);
        var code = frame.Json.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var detailOk = !frame.Json.TryGetProperty("detail", out var d) || d.ValueKind == JsonValueKind.String;
        return new Error(code, text, code is not null && detailOk);
    }

    /// <summary>A short description for the "actual" side of a check.</summary>
    public string Describe() => this switch
    {
        Control c => $"a \"{ControlFrame.WireName(c.Frame.Step)}\" frame: {Clip(c.Raw)}",
        Error e => e.Structured ? $"error frame {e.Code}" : $"an unstructured error frame: {Clip(e.Raw)}",
        Garbage g => $"a text message that is not a control frame: {Clip(g.Raw)}",
        Flow f => $"a {f.Bytes.Length}-byte flow frame",
        Closed c => c.Code is { } code ? $"close (code {code})" : "the connection dropped",
        Silent s => $"nothing within {s.After.TotalMilliseconds:0} ms",
        Oversize o => $"a message over the receive limit ({o.Bytes} bytes)",
        _ => ToString(),
    };

    private static string Clip(string s) => s.Length <= 160 ? s : s[..160] + "…";
}
