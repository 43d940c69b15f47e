// Splits a byte stream into '\n'-terminated lines of at most MaxBytes each. An over-long line is reported once, as
// soon as it passes the limit, and the rest of it is discarded up to its '\n': a hostile writer cannot make the
// reader hold more than MaxBytes.
using System.Text;

namespace Conformance.Adapters.Stdio;

public abstract record LineEvent
{
    public sealed record Line(string Text) : LineEvent;
    public sealed record Oversize(long AtLeastBytes) : LineEvent;
    public sealed record Invalid(string Why) : LineEvent;
    public sealed record End : LineEvent;
}

public sealed class LineReader(Stream stream, int maxBytes)
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>Reads until end of stream, passing each event to <paramref name="emit"/>; ends with <see cref="LineEvent.End"/>.</summary>
    public async Task RunAsync(Action<LineEvent> emit, CancellationToken cancel)
    {
        var line = new MemoryStream();
        var discarding = false;
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(buffer, cancel);
                if (n == 0) break;
                var start = 0;
                while (start < n)
                {
                    var nl = Array.IndexOf(buffer, (byte)'\n', start, n - start);
                    var end = nl < 0 ? n : nl;
                    if (!discarding)
                    {
                        line.Write(buffer, start, end - start);
                        if (line.Length > maxBytes)
                        {
                            emit(new LineEvent.Oversize(line.Length));
                            line.SetLength(0);
                            discarding = true;
                        }
                    }
                    if (nl < 0) break;
                    if (!discarding) emit(Decode(line));
                    line.SetLength(0);
                    discarding = false;
                    start = nl + 1;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
        emit(new LineEvent.End());
    }

    private static LineEvent Decode(MemoryStream line)
    {
        var bytes = line.GetBuffer().AsSpan(0, (int)line.Length);
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        try { return new LineEvent.Line(StrictUtf8.GetString(bytes)); }
        catch (DecoderFallbackException) { return new LineEvent.Invalid("a line that is not UTF-8"); }
    }
}
