// Reads an HTTP head (up to the empty line) and then a bounded body from a stream, keeping whatever arrived after
// the head: on a 101 those bytes are already WebSocket frames and must reach the WebSocket, not be lost.
using System.Text;

namespace Conformance.Adapters.Http;

internal sealed class HeadReader(Stream stream)
{
    private byte[] _buffer = new byte[4096];
    private int _count;

    /// <summary>Bytes read past the head (and past the body, once read).</summary>
    public ReadOnlyMemory<byte> Leftover => _buffer.AsMemory(0, _count);

    /// <summary>The head without its final CRLF CRLF; null with a reason when the peer closed or sent too much.</summary>
    public async Task<(string? Head, string? Failure)> ReadHeadAsync(CancellationToken cancel)
    {
        while (true)
        {
            var end = _buffer.AsSpan(0, _count).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString(_buffer, 0, end);
                Consume(end + 4);
                return (head, null);
            }
            if (_count >= HttpMessage.MaxHeadBytes) return (null, $"no end of the HTTP head within {HttpMessage.MaxHeadBytes} bytes");
            if (!await FillAsync(cancel))
                return (null, _count == 0 ? "the peer closed the connection without answering" : $"the peer closed the connection in the middle of the HTTP head ({_count} bytes)");
        }
    }

    /// <summary>The body as framed by the head (RFC 9112 §6.3): Content-Length, chunked, or up to the close. Bounded.</summary>
    public async Task<(string? Body, string? Failure)> ReadBodyAsync(IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancel)
    {
        string? Get(string n) => headers.FirstOrDefault(h => h.Key.Equals(n, StringComparison.OrdinalIgnoreCase)).Value;
        if (Get("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase)) return await ReadChunkedAsync(cancel);
        if (Get("Content-Length") is { } cl)
        {
            if (!int.TryParse(cl, out var length) || length < 0) return (null, $"bad Content-Length \"{HttpMessage.Clip(cl)}\"");
            if (length > HttpMessage.MaxBodyBytes) return (null, $"a body of {length} bytes is over the adapter's limit of {HttpMessage.MaxBodyBytes}");
            while (_count < length)
                if (!await FillAsync(cancel)) return (null, $"the peer closed the connection after {_count} of {length} body bytes");
            return (Take(length), null);
        }
        while (await FillAsync(cancel))
            if (_count > HttpMessage.MaxBodyBytes) return (null, $"a body over the adapter's limit of {HttpMessage.MaxBodyBytes} bytes");
        return (Take(_count), null);
    }

    private async Task<(string?, string?)> ReadChunkedAsync(CancellationToken cancel)
    {
        var body = new MemoryStream();
        while (true)
        {
            var line = await ReadLineAsync(cancel);
            if (line is null) return (null, "the peer closed the connection in the middle of a chunked body");
            var sizeText = line.Split(';')[0].Trim();
            if (!int.TryParse(sizeText, System.Globalization.NumberStyles.HexNumber, null, out var size) || size < 0)
                return (null, $"bad chunk size \"{HttpMessage.Clip(line)}\"");
            if (body.Length + size > HttpMessage.MaxBodyBytes) return (null, $"a chunked body over the adapter's limit of {HttpMessage.MaxBodyBytes} bytes");
            if (size == 0)
            {
                // Trailer fields, up to the empty line.
                while (await ReadLineAsync(cancel) is { Length: > 0 }) { }
                return (Encoding.UTF8.GetString(body.ToArray()), null);
            }
            while (_count < size + 2)
                if (!await FillAsync(cancel)) return (null, "the peer closed the connection in the middle of a chunk");
            body.Write(_buffer, 0, size);
            Consume(size + 2);
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancel)
    {
        while (true)
        {
            var end = _buffer.AsSpan(0, _count).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                var line = Encoding.Latin1.GetString(_buffer, 0, end);
                Consume(end + 2);
                return line;
            }
            if (_count > 4096 || !await FillAsync(cancel)) return null;
        }
    }

    private string Take(int n)
    {
        var s = Encoding.UTF8.GetString(_buffer, 0, n);
        Consume(n);
        return s;
    }

    private void Consume(int n)
    {
        Buffer.BlockCopy(_buffer, n, _buffer, 0, _count - n);
        _count -= n;
    }

    private async Task<bool> FillAsync(CancellationToken cancel)
    {
        if (_count == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        var n = await stream.ReadAsync(_buffer.AsMemory(_count), cancel);
        _count += n;
        return n > 0;
    }
}

/// <summary>A stream that first replays bytes already read, then reads from the inner stream.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix.ToArray();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty) return await inner.ReadAsync(buffer, cancellationToken);
        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
