// What one reference implementation does behind `conformance shim --spec S --role R` (adapters/SHIM.md protocol 2).
using System.Text.Json.Nodes;
using Conformance.Adapters.Stdio;

namespace Conformance.Cli.Shim.Conversation;

internal abstract class ShimRole : IAsyncDisposable
{
    /// <summary>The members of the hello answer beyond protocol, name, spec and role: features, unimplemented, keys, observe.</summary>
    public abstract JsonObject Hello();

    /// <summary>Serves one connection the suite opened (server and agent roles); null when this role never accepts one.</summary>
    public virtual Func<VirtualConnection, CancellationToken, Task>? Serve => null;

    /// <summary>Makes sure the implementation will open a connection through <paramref name="host"/> (client roles); false when this role never dials.</summary>
    public virtual Task<bool> DialAsync(ConversationHost host) => Task.FromResult(false);

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
