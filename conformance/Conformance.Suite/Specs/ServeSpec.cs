// `conformance serve --spec X`: each spec's reference implementation hosted on a real transport until stopped. The
// module says which role it serves and which options apply, so the CLI never branches on a spec's name.
using Conformance.Reference.Faults;
using Conformance.Suite.Core;

namespace Conformance.Suite.Specs;

/// <summary>What serve was given: where to listen, the fault that breaks the host, a key label, a store directory.</summary>
public sealed record ServeStart(Uri Listen, Fault? Fault, string? KeySeed, string? Store)
{
    /// <summary>The host's signing key: derived from --key-seed (so a user can publish it), else fresh at random.</summary>
    public Model.Ltp.Ed25519Signer Key() => KeySeed is null
        ? new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
        : Reference.Hosting.TestKeys.FromLabel(KeySeed);
}

/// <summary>A reference serving until disposed, and the lines that tell a user where it is and how to test it.</summary>
public sealed record ServedReference(IAsyncDisposable Host, IReadOnlyList<string> Lines);

/// <param name="Role">The role the served reference plays (a fault must break that side).</param>
/// <param name="Options">The serve options besides --listen and --fault this spec takes ("key-seed", "store").</param>
/// <param name="StartAsync">Starts the host; an IOException means the address cannot be listened on.</param>
public sealed record ServeSpec(IutRole Role, IReadOnlySet<string> Options, Func<ServeStart, Task<ServedReference>> StartAsync)
{
    /// <summary>Whether a fault breaks this served host (its spec and side).</summary>
    public bool Breaks(SpecModule spec, Fault fault) => fault.Spec == spec.Name && fault.Side.ToString() == Role.ToString();
}
