// Progress for long runs. On a terminal a status line ("[ 12/197] LHS-S-…") is redrawn in place under the per-case
// lines; when output is redirected or CI is set, nothing but the plain per-case lines is written, so logs stay clean.
namespace Conformance.Cli;

public sealed class RunProgress(TextWriter output, int total, bool live)
{
    private readonly Lock _gate = new();
    private int _done;
    private bool _statusShown;

    /// <summary>Live only on an interactive terminal: not redirected, and CI unset (or "false"/"0").</summary>
    public static bool Enabled(bool redirected, string? ci) =>
        !redirected && (string.IsNullOrEmpty(ci) || ci.Equals("false", StringComparison.OrdinalIgnoreCase) || ci == "0");

    public void Starting(string caseId)
    {
        if (!live) return;
        lock (_gate)
        {
            var width = total.ToString().Length;
            Clear();
            output.Write($"[{(_done + 1).ToString().PadLeft(width)}/{total}] {caseId}");
            output.Flush();
            _statusShown = true;
        }
    }

    public void Finished(string line)
    {
        lock (_gate)
        {
            _done++;
            Clear();
            output.WriteLine(line);
        }
    }

    public void Done()
    {
        lock (_gate) Clear();
    }

    // Carriage return and "erase line" (ECMA-48 EL): every terminal the suite targets understands it.
    private void Clear()
    {
        if (!_statusShown) return;
        output.Write("\r\u001b[2K");
        _statusShown = false;
    }
}
