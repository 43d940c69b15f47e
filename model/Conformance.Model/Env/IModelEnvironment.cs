namespace Conformance.Model.Env;

/// <summary>
/// Everything non-deterministic the model needs, injected so that every run replays from a seed:
/// the clock and a source of random bytes. Keys arrive through the configs.
/// </summary>
public interface IModelEnvironment
{
    DateTimeOffset Now { get; }
    void NextBytes(Span<byte> destination);
}

public static class ModelEnvironmentExtensions
{
    public static byte[] NextBytes(this IModelEnvironment env, int count)
    {
        var b = new byte[count];
        env.NextBytes(b);
        return b;
    }

    /// <summary>A random (version 4) UUID drawn from the environment, in RFC 9562 text form.</summary>
    public static string NewUuid(this IModelEnvironment env)
    {
        var b = env.NextBytes(16);
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        var h = Convert.ToHexStringLower(b);
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }
}
