// The last N characters a process wrote to stderr: enough to explain a crash in the report, never unbounded.
using System.Text;

namespace Conformance.Adapters.Stdio;

public sealed class BoundedTail(int capacity)
{
    private readonly StringBuilder _text = new();
    private long _dropped;

    public void Append(ReadOnlySpan<char> chunk)
    {
        lock (_text)
        {
            _text.Append(chunk);
            if (_text.Length > capacity)
            {
                var excess = _text.Length - capacity;
                _text.Remove(0, excess);
                _dropped += excess;
            }
        }
    }

    public override string ToString()
    {
        lock (_text) return _dropped > 0 ? $"[{_dropped} earlier characters dropped]\n{_text}" : _text.ToString();
    }
}
