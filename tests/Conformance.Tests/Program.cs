// The project's own tests, on Expecto. `dotnet run --project tests/Conformance.Tests -c Release` runs them all and ends
// with one plain line "N passed, N failed, N skipped" for CI.
using Expecto;
using Microsoft.FSharp.Core;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests;

public static class Program
{
    public static int Main(string[] args)
    {
        var all = TestList("conformance", AllTests.Lists());
        string? summary = null;
        var ran = 0;
        var handler = Expecto.Tests.CLIArguments.NewAppend_Summary_Handler(Expecto.Tests.SummaryHandler.NewSummaryHandler(
            FuncConvert.FromAction<Impl.TestRunSummary>(s =>
            {
                ran = s.passed.Length + s.failed.Length + s.errored.Length;
                summary = $"{s.passed.Length} passed, {s.failed.Length + s.errored.Length} failed, {s.ignored.Length} skipped";
            })));
        // Most tests wait on a child process or a step timeout rather than compute: more workers than the 2 cores of a
        // CI machine keep the whole run short (a --parallel-workers argument still wins).
        var exit = RunTestsWithCLIArgs([handler, Expecto.Tests.CLIArguments.No_Spinner, Expecto.Tests.CLIArguments.NewParallel_Workers(6)], args, all);
        Console.WriteLine();
        Console.WriteLine(summary ?? "0 passed, 0 failed, 0 skipped");
        if (ran == 0)
        {
            // A --filter that matches nothing runs nothing: that is a mistake, not a pass.
            Console.Error.WriteLine("no test ran (check --filter)");
            return 2;
        }
        return exit;
    }
}
