// --expect FILE / --write-expect FILE: the outcome each case is expected to have. A CI pipeline that accepts some known
// failures pins them here; any change, including an unexpected pass, is a deviation and fails the run, so a baseline
// cannot go stale silently.
using System.Text;
using System.Text.Json;
using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

public sealed class Baseline
{
    public const string Schema = "conformance-expect/1";

    private Baseline(IReadOnlyDictionary<string, Outcome> outcomes, string file)
    {
        Outcomes = outcomes;
        File = file;
    }

    public IReadOnlyDictionary<string, Outcome> Outcomes { get; }
    public string File { get; }

    public static Baseline Parse(string json, string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String
                || schema.GetString() != Schema)
                throw new FormatException($"{file}: not a baseline (expected \"schema\": \"{Schema}\"; write one with --write-expect)");
            if (!root.TryGetProperty("outcomes", out var outcomes) || outcomes.ValueKind != JsonValueKind.Object)
                throw new FormatException($"{file}: \"outcomes\" must be an object of case ID → outcome");
            var map = new Dictionary<string, Outcome>();
            foreach (var p in outcomes.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String || !Reports.Model.Outcomes.TryParse(p.Value.GetString(), out var o))
                    throw new FormatException($"{file}: {p.Name}: \"{p.Value}\" is not an outcome ({string.Join(", ", Enum.GetValues<Outcome>().Select(x => x.Name()))})");
                if (!map.TryAdd(p.Name, o)) throw new FormatException($"{file}: {p.Name} appears twice");
            }
            return new Baseline(map, file);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{file}: not valid JSON: {e.Message}");
        }
    }

    public static Baseline Load(string file) => Parse(System.IO.File.ReadAllText(file), file);

    /// <summary>One case per line, in run order, so a baseline diffs well in review.</summary>
    public static string Write(IReadOnlyList<CaseResult> cases, RunManifest m)
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"schema\": ").Append(Str(Schema)).Append(",\n");
        sb.Append("  \"from\": ").Append(Str($"{string.Join(",", m.Specs)} against {m.IutIdentity ?? m.Target}{(m.Fault is { } f ? $" [fault {f}]" : "")}, "
            + $"suite {m.SuiteVersion}")).Append(",\n");
        sb.Append("  \"outcomes\": {");
        for (var i = 0; i < cases.Count; i++)
            sb.Append(i == 0 ? "\n" : ",\n").Append("    ").Append(Str(cases[i].Id)).Append(": ").Append(Str(cases[i].Outcome.Name()));
        sb.Append(cases.Count == 0 ? "}\n}\n" : "\n  }\n}\n");
        return sb.ToString();
    }

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Str(string s) => JsonSerializer.Serialize(s, Readable);

    /// <summary>Cases whose outcome differs from the baseline, or that the baseline does not know.</summary>
    public IReadOnlyList<Deviation> Compare(IReadOnlyList<CaseResult> cases) =>
        [.. cases.Where(c => !Outcomes.TryGetValue(c.Id, out var o) || o != c.Outcome)
            .Select(c => new Deviation(c.Id, Outcomes.TryGetValue(c.Id, out var o) ? o.Name() : null, c.Outcome.Name()))];

    /// <summary>Baseline entries for cases this run did not include (a narrower --spec or --filter): not judged.</summary>
    public int NotRun(IReadOnlyList<CaseResult> cases) => Outcomes.Keys.Count(id => cases.All(c => c.Id != id));
}
