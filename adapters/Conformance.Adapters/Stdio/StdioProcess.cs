// One shim process: JSON lines on stdin/stdout (adapters/SHIM.md), stderr kept as a bounded tail for the report.
// Never trusts the shim: every wait has a timeout, lines are bounded, a line that is not the awaited answer fails
// the request, and disposing kills the whole process tree.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Conformance.Adapters.Stdio;

public sealed class StdioProcess : IAsyncDisposable
{
    public const int DefaultMaxLineBytes = 1024 * 1024;
    private const int WriteSlice = 64 * 1024;
    private const int StderrTailChars = 64 * 1024;

    private readonly Process _process;
    private readonly Channel<LineEvent> _lines = Channel.CreateUnbounded<LineEvent>(new() { SingleReader = true });
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<long> _abandoned = [];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly int _maxLineBytes;
    private long _nextId;
    private bool _ended;

    public StdioCommand Command { get; }
    public BoundedTail Stderr { get; } = new(StderrTailChars);
    public int ProcessId { get; }

    private StdioProcess(StdioCommand command, Process process, int maxLineBytes)
    {
        Command = command;
        _process = process;
        ProcessId = process.Id;
        _maxLineBytes = maxLineBytes;
        _stdoutPump = new LineReader(process.StandardOutput.BaseStream, maxLineBytes).RunAsync(e => _lines.Writer.TryWrite(e), _stop.Token);
        _stderrPump = PumpStderrAsync();
    }

    /// <summary>Starts the command; an IOException if it cannot be started (no such program).</summary>
    public static StdioProcess Start(StdioCommand command, int maxLineBytes = DefaultMaxLineBytes)
    {
        var psi = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, StandardInputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in command.Arguments) psi.ArgumentList.Add(a);
        try
        {
            var p = Process.Start(psi) ?? throw new IOException($"cannot start {command}");
            return new StdioProcess(command, p, maxLineBytes);
        }
        catch (System.ComponentModel.Win32Exception e) { throw new IOException($"cannot start {command}: {e.Message}", e); }
    }

    public bool HasExited
    {
        get { try { return _process.HasExited; } catch (InvalidOperationException) { return true; } }
    }

    /// <summary>Waits up to <paramref name="wait"/> for the process to exit (so its exit code can be quoted).</summary>
    public async Task WaitExitAsync(TimeSpan wait)
    {
        try { await _process.WaitForExitAsync().WaitAsync(wait); } catch (TimeoutException) { }
    }

    public string ExitDescription()
    {
        try { return _process.HasExited ? $"exit code {_process.ExitCode}" : "still running"; }
        catch (InvalidOperationException) { return "exit code unknown"; }
    }

    /// <summary>
    /// Sends <paramref name="fields"/> plus a fresh "id" and waits for the line that answers it. The first line that
    /// is not that answer ends the request as Garbage — except a late answer to a request that already failed, which
    /// is skipped.
    /// </summary>
    public async Task<ShimReply> RequestAsync(JsonObject fields, TimeSpan timeout, CancellationToken cancel = default)
    {
        if (_ended) return ShimReply.Of(ReplyKind.Exited, "the shim's output has ended (" + ExitDescription() + ")");
        var id = _nextId++;
        var request = new JsonObject { ["id"] = id };
        foreach (var (k, v) in fields) request[k] = v?.DeepClone();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        cts.CancelAfter(timeout);
        var reply = await ExchangeAsync(id, request.ToJsonString() + "\n", cts.Token, cancel);
        if (reply.Kind != ReplyKind.Answer) _abandoned.Add(id);
        return reply;
    }

    private async Task<ShimReply> ExchangeAsync(long id, string line, CancellationToken deadline, CancellationToken cancel)
    {
        try
        {
            // A shim that never reads its stdin fills the pipe: the write then waits, bounded by the same deadline.
            var stdin = _process.StandardInput.BaseStream;
            await stdin.WriteAsync(Encoding.UTF8.GetBytes(line), deadline).AsTask().WaitAsync(deadline);
            await stdin.FlushAsync(deadline).WaitAsync(deadline);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            // The abandoned write may still complete later: a next request's bytes must not interleave with it.
            _ended = true;
            return ShimReply.Of(ReplyKind.TimedOut, "the shim did not read its stdin");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            return await ExitedAsync("writing the request failed: " + e.Message);
        }
        try
        {
            while (true)
            {
                var ev = await _lines.Reader.ReadAsync(deadline);
                switch (ev)
                {
                    case LineEvent.End:
                        _ended = true;
                        return await ExitedAsync("the shim closed its stdout");
                    case LineEvent.Oversize o:
                        return ShimReply.Of(ReplyKind.Garbage, $"a line longer than the limit of {_maxLineBytes} bytes (discarded after {o.AtLeastBytes})");
                    case LineEvent.Invalid inv:
                        return ShimReply.Of(ReplyKind.Garbage, inv.Why);
                    case LineEvent.Line l:
                        var (body, problem, answeredId) = Parse(l.Text);
                        if (problem is null && answeredId == id) return new(ReplyKind.Answer, body, "");
                        if (problem is null && answeredId is { } old && _abandoned.Remove(old)) continue;
                        return ShimReply.Of(ReplyKind.Garbage, (problem ?? $"an answer with id {answeredId}, expected {id}") + ": " + Clip(l.Text));
                }
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return ShimReply.Of(ReplyKind.TimedOut, "no answer in time");
        }
        catch (ChannelClosedException)
        {
            return await ExitedAsync("the shim closed its stdout");
        }
    }

    /// <summary>Every line the shim writes, for a reader that dispatches them itself (protocol 2). Use either this or
    /// <see cref="RequestAsync"/>, never both on one process.</summary>
    public ChannelReader<LineEvent> Lines => _lines.Reader;

    /// <summary>Writes one line to stdin, serialised with other writers; false when the shim takes no part of it within
    /// <paramref name="timeout"/> or is gone.</summary>
    public async Task<bool> WriteLineAsync(string line, TimeSpan timeout)
    {
        if (_ended) return false;
        try
        {
            using (var waiting = new CancellationTokenSource(timeout)) await _writeLock.WaitAsync(waiting.Token);
            try
            {
                // The deadline is for progress, not for the whole line: a shim reading a multi-MiB frame on a loaded
                // machine is slow, not gone. Each slice must be taken within the timeout.
                var stdin = _process.StandardInput.BaseStream;
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                for (var at = 0; at < bytes.Length; at += WriteSlice)
                {
                    using var deadline = new CancellationTokenSource(timeout);
                    var slice = bytes.AsMemory(at, Math.Min(WriteSlice, bytes.Length - at));
                    await stdin.WriteAsync(slice, deadline.Token).AsTask().WaitAsync(deadline.Token);
                }
                using (var flushing = new CancellationTokenSource(timeout)) await stdin.FlushAsync(flushing.Token).WaitAsync(flushing.Token);
                return true;
            }
            finally { _writeLock.Release(); }
        }
        catch (OperationCanceledException)
        {
            // An abandoned write may still complete later: nothing more may be written after it.
            _ended = true;
            return false;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { return false; }
    }

    private static (JsonElement Body, string? Problem, long? Id) Parse(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (default, "a line that is not a JSON object", null);
            if (!doc.RootElement.TryGetProperty("id", out var idEl) || !idEl.TryGetInt64(out var id)) return (default, "a line without an integer id", null);
            return (doc.RootElement.Clone(), null, id);
        }
        catch (JsonException) { return (default, "a line that is not JSON", null); }
    }

    private async Task<ShimReply> ExitedAsync(string what)
    {
        // Give the exit a moment to be observable, so the report can quote the exit code.
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMilliseconds(500)); } catch (TimeoutException) { }
        return ShimReply.Of(ReplyKind.Exited, $"{what} ({ExitDescription()})");
    }

    private async Task PumpStderrAsync()
    {
        var buffer = new char[4096];
        try
        {
            int n;
            while ((n = await _process.StandardError.ReadAsync(buffer, _stop.Token)) > 0) Stderr.Append(buffer.AsSpan(0, n));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException) { }
    }

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>Closes stdin, gives the shim <paramref name="grace"/> to exit, then kills its process tree.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        try { _process.StandardInput.Close(); } catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException) { }
        try { await _process.WaitForExitAsync().WaitAsync(grace); } catch (TimeoutException) { }
        Kill();
    }

    private void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _stop.Cancel();
        // A grandchild that inherited the pipes can keep them open: do not wait for the pumps forever.
        try { await Task.WhenAll(_stdoutPump, _stderrPump).WaitAsync(TimeSpan.FromSeconds(2)); } catch (TimeoutException) { }
        _process.Dispose();
        _stop.Dispose();
        _writeLock.Dispose();
    }
}
