// A shim may leave optional parts of a spec unimplemented, never a mandatory rule (adapters/SHIM.md, "Hello").
using Conformance.Adapters.Stdio;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Adapters;

public static class ShimRefusalTests
{
    // hello-lists: the hello declares the seal unimplemented. mid-run: the hello is clean, then the first frame of
    // every connection is answered with a mandatory declaration. optional: only cbor declared, the hello is refused.
    private const string Script = """
import sys, json
how = sys.argv[1]
for line in sys.stdin:
    r = json.loads(line)
    if r.get("op") == "hello":
        missing = {"hello-lists": ["lhs.seal"], "optional": ["lhs.cbor", "telemetry"]}.get(how, [])
        print(json.dumps({"id": r["id"], "protocol": 2, "spec": "lhs", "role": "server", "unimplemented": missing, "keys": {"seal": "00" * 32}}), flush=True)
    elif r.get("op") == "open":
        print(json.dumps({"id": r["id"]}), flush=True)
    elif r.get("op") == "frame":
        feature = "lhs.seal" if how == "mid-run" else "lhs.cbor"
        print(json.dumps({"event": "unimplemented", "conn": r["conn"], "feature": feature}), flush=True)
    elif r.get("op") == "bye":
        print(json.dumps({"id": r["id"]}), flush=True)
        break
""";

    private static async Task<CliRun> Run(string how)
    {
        var script = Path.Combine(TestCli.TempDir("refuse"), "shim.py");
        File.WriteAllText(script, Script);
        return await TestCli.RunAsync("run", "--spec", "lhs", "--target", $"stdio:python3 {script} {how}", "--filter", "LHS-S-hello-*", "--timeout-ms", "500", "--traces", "0");
    }

    public static Test Tests() => TestList("adapters.shim-refusal",
    [
        TestCase("a hello declaring a mandatory rule unimplemented is refused: exit 2, naming it", async () =>
        {
            var r = await Run("hello-lists");
            Expect.equal(r.Exit, 2, r.ToString());
            Expect.stringContains(r.Stderr + r.Stdout, "\"lhs.seal\" unimplemented, but it names a mandatory lhs rule", "the message names the feature");
        }),
        TestCase("a mandatory rule declared mid-run fails the case (exit 1), never unimplemented", async () =>
        {
            var r = await Run("mid-run");
            Expect.equal(r.Exit, 1, r.ToString());
            var outcomes = r.Report().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()).Distinct().ToArray();
            Expect.contains(outcomes, "fail", $"cases failed\n{r}");
            Expect.isEmpty(outcomes.Where(o => o is "pass" or "unimplemented"), $"none passed or unimplemented (a model-level case is informational)\n{r}");
            Expect.stringContains(r.Stdout, "declared the mandatory \"lhs.seal\" unimplemented", "the evidence");
        }),
        TestCase("optional parts may be declared: the cases are unimplemented, and with nothing verified the run exits 2", async () =>
        {
            var r = await Run("optional");
            var outcomes = r.Report().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("outcome").GetString()).Distinct().ToArray();
            Expect.sequenceEqual(outcomes, new[] { "unimplemented" }, $"only unimplemented\n{r}");
            Expect.equal(r.Exit, 2, r.ToString());
            Expect.stringContains(r.Stdout, "Nothing verified", "said so");
        }),
        TestCase("the mandatory list names every spec, and optional names are not in it", () =>
        {
            Expect.sequenceEqual(ShimFeatures.Mandatory.Keys.Order(), new[] { "cip", "lhs", "shard" }, "one list per spec");
            foreach (var optional in new[] { "lhs.cbor", "lhs.http", "telemetry", "open", "dial", "restart" })
                Expect.isFalse(ShimFeatures.IsMandatory("lhs", optional), optional);
            Expect.isTrue(ShimFeatures.IsMandatory("cip", "cip.signing"), "signing");
        }),
    ]);
}
