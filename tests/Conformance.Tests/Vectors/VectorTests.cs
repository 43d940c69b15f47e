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
    ]);

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
