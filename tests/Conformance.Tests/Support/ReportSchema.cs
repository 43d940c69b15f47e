// reports/schema/report.schema.json, loaded once, and a validator that returns readable errors (empty: valid).
using NJsonSchema;

namespace Conformance.Tests.Support;

public static class ReportSchema
{
    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => JsonSchema.FromFileAsync(Path.Combine(RepoRoot(), "reports", "schema", "report.schema.json")));

    public static async Task<IReadOnlyList<string>> ErrorsAsync(string json)
    {
        var schema = await Schema.Value;
        return [.. schema.Validate(json).Select(e => $"{e.Path}: {e.Kind} ({e})")];
    }

    /// <summary>The checkout's root: the first folder up from the test binaries that holds Conformance.sln.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Conformance.sln above " + AppContext.BaseDirectory);
    }
}
