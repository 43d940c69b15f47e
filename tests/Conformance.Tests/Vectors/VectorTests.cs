// The committed golden vectors: a fresh generation is byte-identical to them (twice over), every file validates
// against its schema, MANIFEST.json lists every file with its hash, and verify catches a changed byte.
using System.Security.Cryptography;
using System.Text.Json;
using Conformance.Suite.Vectors;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Vectors;

public static class VectorTests
{
    private static string Dir => Path.Combine(ReportSchema.RepoRoot(), "vectors");

    public static Test Tests() => TestList("vectors",
    [
        TestCase("two generations give identical bytes", () =>
        {
            var a = VectorSet.Generate();
            var b = VectorSet.Generate();
            Expect.sequenceEqual(a.Keys.Order(), b.Keys.Order(), "same files");
            foreach (var (path, bytes) in a) Expect.isTrue(bytes.AsSpan().SequenceEqual(b[path]), path + " identical");
        }),
        TestCase("`conformance vectors verify` passes on the committed vectors", async () =>
        {
            var r = await TestCli.RunAsync("vectors", "verify", "--dir", Dir);
            Expect.equal(r.Exit, 0, r.ToString());
        }),
        TestCase("verify fails on a changed byte, a missing file and an extra file", async () =>
        {
            var copy = TestCli.TempDir("vectors");
            CopyTree(Dir, copy);
            var file = Path.Combine(copy, "ltp", "jcs.json");
            var bytes = File.ReadAllBytes(file);
            bytes[^3] ^= 1;
            File.WriteAllBytes(file, bytes);
            File.WriteAllText(Path.Combine(copy, "ltp", "stray.json"), "{}");
            File.Delete(Path.Combine(copy, "MANIFEST.json"));
            var r = await TestCli.RunAsync("vectors", "verify", "--dir", copy);
            Expect.equal(r.Exit, 1, r.ToString());
            Expect.stringContains(r.Stderr, "ltp/jcs.json: differs from a fresh generation", "changed byte");
            Expect.stringContains(r.Stderr, "ltp/stray.json: no generator writes this file", "extra file");
            Expect.stringContains(r.Stderr, "MANIFEST.json: missing", "missing file");
        }),
        TestCase("verify fails on a schema violation even when the bytes are regenerated from it", async () =>
        {
            var copy = TestCli.TempDir("vectors");
            CopyTree(Dir, copy);
            // A schema that demands what no test has: the committed file no longer validates.
            var schema = Path.Combine(copy, "schema", "jcs.schema.json");
            File.WriteAllText(schema, File.ReadAllText(schema).Replace("\"required\": [\"input\"]", "\"required\": [\"input\", \"noSuchField\"]"));
            var r = await TestCli.RunAsync("vectors", "verify", "--dir", copy);
            Expect.equal(r.Exit, 1, r.ToString());
            Expect.stringContains(r.Stderr, "ltp/jcs.json: schema:", "schema violation reported");
        }),
        TestCase("a result that contradicts its test's fields is a schema violation", async () =>
        {
            var copy = TestCli.TempDir("vectors");
            CopyTree(Dir, copy);
            var file = Path.Combine(copy, "ltp", "jcs.json");
            var text = File.ReadAllText(file);
            var at = text.IndexOf("\"result\": \"valid\"", StringComparison.Ordinal);
            File.WriteAllText(file, text[..at] + "\"result\": \"invalid\"" + text[(at + "\"result\": \"valid\"".Length)..]);
            var errors = await VectorSet.SchemaErrorsAsync(copy, "ltp/jcs.json");
            Expect.isNonEmpty(errors, "an invalid result with a canonical output must not validate");
        }),
        TestCase("at least 1,000 tests, covering the three specs and the crypto topics", () =>
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "MANIFEST.json")));
            var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToArray();
            Expect.isGreaterThanOrEqual(manifest.RootElement.GetProperty("numberOfTests").GetInt32(), 1000, "tests in all");
            foreach (var spec in new[] { "ltp", "lhs", "shard", "cip" })
                Expect.isGreaterThanOrEqual(files.Where(f => f.GetProperty("path").GetString()!.StartsWith(spec + "/", StringComparison.Ordinal))
                    .Sum(f => f.GetProperty("numberOfTests").GetInt32()), 100, spec + " has its vectors");
        }),
        TestCase("MANIFEST.json lists every file with its SHA-256 and test count", () =>
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "MANIFEST.json")));
            var files = manifest.RootElement.GetProperty("files").EnumerateArray().ToArray();
            Expect.equal(files.Length, VectorSet.Topics().Count, "one entry per topic");
            var total = 0;
            foreach (var f in files)
            {
                var path = Path.Combine(Dir, f.GetProperty("path").GetString()!);
                Expect.equal(f.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), path + " hash");
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                var tests = doc.RootElement.GetProperty("testGroups").EnumerateArray().Sum(g => g.GetProperty("tests").GetArrayLength());
                Expect.equal(f.GetProperty("numberOfTests").GetInt32(), tests, path + " count");
                total += tests;
            }
            Expect.equal(manifest.RootElement.GetProperty("numberOfTests").GetInt32(), total, "total");
        }),
        TestCase("every note has a bugType, a description, an effect, and links that resolve", () =>
        {
            var names = Enum.GetValues<VectorBugType>().Select(VectorNotes.Name).ToHashSet(StringComparer.Ordinal);
            var anchors = VectorNoteChecks.SpecNotesAnchors();
            var notes = 0;
            foreach (var (path, spec, flag, note) in VectorNoteChecks.Notes(Dir))
            {
                var where = $"{path} {flag}";
                notes++;
                Expect.isTrue(names.Contains(note.GetProperty("bugType").GetString()!), where + ": bugType is one of the enum");
                Expect.isNotEmpty(note.GetProperty("description").GetString()!.Trim(), where + ": description");
                Expect.isNotEmpty(note.GetProperty("effect").GetString()!.Trim(), where + ": effect");
                foreach (var link in note.GetProperty("links").EnumerateArray().Select(l => l.GetString()!))
                {
                    if (VectorNotes.IsRequirementId(link))
                        Expect.isTrue(VectorNotes.CatalogOf(spec)?.Requirements.Any(r => r.Id == link) == true, $"{where}: {link} is in the {spec} catalog");
                    else if (link.StartsWith("SPEC-NOTES.md#", StringComparison.Ordinal))
                        Expect.isTrue(anchors.Contains(link["SPEC-NOTES.md#".Length..]), $"{where}: {link} is a heading of conformance/SPEC-NOTES.md");
                    else
                        Expect.isTrue(link.StartsWith("RFC ", StringComparison.Ordinal), $"{where}: {link} is a requirement, SPEC-NOTES.md or RFC reference");
                }
            }
            Expect.isGreaterThan(notes, 200, "notes read");
        }),
        TestCase("a rule note's description is derived from the catalog: it quotes the requirement", () =>
        {
            // Through the builder: the description is the catalog's, not retyped.
            var lhs = Conformance.Suite.Lhs.LhsCatalog.Instance.Get("LHS-1-order");
            var file = new VectorFileBuilder("lhs", "probe", "probe.schema.json", 1, "probe")
                .Rule("StepOrder", VectorBugType.Ordering, lhs.Id, "reject", "A remark.")
                .Group("g").Test("t", VectorResult.Invalid, [], "StepOrder").Build();
            var note = file.Notes["StepOrder"];
            Expect.equal(note.Description, VectorNotes.Describe(lhs, "A remark."), "derived form");
            Expect.stringContains(note.Description, lhs.Quote, "the catalog's quote");
            Expect.equal(note.Links[0], lhs.Id, "the requirement is the first link");
            // In the committed files: every note whose first link is a requirement and that starts with its summary is
            // in the derived form, with the quote once; the LHS rule flags are among them.
            var derived = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (path, spec, flag, n) in VectorNoteChecks.Notes(Dir))
            {
                var first = n.GetProperty("links").EnumerateArray().Select(l => l.GetString()!).FirstOrDefault();
                if (first is null || !VectorNotes.IsRequirementId(first)) continue;
                var r = VectorNotes.CatalogOf(spec)!.Get(first);
                var d = n.GetProperty("description").GetString()!;
                if (!d.StartsWith(r.Summary + " ", StringComparison.Ordinal)) continue;
                Expect.isTrue(d.StartsWith(VectorNotes.Describe(r), StringComparison.Ordinal), $"{path} {flag}: derived form");
                Expect.equal(d.Split(r.Quote).Length - 1, 1, $"{path} {flag}: the quote once");
                derived.Add($"{path} {flag}");
            }
            foreach (var flag in new[] { "StepOrder", "HelloRequiredFields", "UnsupportedMajor", "SealVerification", "BindThread" })
                Expect.isTrue(derived.Any(d => d.StartsWith("lhs/", StringComparison.Ordinal) && d.EndsWith(" " + flag, StringComparison.Ordinal)), flag + " is derived");
            Expect.isGreaterThanOrEqual(derived.Count, 60, "notes derived from the catalogs");
        }),
        TestCase("a note that links a requirement the catalog lacks fails the generation", () =>
        {
            var b = new VectorFileBuilder("cip", "probe", "probe.schema.json", 1, "probe");
            Throws(() => b.Note("X", VectorBugType.Basic, "d", "accept", "CIP-9-no-such-rule"), "unknown requirement link");
            Throws(() => b.Rule("Y", VectorBugType.Basic, "CIP-9-no-such-rule", "accept"), "unknown rule");
            Throws(() => b.Note("Z", VectorBugType.Basic, "d", " "), "empty effect");
        }),
    ]);

    private static void Throws(Action act, string what)
    {
        try { act(); }
        catch (InvalidOperationException) { return; }
        catch (KeyNotFoundException) { return; }
        throw new Exception(what + ": expected the builder to refuse the note");
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }
}
