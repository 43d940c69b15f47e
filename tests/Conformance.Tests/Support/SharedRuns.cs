// Runs several test lists read, made once per test process: the full embedded run takes ~15 s and its report is
// worth checking from several angles (exit code, schema, browser).
namespace Conformance.Tests.Support;

public static class SharedRuns
{
    private static readonly Lazy<Task<CliRun>> FullRun = new(() => TestCli.RunAsync("run"));
    private static readonly Lazy<Task<CliRun>> LhsFault = new(() => TestCli.RunAsync("run", "--spec", "lhs", "--fault", "nonce-reused"));

    /// <summary>`run` with no options: every spec against the embedded references.</summary>
    public static Task<CliRun> Full => FullRun.Value;

    /// <summary>`run --spec lhs --fault nonce-reused`: a report with a failure (LHS-S-nonce-fresh, LHS-3.2-nonce-unique).</summary>
    public static Task<CliRun> WithFailure => LhsFault.Value;
}
