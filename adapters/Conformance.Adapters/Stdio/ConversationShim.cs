// The suite's side of shim protocol 2 (adapters/SHIM.md "Conversations"): one shim process playing one IUT, its
// connections multiplexed over JSON lines. A pump reads every line: answers go to the request that waits for them,
// frames and closes to their connection, observations to the observer. A shim that exits or writes garbage breaks
// every open connection (their next receive throws ShimBrokenException: `error`, not `fail`); one that does not answer
// a request in time gives ShimTimeoutException (`timeout`).
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Adapters.Trace;

namespace Conformance.Adapters.Stdio;

public sealed class ConversationShim : IAsyncDisposable
{
    public const int Protocol = 2;

    private readonly StdioCommand _command;
    private readonly JsonObject _hello;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<long, (TaskCompletionSource<ShimReply> Answer, Action<JsonElement>? OnAnswer)> _pending = new();
    private readonly ConcurrentDictionary<string, VirtualConnection> _connections = new();
    private readonly List<string> _earlierStderr = [];
    private StdioProcess _process = null!;
    private Task _pump = Task.CompletedTask;
    private long _nextId;
    private int _nextConn;
    private string? _broken;

    private ConversationShim(StdioCommand command, JsonObject hello, TimeSpan timeout)
    {
        _command = command;
        _hello = hello;
        _timeout = timeout;
    }

    /// <summary>The shim's hello answer: name, spec, role, features, unimplemented, keys, observe.</summary>
    public JsonElement Capabilities { get; private set; }
    public string Name => Capabilities.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "(unnamed shim)";
    public StdioCommand Command => _command;

    /// <summary>Called for each observation the shim reports ({"event": "observe"}).</summary>
    public Action<string, JsonElement>? Observed { get; set; }

    /// <summary>Starts the shim and exchanges hellos; ShimUnavailableException when either fails (the run exits 3).</summary>
    public static async Task<ConversationShim> StartAsync(StdioCommand command, string suite, string spec, string role, TimeSpan timeout)
    {
        var hello = new JsonObject { ["op"] = "hello", ["suite"] = suite, ["protocol"] = Protocol, ["spec"] = spec, ["role"] = role };
        var s = new ConversationShim(command, hello, timeout);
        try { await s.LaunchAsync(); }
        catch { await s.DisposeAsync(); throw; }
        return s;
    }

    private async Task LaunchAsync()
    {
        try { _process = StdioProcess.Start(_command, FrameLines.MaxLineBytes); }
        catch (IOException e) { throw new ShimUnavailableException(e.Message); }
        _broken = null;
        _pump = Task.Run(PumpAsync);
        // Starting a runtime can take longer than one step: the hello gets at least 30 s.
        var reply = await RequestAsync(_hello, _timeout > TimeSpan.FromSeconds(30) ? _timeout : TimeSpan.FromSeconds(30));
        if (reply.Kind != ReplyKind.Answer) throw new ShimUnavailableException($"the shim did not answer hello: {reply.Detail}{StderrNote()}");
        var b = reply.Body;
        if (!b.TryGetProperty("protocol", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var v) || v != Protocol)
            throw new ShimUnavailableException($"the shim's hello does not speak protocol {Protocol}: {Clip(b.GetRawText())}");
        foreach (var field in new[] { "spec", "role" })
            if (!b.TryGetProperty(field, out var f) || f.ValueKind != JsonValueKind.String || f.GetString() != (string?)_hello[field])
                throw new ShimUnavailableException($"the suite asked for {_hello["spec"]} {_hello["role"]}; the shim's hello says {Clip(b.GetRawText())}");
        Capabilities = b;
        var spec = (string)_hello["spec"]!;
        foreach (var feature in Strings("unimplemented"))
            if (ShimFeatures.IsMandatory(spec, feature)) throw new ShimRefusedException(ShimFeatures.Refusal(spec, feature));
    }

    /// <summary>A feature the shim's hello lists under "features".</summary>
    public bool Has(string feature) => Strings("features").Contains(feature);

    /// <summary>The strings of an array member of the hello (empty when absent or malformed).</summary>
    public IReadOnlyList<string> Strings(string member) =>
        Capabilities.ValueKind == JsonValueKind.Object && Capabilities.TryGetProperty(member, out var a) && a.ValueKind == JsonValueKind.Array
            ? [.. a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)] : [];

    /// <summary>A key the hello gives under "keys" (a string), or null.</summary>
    public string? Key(string name) =>
        Capabilities.ValueKind == JsonValueKind.Object && Capabilities.TryGetProperty("keys", out var k) && k.ValueKind == JsonValueKind.Object
        && k.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>The suite opens a connection to the IUT (server and agent roles).</summary>
    public async Task<VirtualConnection> OpenAsync(WireTrace trace, CancellationToken cancel)
    {
        var id = "c" + Interlocked.Increment(ref _nextConn);
        var conn = Register(id, trace);
        var reply = await RequestAsync(new JsonObject { ["op"] = "open", ["conn"] = id }, _timeout, cancel);
        try { Judge(reply, "open", trace, conn); }
        catch
        {
            _connections.TryRemove(id, out _);
            throw;
        }
        return conn;
    }

    /// <summary>Asks the IUT client to connect (client role); null when it does not within <paramref name="timeout"/>.</summary>
    public async Task<VirtualConnection?> DialAsync(WireTrace trace, TimeSpan timeout, CancellationToken cancel)
    {
        // The connection is registered by the pump as it reads the answer: its first frame may be the very next line.
        VirtualConnection? conn = null;
        var reply = await RequestAsync(new JsonObject { ["op"] = "dial" }, timeout, cancel, body =>
        {
            if (FrameLines.Conn(body) is { } id && !_connections.ContainsKey(id)) conn = Register(id, trace);
        });
        if (reply.Kind == ReplyKind.TimedOut && _broken is null) return null;
        Judge(reply, "dial", trace, null);
        return conn ?? throw new ShimBrokenException($"the shim's answer to dial names no new connection: {Clip(reply.Body.GetRawText())}");
    }

    private VirtualConnection Register(string id, WireTrace trace)
    {
        var conn = new VirtualConnection(id, "op", line => WriteAsync(line), trace, c => _connections.TryRemove(c.Id, out _));
        _connections[id] = conn;
        if (_broken is { } why) conn.Fail(new ShimBrokenException(why));
        return conn;
    }

    /// <summary>Turns a failed request into the exception that gives the case its outcome.</summary>
    private void Judge(ShimReply reply, string op, WireTrace trace, VirtualConnection? conn)
    {
        switch (reply.Kind)
        {
            case ReplyKind.TimedOut: throw new ShimTimeoutException($"the shim did not answer {op} within {_timeout.TotalMilliseconds:0} ms");
            case ReplyKind.Exited or ReplyKind.Garbage: throw new ShimBrokenException($"{op}: {reply.Detail}{StderrNote()}");
        }
        if (reply.Body.TryGetProperty("unimplemented", out var u) && u.ValueKind == JsonValueKind.True)
        {
            var feature = reply.Body.TryGetProperty("feature", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : op;
            trace.MarkUnimplemented(feature);
            throw new IutUnimplementedException(feature);
        }
        if (reply.Body.TryGetProperty("error", out var e))
            throw new ShimBrokenException($"the shim failed {op}: {Clip(e.ToString())}{StderrNote()}");
    }

    private async Task<ShimReply> RequestAsync(JsonObject fields, TimeSpan timeout, CancellationToken cancel = default, Action<JsonElement>? onAnswer = null)
    {
        if (_broken is { } why) return ShimReply.Of(ReplyKind.Exited, why);
        var id = Interlocked.Increment(ref _nextId) - 1;
        var request = new JsonObject { ["id"] = id };
        foreach (var (k, v) in fields) request[k] = v?.DeepClone();
        var answer = new TaskCompletionSource<ShimReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = (answer, onAnswer);
        try
        {
            if (!await WriteAsync(request)) return ShimReply.Of(_broken is null ? ReplyKind.TimedOut : ReplyKind.Exited, _broken ?? "the shim did not read its stdin");
            return await answer.Task.WaitAsync(timeout, cancel);
        }
        catch (TimeoutException) { return ShimReply.Of(ReplyKind.TimedOut, "no answer in time"); }
        finally { _pending.TryRemove(id, out _); }
    }

    private Task<bool> WriteAsync(JsonObject line) => _process.WriteLineAsync(line.ToJsonString(), _timeout);

    private async Task PumpAsync()
    {
        var process = _process;
        await foreach (var ev in process.Lines.ReadAllAsync())
        {
            switch (ev)
            {
                case LineEvent.End:
                    await process.WaitExitAsync(TimeSpan.FromMilliseconds(500));
                    Break($"the shim exited ({process.ExitDescription()})");
                    return;
                case LineEvent.Oversize o:
                    Break($"the shim wrote a line over the limit of {FrameLines.MaxLineBytes} bytes (at least {o.AtLeastBytes})");
                    break;
                case LineEvent.Invalid inv:
                    Break("the shim wrote " + inv.Why);
                    break;
                case LineEvent.Line l:
                    if (Dispatch(l.Text) is { } problem) Break($"the shim wrote {problem}: {Clip(l.Text)}");
                    break;
            }
        }
    }

    /// <summary>Routes one line; returns what is wrong with it, or null.</summary>
    private string? Dispatch(string text)
    {
        JsonElement line;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return "a line that is not a JSON object";
            line = doc.RootElement.Clone();
        }
        catch (JsonException) { return "a line that is not JSON"; }
        if (line.TryGetProperty("id", out var idEl))
        {
            if (!idEl.TryGetInt64(out var id)) return "an answer whose id is not an integer";
            if (id < 0 || id >= Interlocked.Read(ref _nextId)) return $"an answer with id {id}, which was never sent";
            // A late answer to a request that already timed out is skipped.
            if (_pending.TryRemove(id, out var waiting))
            {
                waiting.OnAnswer?.Invoke(line);
                waiting.Answer.TrySetResult(new ShimReply(ReplyKind.Answer, line, ""));
            }
            return null;
        }
        if (!line.TryGetProperty("event", out var evEl) || evEl.ValueKind != JsonValueKind.String) return "a line with neither \"id\" nor \"event\"";
        var kind = evEl.GetString()!;
        switch (kind)
        {
            case "observe":
                if (!line.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String) return "an observation without a name";
                Observed?.Invoke(n.GetString()!, line.TryGetProperty("data", out var d) ? d : default);
                return null;
            case "unimplemented":
                var feature = line.TryGetProperty("feature", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()! : "(unnamed feature)";
                if (FrameLines.Conn(line) is { } uc) { if (_connections.TryGetValue(uc, out var u)) u.Unimplemented(feature); }
                else foreach (var c in _connections.Values) c.Unimplemented(feature);
                return null;
            case "log":
                return null;
            case "frame" or "close" or "abort":
                var conn = FrameLines.Conn(line);
                if (conn is null) return "a frame or close without a \"conn\"";
                var (e, problem) = FrameLines.Read(kind, line);
                if (problem is not null) return problem;
                // A frame for a connection the suite has already let go of is late, not wrong.
                if (_connections.TryGetValue(conn, out var target)) target.Deliver(e!);
                return null;
            default:
                return null; // events of later versions are ignored
        }
    }

    private void Break(string why)
    {
        _broken ??= why + StderrNote();
        foreach (var p in _pending.Values) p.Answer.TrySetResult(ShimReply.Of(ReplyKind.Exited, _broken));
        foreach (var c in _connections.Values) c.Fail(new ShimBrokenException(_broken));
    }

    /// <summary>Kills the shim without warning and starts it again with the same command (its store is in its arguments).
    /// Open connections see the transport drop.</summary>
    public async Task RestartAsync()
    {
        foreach (var c in _connections.Values) c.Deliver(new Adapters.WebSockets.WireEvent.Closed(null, "transport dropped: the IUT restarted"));
        _connections.Clear();
        _earlierStderr.Add(_process.Stderr.ToString());
        await _process.DisposeAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { });
        await LaunchAsync();
    }

    /// <summary>stderr of every process this shim ran, bounded.</summary>
    public string StderrTail()
    {
        var text = string.Join("\n[restarted]\n", _earlierStderr.Append(_process?.Stderr.ToString() ?? "").Where(s => s.Length > 0));
        return text.Length <= 64 * 1024 ? text : "…" + text[^(64 * 1024)..];
    }

    private string StderrNote() => _process?.Stderr.ToString() is { Length: > 0 } e ? "; stderr: " + (e.Length <= 500 ? e : "…" + e[^500..]) : "";

    private static string Clip(string s) => s.Length <= 200 ? s : s[..200] + "…";

    /// <summary>bye, then close stdin, then kill what is left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is null) return;
        if (_broken is null) await RequestAsync(new JsonObject { ["op"] = "bye" }, TimeSpan.FromSeconds(2));
        await _process.StopAsync(TimeSpan.FromSeconds(2));
        await _process.DisposeAsync();
        await _pump.WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { });
    }
}
