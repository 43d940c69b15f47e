// Over the http adapter (§5), the suite as LHS server: the client IUT's upgrade request is read back as the two
// messages the WebSocket profile would carry (its LHS-Hello, then its LHS-Bind), and the suite's first two text
// messages (mirror, seal) are held back to go out together as the 101's LHS-Mirror and LHS-Seal. Once the 101 is
// out, the upgraded WebSocket carries the rest, so the client-role cases read the same either way.
using Conformance.Adapters.Http;
using Conformance.Adapters.Trace;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;

namespace Conformance.Suite.Lhs.Play;

internal sealed class UpgradeAnswering : IWireConnection
{
    private readonly PendingUpgrade _pending;
    private readonly Func<string, string, string?> _sealFor;
    private readonly Queue<WireEvent> _incoming = new();
    private readonly List<string> _held = [];
    private readonly string? _bind;
    private readonly WireEvent _bindEvent = new WireEvent.Closed(null, "no request");
    private IWireConnection? _upgraded;
    private bool _answered;

    /// <param name="sealFor">The seal for (mirror, the request's bind), when the case reads on before it sent one (e.g. after a bad mirror).</param>
    public UpgradeAnswering(PendingUpgrade pending, Func<string, string, string?> sealFor, WireTrace trace)
    {
        _pending = pending;
        _sealFor = sealFor;
        Trace = trace;
        if (pending.Request is not { } request)
        {
            _incoming.Enqueue(new WireEvent.Closed(null, pending.Failure));
            return;
        }
        // A missing or undecodable header reads as a text that is not a control frame, naming what was wrong.
        var hello = LhsHttp.Decode(LhsHttp.HelloHeader, request.Header(LhsHttp.HelloHeader));
        _incoming.Enqueue(new WireEvent.Text(hello.Value ?? $"({hello.Error!.Detail})"));
        var bind = LhsHttp.Decode(LhsHttp.BindHeader, request.Header(LhsHttp.BindHeader));
        _bindEvent = new WireEvent.Text(bind.Value ?? $"({bind.Error!.Detail})");
        _bind = bind.Value;
    }

    /// <summary>
    /// The request's bind, read where the WebSocket profile reads the bind (after the mirror went out). It is not in
    /// the receive stream: a case that reads on after a mirror the client must reject gets the client's reaction to
    /// the 101, not a bind the client sent before it could see the mirror.
    /// </summary>
    public WireEvent TakeBind() => _bindEvent;

    public WireTrace Trace { get; }

    public async Task<bool> SendTextAsync(string text)
    {
        if (_answered) return _upgraded is not null && await _upgraded.SendTextAsync(text);
        _held.Add(text);
        if (_held.Count == 2) await AnswerAsync();
        return true;
    }

    public Task<bool> SendBinaryAsync(ReadOnlyMemory<byte> bytes)
    {
        if (!_answered) throw new InvalidOperationException("over http no flow frame can precede the 101: this case is not applicable");
        return _upgraded?.SendBinaryAsync(bytes) ?? Task.FromResult(false);
    }

    public async Task<WireEvent> ReceiveAsync(TimeSpan timeout, CancellationToken cancel = default)
    {
        if (_incoming.Count > 0) return _incoming.Dequeue();
        if (!_answered) await AnswerAsync();
        return _upgraded is null ? new WireEvent.Closed(null, "no upgrade") : await _upgraded.ReceiveAsync(timeout, cancel);
    }

    public async Task CloseAsync(int code, string reason)
    {
        if (!_answered) { _answered = true; await _pending.RefuseAsync(400, ""); }
        else if (_upgraded is not null) await _upgraded.CloseAsync(code, reason);
    }

    /// <summary>Refuses the upgrade with <paramref name="status"/> and the error frame as body; after the 101, sends it and closes.</summary>
    public async Task RefuseAsync(int status, string errorFrame)
    {
        if (!_answered) { _answered = true; await _pending.RefuseAsync(status, errorFrame); return; }
        if (_upgraded is null) return;
        await _upgraded.SendTextAsync(errorFrame);
        await _upgraded.CloseAsync(LhsWire.RejectCloseCode, "rejected");
    }

    public void Abort() => _upgraded?.Abort();

    public async ValueTask DisposeAsync()
    {
        if (_upgraded is not null) await _upgraded.DisposeAsync();
        await _pending.DisposeAsync();
    }

    /// <summary>Answers now with a 101 carrying exactly <paramref name="headers"/> (a §5 case's own, possibly broken, headers).</summary>
    public async Task AnswerWithAsync(IEnumerable<KeyValuePair<string, string>> headers)
    {
        if (_answered) throw new InvalidOperationException("the upgrade request was already answered");
        _answered = true;
        _upgraded = await _pending.AcceptAsync(headers);
    }

    /// <summary>The 101 with the held mirror and seal (the machine's seal for the request's bind if none was held).</summary>
    private async Task AnswerAsync()
    {
        _answered = true;
        if (_held.Count == 0)
        {
            Trace.Note("the case answered nothing before reading on: refusing the upgrade");
            await _pending.RefuseAsync(400, "");
            return;
        }
        var seal = _held.Count > 1 ? _held[1] : _bind is null ? null : _sealFor(_held[0], _bind);
        List<KeyValuePair<string, string>> headers = [new(LhsHttp.MirrorHeader, LhsHttp.Encode(_held[0]))];
        if (seal is not null) headers.Add(new(LhsHttp.SealHeader, LhsHttp.Encode(seal)));
        _upgraded = await _pending.AcceptAsync(headers);
    }
}
