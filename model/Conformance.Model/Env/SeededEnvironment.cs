using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conformance.Model.Env;

/// <summary>
/// A reproducible environment: random bytes are SHA-256(seed || counter) blocks, so the stream is the same on
/// every machine and .NET version (unlike System.Random); the clock starts at a fixed instant and only moves
/// when told to.
/// </summary>
public sealed class SeededEnvironment : IModelEnvironment
{
    private readonly byte[] _seed;
    private ulong _counter;
    private byte[] _block = [];
    private int _used;
    private readonly Lock _gate = new();

    public SeededEnvironment(ulong seed, DateTimeOffset? start = null, string stream = "")
    {
        _seed = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"conformance-seed:{seed}:{stream}"));
        Now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    public DateTimeOffset Now { get; private set; }

    public void Advance(TimeSpan by) => Now += by;

    public void NextBytes(Span<byte> destination)
    {
        lock (_gate)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                if (_used == _block.Length) Refill();
                destination[i] = _block[_used++];
            }
        }
    }

    private void Refill()
    {
        Span<byte> input = stackalloc byte[40];
        _seed.CopyTo(input);
        BinaryPrimitives.WriteUInt64BigEndian(input[32..], _counter++);
        _block = SHA256.HashData(input);
        _used = 0;
    }
}
