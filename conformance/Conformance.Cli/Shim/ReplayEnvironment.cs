// A model environment that replays a vector's recorded choices: the clock reads what the request says, and each
// random draw is the next value the request gave (a session token's bytes, a nonce), so the model's outputs name
// the same token the vector does. A draw the request did not provide is a bug in the op, not a verdict.
using Conformance.Model.Env;

namespace Conformance.Cli.Shim;

internal sealed class ReplayEnvironment(DateTimeOffset now, params byte[][] draws) : IModelEnvironment
{
    private readonly Queue<byte[]> _draws = new(draws);

    public DateTimeOffset Now { get; set; } = now;

    public void NextBytes(Span<byte> destination)
    {
        if (!_draws.TryDequeue(out var next) || next.Length != destination.Length)
            throw new InvalidOperationException($"the model drew {destination.Length} random bytes the request does not provide");
        next.CopyTo(destination);
    }
}
