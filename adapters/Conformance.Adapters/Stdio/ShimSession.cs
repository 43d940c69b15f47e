// A shim session (adapters/SHIM.md): the hello exchange, calls by op, one restart after a hang, then give up.
// A crash is not restarted: an implementation that dies on an input would only die again, and its remaining
// vectors are reported as errors with the exit code and stderr tail.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Adapters.Stdio;

/// <summary>The shim could not be started or did not complete the hello: the IUT is unreachable (exit 3).</summary>
public sealed class ShimUnavailableException(string message) : Exception(message);

public sealed class ShimSession : IAsyncDisposable
{
    public const int Protocol = 1;

    private readonly StdioCommand _command;
    private readonly string _suite;
    private readonly TimeSpan _timeout;
    private readonly int _maxLineBytes;
    private readonly List<string> _earlierStderr = [];
    private StdioProcess? _process;
    private int _restarts;

    public string Name { get; private set; } = "";
    public IReadOnlySet<string> Ops { get; private set; } = new HashSet<string>();
    /// <summary>Why every later call fails at once (null while the shim is usable).</summary>
    public string? Dead { get; private set; }
    public int Restarts => _restarts;

    private ShimSession(StdioCommand command, string suite, TimeSpan timeout, int maxLineBytes)
    {
        _command = command;
        _suite = suite;
        _timeout = timeout;
        _maxLineBytes = maxLineBytes;
    }

    public static async Task<ShimSession> StartAsync(StdioCommand command, string suite, TimeSpan timeout, int maxLineBytes = StdioProcess.DefaultMaxLineBytes)
    {
        var s = new ShimSession(command, suite, timeout, maxLineBytes);
        try { await s.LaunchAsync(); }
        catch { await s.DisposeAsync(); throw; }
        return s;
    }

    /// <summary>Starts the process and exchanges hellos; ShimUnavailableException when either fails.</summary>
    private async Task LaunchAsync()
    {
        try { _process = StdioProcess.Start(_command, _maxLineBytes); }
        catch (IOException e) { throw new ShimUnavailableException(e.Message); }
        // Starting a runtime (dotnet, a JVM) can take longer than one vector op: the hello gets at least 30 s.
        var helloTimeout = _timeout > TimeSpan.FromSeconds(30) ? _timeout : TimeSpan.FromSeconds(30);
        var reply = await _process.RequestAsync(new JsonObject { ["op"] = "hello", ["suite"] = _suite, ["protocol"] = Protocol }, helloTimeout);
        if (reply.Kind != ReplyKind.Answer)
            throw new ShimUnavailableException($"the shim did not answer hello: {reply.Detail}{StderrNote()}");
        var b = reply.Body;
        if (!b.TryGetProperty("protocol", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var v) || v != Protocol)
            throw new ShimUnavailableException($"the shim's hello does not speak protocol {Protocol}: {b.GetRawText()}");
        if (!b.TryGetProperty("ops", out var ops) || ops.ValueKind != JsonValueKind.Array || ops.EnumerateArray().Any(o => o.ValueKind != JsonValueKind.String))
            throw new ShimUnavailableException($"the shim's hello lists no ops (an array of strings): {b.GetRawText()}");
        Ops = ops.EnumerateArray().Select(o => o.GetString()!).ToHashSet();
        Name = b.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "(unnamed shim)";
    }

    public async Task<ShimReply> CallAsync(string op, JsonObject fields, CancellationToken cancel = default)
    {
        if (Dead is not null || _process is null) return ShimReply.Of(ReplyKind.Exited, Dead ?? "not started");
        var request = new JsonObject { ["op"] = op };
        foreach (var (k, v) in fields) request[k] = v?.DeepClone();
        var reply = await _process.RequestAsync(request, _timeout, cancel);
        switch (reply.Kind)
        {
            case ReplyKind.Exited:
                Dead = $"the shim exited earlier: {reply.Detail}";
                break;
            case ReplyKind.TimedOut when _restarts == 0:
                _restarts++;
                await RetireAsync();
                try { await LaunchAsync(); }
                catch (ShimUnavailableException e) { Dead = "the shim hung, and its restart failed: " + e.Message; }
                break;
            case ReplyKind.TimedOut:
                await RetireAsync();
                Dead = "the shim hung again after its restart";
                break;
        }
        return reply;
    }

    /// <summary>bye, then close stdin, then kill what is left.</summary>
    public async Task ByeAsync()
    {
        if (_process is null) return;
        if (Dead is null) await _process.RequestAsync(new JsonObject { ["op"] = "bye" }, TimeSpan.FromSeconds(2));
        await _process.StopAsync(TimeSpan.FromSeconds(2));
    }

    /// <summary>stderr of every process this session started, oldest first, bounded.</summary>
    public string StderrTail()
    {
        var all = _earlierStderr.Append(_process?.Stderr.ToString() ?? "").Where(s => s.Length > 0);
        var text = string.Join("\n[restarted]\n", all);
        return text.Length <= 64 * 1024 ? text : "…" + text[^(64 * 1024)..];
    }

    private string StderrNote() => _process?.Stderr.ToString() is { Length: > 0 } e ? "; stderr: " + (e.Length <= 500 ? e : "…" + e[^500..]) : "";

    private async Task RetireAsync()
    {
        if (_process is null) return;
        _earlierStderr.Add(_process.Stderr.ToString());
        await _process.DisposeAsync();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await RetireAsync();
}
