// The specs the suite tests, in run order. A new spec is one SpecModule (see CONTRIBUTING.md) added here.
namespace Conformance.Suite.Specs;

public static class Specs
{
    public static readonly IReadOnlyList<SpecModule> All = [LhsSpec.Module, ShardSpec.Module, CipSpec.Module];

    /// <summary>The spec an external IUT is taken to implement when no --spec is given.</summary>
    public static SpecModule Default => LhsSpec.Module;

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(s => s.Name)];

    public static SpecModule? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    public static SpecModule Of(string name) => Find(name) ?? throw new ArgumentException($"unknown spec \"{name}\"", nameof(name));
}
