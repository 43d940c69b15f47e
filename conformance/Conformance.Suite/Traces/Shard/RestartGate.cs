// Traces run in parallel, and a restart drops every connection to the IUT: a trace that restarts it must run alone.
// Per restartable IUT, traces enter shared and a restarting one enters alone; a waiting restart keeps new traces
// out (else it could wait for ever behind a stream of them).
using System.Runtime.CompilerServices;
using Conformance.Suite.Core;

namespace Conformance.Suite.Traces.Shard;

internal sealed class RestartGate
{
    private static readonly ConditionalWeakTable<IRestartable, RestartGate> Gates = new();

    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private readonly SemaphoreSlim _room = new(1, 1);
    private readonly SemaphoreSlim _count = new(1, 1);
    private int _inside;

    public static RestartGate For(IRestartable target) => Gates.GetValue(target, _ => new RestartGate());

    /// <summary>Enters alone (<paramref name="alone"/>) or with the other shared traces; disposing the result leaves.</summary>
    public async Task<IDisposable> EnterAsync(bool alone, CancellationToken cancel)
    {
        await _turnstile.WaitAsync(cancel);
        if (alone)
        {
            try { await _room.WaitAsync(cancel); }
            catch { _turnstile.Release(); throw; }
            return new Leave(() => { _room.Release(); _turnstile.Release(); });
        }
        try
        {
            await _count.WaitAsync(cancel);
            try
            {
                if (_inside == 0) await _room.WaitAsync(cancel);
                _inside++;
            }
            finally { _count.Release(); }
        }
        finally { _turnstile.Release(); }
        return new Leave(() =>
        {
            _count.Wait();
            if (--_inside == 0) _room.Release();
            _count.Release();
        });
    }

    private sealed class Leave(Action leave) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) leave(); }
    }
}
