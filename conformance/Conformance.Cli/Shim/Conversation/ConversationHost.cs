// The shim side of protocol 2 (adapters/SHIM.md "Conversations"): reads the suite's lines from stdin, runs a reference
// implementation's sessions on virtual connections, and writes their frames, closes and observations to stdout. The
// session logic is the reference hosts' own (LhsServerSession, CipAgentHost, ...), unchanged: only the transport differs.
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.Trace;

namespace Conformance.Cli.Shim.Conversation;

internal sealed class ConversationHost
{
    private readonly ShimRole role;
    private readonly string name, spec, roleName;
    private readonly TextWriter stdout, stderr;

    /// <param name="makeRole">Makes the implementation; it may keep the host to open connections and publish observations.</param>
    public ConversationHost(Func<ConversationHost, ShimRole> makeRole, string name, string spec, string roleName, TextWriter stdout, TextWriter stderr)
    {
        (this.name, this.spec, this.roleName, this.stdout, this.stderr) = (name, spec, roleName, stdout, stderr);
        role = makeRole(this);
    }

    /// <summary>How long a connection the implementation opened waits for the suite's dial to claim it.</summary>
    private static readonly TimeSpan ClaimTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, VirtualConnection> _connections = new();
    private readonly Channel<(VirtualConnection Conn, TaskCompletionSource Claimed)> _opened = Channel.CreateUnbounded<(VirtualConnection, TaskCompletionSource)>();
    private readonly List<Task> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private int _nextDial;

    public async Task<bool> WriteAsync(JsonObject line)
    {
        await _writeLock.WaitAsync();
        try
        {
            await stdout.WriteLineAsync(line.ToJsonString());
            await stdout.FlushAsync();
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { return false; }
        finally { _writeLock.Release(); }
    }

    /// <summary>An observation for the suite (the implementation's telemetry, as {"name", "data"} JSON).</summary>
    public Task Observe(string nameAndData)
    {
        var o = JsonNode.Parse(nameAndData)!.AsObject();
        var line = new JsonObject { ["event"] = "observe" };
        foreach (var (k, v) in o) line[k] = v?.DeepClone();
        return WriteAsync(line);
    }

    /// <summary>A connection the implementation opens (client roles): it returns once the suite's dial has claimed it,
    /// so the suite knows the connection before its first frame arrives.</summary>
    public async Task<VirtualConnection> ConnectAsync(CancellationToken cancel = default)
    {
        var conn = Register("d" + Interlocked.Increment(ref _nextDial));
        var claimed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _opened.Writer.TryWrite((conn, claimed));
        try { await claimed.Task.WaitAsync(ClaimTimeout, cancel); }
        catch (TimeoutException) { await conn.DisposeAsync(); throw new Adapters.WebSockets.IutUnreachableException("no dial from the suite claimed the connection"); }
        return conn;
    }

    /// <summary>Completes when a connection the implementation opened is waiting for a dial.</summary>
    public Task WaitOpenedAsync() => _opened.Reader.WaitToReadAsync().AsTask();
    public bool HasOpened => _opened.Reader.Count > 0;

    private VirtualConnection Register(string id)
    {
        var conn = new VirtualConnection(id, "event", WriteAsync, WireTrace.ForHost(), c => _connections.TryRemove(c.Id, out _));
        _connections[id] = conn;
        return conn;
    }

    public async Task<int> RunAsync(TextReader stdin)
    {
        string? line;
        while ((line = await stdin.ReadLineAsync()) is not null)
        {
            if (line.Length == 0) continue;
            JsonElement r;
            try
            {
                using var doc = JsonDocument.Parse(line);
                r = doc.RootElement.Clone();
            }
            catch (JsonException e) { await stderr.WriteLineAsync("shim: unreadable line: " + e.Message); continue; }
            var op = r.TryGetProperty("op", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "";
            if (!r.TryGetProperty("id", out var idEl) || !idEl.TryGetInt64(out var id))
            {
                // frame / close / abort: no answer.
                if (FrameLines.Conn(r) is { } c && _connections.TryGetValue(c, out var conn) && FrameLines.Read(op, r) is ({ } ev, null)) conn.Deliver(ev);
                continue;
            }
            switch (op)
            {
                case "hello": await AnswerAsync(id, Hello()); break;
                case "open": await OpenAsync(id, FrameLines.Conn(r)); break;
                case "dial": Track(DialAsync(id)); break;
                case "bye":
                    await AnswerAsync(id, []);
                    await ShutdownAsync();
                    return Cli.Ok;
                default: await AnswerAsync(id, new JsonObject { ["unimplemented"] = true, ["feature"] = op }); break;
            }
        }
        await ShutdownAsync();
        return Cli.Ok;
    }

    private JsonObject Hello()
    {
        var h = new JsonObject { ["protocol"] = ConversationShim.Protocol, ["name"] = name, ["spec"] = spec, ["role"] = roleName };
        foreach (var (k, v) in role.Hello()) h[k] = v?.DeepClone();
        return h;
    }

    private async Task OpenAsync(long id, string? connId)
    {
        if (role.Serve is not { } serve) { await AnswerAsync(id, new JsonObject { ["unimplemented"] = true, ["feature"] = "open" }); return; }
        if (connId is null || _connections.ContainsKey(connId)) { await AnswerAsync(id, new JsonObject { ["error"] = $"bad or duplicate conn \"{connId}\"" }); return; }
        var conn = Register(connId);
        await AnswerAsync(id, []);
        Track(Task.Run(async () =>
        {
            try { await serve(conn, _stop.Token); }
            catch (Exception e) when (e is not OutOfMemoryException) { await stderr.WriteLineAsync($"shim: session {connId} failed: {e}"); }
            finally { await conn.DisposeAsync(); }
        }));
    }

    private async Task DialAsync(long id)
    {
        if (!await role.DialAsync(this)) { await AnswerAsync(id, new JsonObject { ["unimplemented"] = true, ["feature"] = "dial" }); return; }
        // The suite gives up on its own timeout; an answer after that is skipped there, and the connection stays unclaimed.
        var (conn, claimed) = await _opened.Reader.ReadAsync(_stop.Token);
        await AnswerAsync(id, new JsonObject { ["conn"] = conn.Id });
        claimed.TrySetResult();
    }

    private Task AnswerAsync(long id, JsonObject body)
    {
        var line = new JsonObject { ["id"] = id };
        foreach (var (k, v) in body) line[k] = v?.DeepClone();
        return WriteAsync(line);
    }

    public void Track(Task t)
    {
        lock (_running) { _running.RemoveAll(x => x.IsCompleted); _running.Add(t); }
    }

    private async Task ShutdownAsync()
    {
        await _stop.CancelAsync();
        Task[] all;
        lock (_running) all = [.. _running];
        await Task.WhenAny(Task.WhenAll(all), Task.Delay(2000));
        await role.DisposeAsync();
    }
}
