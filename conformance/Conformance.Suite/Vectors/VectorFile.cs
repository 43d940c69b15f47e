// One golden-vector file, Wycheproof-style: a header (spec, topic, generator, seed, number of tests), a notes section
// that explains every flag, and test groups sharing inputs (keys…), each test with tcId, comment, flags and result.
using System.Text.Json.Nodes;

namespace Conformance.Suite.Vectors;

/// <summary>What an implementation must do with a test's input.</summary>
public enum VectorResult
{
    /// <summary>Accept, and produce exactly the expected output.</summary>
    Valid,
    /// <summary>Reject.</summary>
    Invalid,
    /// <summary>Either is conformant (the spec allows both); the expected output says what the reference does.</summary>
    Acceptable,
}

public sealed record VectorTest(int TcId, string Comment, IReadOnlyList<string> Flags, JsonObject Fields, VectorResult Result);

/// <summary>Tests that share inputs (<see cref="Shared"/>: keys, server capabilities…).</summary>
public sealed record VectorGroup(string Type, JsonObject Shared, IReadOnlyList<VectorTest> Tests);

public sealed record VectorFile(
    string Spec,
    string Topic,
    string Schema,
    ulong Seed,
    IReadOnlyList<string> Header,
    IReadOnlyDictionary<string, VectorNote> Notes,
    IReadOnlyList<VectorGroup> Groups)
{
    /// <summary>Path under vectors/: &lt;spec&gt;/&lt;topic&gt;.json.</summary>
    public string RelativePath => $"{Spec}/{Topic}.json";

    public int NumberOfTests => Groups.Sum(g => g.Tests.Count);
}

/// <summary>
/// Builds a file; tcIds run from 1 in order, and every flag used must be explained in the notes (and vice versa).
/// Every note is checked as it is added: complete, and each requirement ID it links in the spec's catalog.
/// </summary>
public sealed class VectorFileBuilder(string spec, string topic, string schema, ulong seed, params string[] header)
{
    private readonly Dictionary<string, VectorNote> _notes = new(StringComparer.Ordinal);
    private readonly List<(string Type, JsonObject Shared, List<VectorTest> Tests)> _groups = [];
    private int _next = 1;

    public ulong Seed => seed;

    public VectorFileBuilder Note(string flag, VectorNote note)
    {
        VectorNotes.Check(spec, flag, note);
        _notes.Add(flag, note);
        return this;
    }

    /// <summary>A note written here: for flags that check no single catalog requirement.</summary>
    public VectorFileBuilder Note(string flag, VectorBugType bugType, string description, string effect, params string[] links) =>
        Note(flag, new VectorNote(bugType, description, effect, links));

    /// <summary>A note derived from the catalog: <paramref name="requirementId"/>'s summary and quote, then <paramref name="remark"/>.</summary>
    public VectorFileBuilder Rule(string flag, VectorBugType bugType, string requirementId, string effect, string? remark = null, params string[] links) =>
        Note(flag, VectorNotes.FromRule(spec, bugType, requirementId, effect, remark, links));

    /// <summary>Starts a group; the tests added until the next call belong to it.</summary>
    public VectorFileBuilder Group(string type, JsonObject? shared = null)
    {
        _groups.Add((type, shared ?? [], []));
        return this;
    }

    public VectorFileBuilder Test(string comment, VectorResult result, JsonObject fields, params string[] flags)
    {
        if (_groups.Count == 0) throw new InvalidOperationException("Group() before Test()");
        foreach (var f in flags)
            if (!_notes.ContainsKey(f)) throw new InvalidOperationException($"{spec}/{topic}: flag {f} has no note");
        _groups[^1].Tests.Add(new VectorTest(_next++, comment, flags, fields, result));
        return this;
    }

    public VectorFile Build()
    {
        var used = _groups.SelectMany(g => g.Tests).SelectMany(t => t.Flags).ToHashSet(StringComparer.Ordinal);
        var unused = _notes.Keys.Where(k => !used.Contains(k)).ToArray();
        if (unused.Length > 0) throw new InvalidOperationException($"{spec}/{topic}: notes for unused flags {string.Join(", ", unused)}");
        return new VectorFile(spec, topic, schema, seed, header, _notes, [.. _groups.Select(g => new VectorGroup(g.Type, g.Shared, g.Tests))]);
    }
}

/// <summary>One topic's generator. Deterministic: the same seed gives the same file, byte for byte.</summary>
public interface IVectorTopic
{
    string Spec { get; }
    string Topic { get; }
    VectorFile Generate(ulong seed);
}
