// The observation channel (DESIGN.md "Telemetry"): what an IUT reports about itself that the wire does not show.
// Over WebSocket it is a second socket of JSON lines {"name": ..., "data": ...}; the stdio shim carries the same.
using System.Collections.Concurrent;
using System.Text.Json;
using Conformance.Adapters.WebSockets;

namespace Conformance.Suite.Core;

public sealed record Observation(string Name, JsonElement Data);

public interface IObservationSource
{
    string Describe { get; }

    /// <summary>The first observation matching <paramref name="match"/>, waiting up to <paramref name="timeout"/>.</summary>
    Task<Observation?> WaitForAsync(Func<Observation, bool> match, TimeSpan timeout, CancellationToken cancel);
}

/// <summary>Observations received so far, and waiting for one: what every observation channel shares.</summary>
public sealed class ObservationLog(string describe) : IObservationSource
{
    /// <summary>How many observations are kept; older ones are dropped (a case waits for recent ones).</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentQueue<Observation> _seen = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public string Describe => describe;

    public void Add(Observation o)
    {
        _seen.Enqueue(o);
        while (_seen.Count > Capacity) _seen.TryDequeue(out _);
        _arrived.Release();
    }

    public async Task<Observation?> WaitForAsync(Func<Observation, bool> match, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var hit = _seen.FirstOrDefault(match);
            if (hit is not null) return hit;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            try { await _arrived.WaitAsync(left, cancel); } catch (OperationCanceledException) { return null; }
        }
    }
}

public sealed class WebSocketObservations : IObservationSource, IAsyncDisposable
{
    private readonly WebSocketConnection _conn;
    private readonly ObservationLog _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private WebSocketObservations(WebSocketConnection conn, Uri url)
    {
        _conn = conn;
        _log = new ObservationLog(url.ToString());
        _pump = Task.Run(PumpAsync);
    }

    public string Describe => _log.Describe;

    public static async Task<WebSocketObservations> ConnectAsync(Uri url, TimeSpan timeout) =>
        new(await WebSocketClient.ConnectAsync(url, timeout), url);

    private async Task PumpAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var ev = await _conn.ReceiveAsync(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(false);
            if (ev is WireEvent.Closed) return;
            if (ev is not WireEvent.Text t) continue;
            try
            {
                using var doc = JsonDocument.Parse(t.Value);
                var root = doc.RootElement;
                if (root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && root.TryGetProperty("data", out var d))
                    _log.Add(new Observation(n.GetString()!, d.Clone()));
            }
            catch (JsonException) { /* garbage on the observation channel is ignored, never fatal */ }
        }
    }

    public Task<Observation?> WaitForAsync(Func<Observation, bool> match, TimeSpan timeout, CancellationToken cancel) => _log.WaitForAsync(match, timeout, cancel);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAny(_pump, Task.Delay(1000));
        await _conn.DisposeAsync();
    }
}
