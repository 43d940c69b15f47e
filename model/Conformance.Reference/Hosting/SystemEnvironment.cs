using System.Security.Cryptography;
using Conformance.Model.Env;

namespace Conformance.Reference.Hosting;

/// <summary>The real clock and a CSPRNG: what the reference hosts use outside tests.</summary>
public sealed class SystemEnvironment : IModelEnvironment
{
    public static readonly SystemEnvironment Instance = new();
    public DateTimeOffset Now => DateTimeOffset.UtcNow;
    public void NextBytes(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
