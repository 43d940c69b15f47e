using Conformance.Reference.Faults;

namespace Conformance.Cli.Commands;

internal static class FaultsCommand
{
    public static int Execute(string[] args, TextWriter stdout)
    {
        new Args(args, new HashSet<string>()).RejectUnknown();
        stdout.WriteLine($"{"NAME",-32} {"SPEC",-5} {"SIDE",-7} {"MUST FAIL",-28} WHAT IT BREAKS");
        foreach (var f in LhsFaults.Everything)
            stdout.WriteLine($"{f.Name,-32} {f.Spec,-5} {f.Side.ToString().ToLowerInvariant(),-7} {f.ExpectedRequirement,-28} {f.Summary}");
        stdout.WriteLine();
        stdout.WriteLine("Other readings (not bugs: each takes the other side of a model-level reading; reported informational, never failed):");
        stdout.WriteLine($"{"NAME",-32} {"SPEC",-5} {"SIDE",-7} {"REPORTED ON",-28} WHAT IT DOES");
        foreach (var f in LhsFaults.AllReadings)
            stdout.WriteLine($"{f.Name,-32} {f.Spec,-5} {f.Side.ToString().ToLowerInvariant(),-7} {f.ExpectedRequirement,-28} {f.Summary}");
        return Cli.Ok;
    }

    public static Fault? Resolve(string? name) =>
        name is null ? null : LhsFaults.Find(name) ?? throw new UsageException($"unknown fault \"{name}\" (see list-faults)");
}
