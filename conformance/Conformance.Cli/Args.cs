// A small, strict argument parser: --name value, --name=value and bare --flags. Unknown options are usage errors
// (exit 2), never silently ignored: a typo in a CI gate must not turn into a green run.
namespace Conformance.Cli;

public sealed class UsageException(string message) : Exception(message);

public sealed class Args
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public Args(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument \"{a}\"");
            var eq = a.IndexOf('=');
            var name = eq > 0 ? a[2..eq] : a[2..];
            if (_values.ContainsKey(name)) throw new UsageException($"--{name} given twice");
            if (eq > 0) _values[name] = a[(eq + 1)..];
            else if (flags.Contains(name)) _values[name] = null;
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal)) _values[name] = list[++i];
            else throw new UsageException($"--{name} needs a value");
        }
    }

    public bool Flag(string name) { _used.Add(name); return _values.ContainsKey(name); }

    public string? Get(string name) { _used.Add(name); return _values.GetValueOrDefault(name); }

    public int Int(string name, int fallback, int min = 1, int max = int.MaxValue)
    {
        var v = Get(name);
        if (v is null) return fallback;
        if (!int.TryParse(v, out var i) || i < min || i > max) throw new UsageException($"--{name} must be an integer from {min} to {max}");
        return i;
    }

    public ulong ULong(string name, ulong fallback)
    {
        var v = Get(name);
        if (v is null) return fallback;
        return ulong.TryParse(v, out var u) ? u : throw new UsageException($"--{name} must be a non-negative integer");
    }

    public Uri? Uri(string name, params string[] schemes)
    {
        var v = Get(name);
        if (v is null) return null;
        if (!System.Uri.TryCreate(v, UriKind.Absolute, out var u) || !schemes.Contains(u.Scheme))
            throw new UsageException($"--{name} must be a URL with scheme {string.Join(" or ", schemes)}");
        return u;
    }

    /// <summary>Call after reading every option: anything left was not understood.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToArray();
        if (unknown.Length > 0) throw new UsageException("unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
    }
}
