// HTTP/1.1 (RFC 9112) message heads as the HTTP Upgrade adapter reads and writes them: a start line, header fields,
// an empty line. Parsing is bounded and total: bad input is a described failure, never an exception to the caller.
using System.Text;

namespace Conformance.Adapters.Http;

/// <summary>An HTTP response head and body as the peer sent them (header names as spelled; lookups ignore case).</summary>
public sealed record HttpResponse(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>An HTTP request head (the upgrade request a client IUT sent to the suite's listener).</summary>
public sealed record HttpRequest(string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}

public static class HttpMessage
{
    /// <summary>Bounds on what the adapter buffers from a peer: a head and a refusal's body.</summary>
    public const int MaxHeadBytes = 64 * 1024, MaxBodyBytes = 64 * 1024;

    /// <summary>"Name: value" lines after the start line; null with <paramref name="error"/> for anything malformed.</summary>
    public static List<KeyValuePair<string, string>>? ParseFields(string[] lines, out string? error)
    {
        var fields = new List<KeyValuePair<string, string>>();
        error = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            // RFC 9112 §5.1: no whitespace between the field name and the colon; obs-fold (§5.2) is rejected too.
            if (colon <= 0 || line[..colon].Any(c => c is ' ' or '\t') || line[0] is ' ' or '\t')
            {
                error = $"malformed header line \"{Clip(line)}\"";
                return null;
            }
            fields.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
        return fields;
    }

    /// <summary>Parses a response head (without the final empty line).</summary>
    public static (int Status, string Reason, List<KeyValuePair<string, string>> Headers)? ParseResponseHead(string head, out string? error)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ', 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[1].Length != 3 || !int.TryParse(parts[1], out var status) || status < 100)
        {
            error = $"not an HTTP/1.x status line: \"{Clip(lines[0])}\"";
            return null;
        }
        var fields = ParseFields(lines, out error);
        return fields is null ? null : (status, parts.Length > 2 ? parts[2] : "", fields);
    }

    /// <summary>Parses a request head (without the final empty line).</summary>
    public static HttpRequest? ParseRequestHead(string head, out string? error)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            error = $"not an HTTP/1.x request line: \"{Clip(lines[0])}\"";
            return null;
        }
        var fields = ParseFields(lines, out error);
        return fields is null ? null : new HttpRequest(parts[0], parts[1], fields);
    }

    public static byte[] Write(string startLine, IEnumerable<KeyValuePair<string, string>> headers, string body = "")
    {
        var sb = new StringBuilder(startLine).Append("\r\n");
        foreach (var (name, value) in headers) sb.Append(name).Append(": ").Append(value).Append("\r\n");
        sb.Append("\r\n").Append(body);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>RFC 6455 §4.2.2: Sec-WebSocket-Accept = base64(SHA-1(key + the protocol GUID)).</summary>
    public static string WebSocketAccept(string key) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    internal static string Clip(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
