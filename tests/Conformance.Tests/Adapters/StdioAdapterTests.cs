// The stdio adapter against tiny misbehaving shims (sh and python one-liners): it must give each request a verdict
// (answer, garbage, timeout, exited) within bounded time, keep memory bounded, and leave no process behind.
using System.Diagnostics;
using System.Text.Json.Nodes;
using Conformance.Adapters.Stdio;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Adapters;

public static class StdioAdapterTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(1500);

    // Answers hello; then "ping" → pong, "hang" → never answers; stderr gets a line per request.
    private const string PythonShim = """
import sys, json
for line in sys.stdin:
    r = json.loads(line)
    print("got " + r["op"], file=sys.stderr, flush=True)
    if r["op"] == "hello": out = {"id": r["id"], "name": "tiny", "protocol": 1, "ops": ["ping", "hang"]}
    elif r["op"] == "hang":
        import time; time.sleep(600)
    else: out = {"id": r["id"], "result": "valid", "pong": r.get("n")}
    print(json.dumps(out), flush=True)
""";

    public static Test Tests() => TestList("adapters.stdio",
    [
        TestCase("stdio: targets split like shell words, quotes kept together", () =>
        {
            var c = StdioCommand.Parse("stdio:python3 -c 'print(\"a b\")' \"x y\" z\\ w");
            Expect.equal(c.FileName, "python3", "program");
            Expect.sequenceEqual(c.Arguments, new[] { "-c", "print(\"a b\")", "x y", "z w" }, "arguments");
            Throws<FormatException>(() => StdioCommand.Parse("stdio:  "), "no command");
            Throws<FormatException>(() => StdioCommand.Parse("stdio:sh -c 'open"), "unterminated quote");
            Throws<FormatException>(() => StdioCommand.Parse("ws://x"), "not stdio");
        }),
        TestCase("a well-behaved shim: answers carry the request's id, in order", async () =>
        {
            await using var p = Py(PythonShim);
            for (var i = 0; i < 3; i++)
            {
                var r = await p.RequestAsync(new JsonObject { ["op"] = "ping", ["n"] = i }, TimeSpan.FromSeconds(10));
                Expect.equal(r.Kind, ReplyKind.Answer, r.Detail);
                Expect.equal(r.Body.GetProperty("pong").GetInt32(), i, "answer to this request");
            }
        }),
        TestCase("a silent shim: the request times out on time", async () =>
        {
            await using var p = Sh("cat > /dev/null");
            var clock = Stopwatch.StartNew();
            var r = await p.RequestAsync(new JsonObject { ["op"] = "ping" }, TimeSpan.FromMilliseconds(300));
            Expect.equal(r.Kind, ReplyKind.TimedOut, r.Detail);
            Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(3), "bounded wait");
        }),
        TestCase("a shim that crashes mid-run: Exited with its exit code, and every later request at once", async () =>
        {
            await using var p = Sh("read line; echo '{\"id\":0}'; read line; echo dying >&2; exit 3");
            Expect.equal((await p.RequestAsync(new JsonObject { ["op"] = "a" }, Short)).Kind, ReplyKind.Answer, "first answered");
            var r = await p.RequestAsync(new JsonObject { ["op"] = "b" }, TimeSpan.FromSeconds(10));
            Expect.equal(r.Kind, ReplyKind.Exited, r.Detail);
            Expect.stringContains(r.Detail, "exit code 3", "exit code reported");
            Expect.stringContains(p.Stderr.ToString(), "dying", "stderr kept");
            var clock = Stopwatch.StartNew();
            Expect.equal((await p.RequestAsync(new JsonObject { ["op"] = "c" }, TimeSpan.FromSeconds(10))).Kind, ReplyKind.Exited, "still exited");
            Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(2), "no waiting on a dead shim");
        }),
        TestCase("a shim that prints garbage: Garbage for that request", async () =>
        {
            await using var p = Sh("while read l; do echo 'not json {'; echo '[1,2]'; echo '{\"no\":\"id\"}'; done");
            foreach (var what in new[] { "not JSON", "not a JSON object", "without an integer id" })
            {
                var r = await p.RequestAsync(new JsonObject { ["op"] = "ping" }, Short);
                Expect.equal(r.Kind, ReplyKind.Garbage, r.Detail);
                Expect.stringContains(r.Detail, what, "why");
            }
        }),
        TestCase("a shim that echoes wrong ids: Garbage; a late answer to a failed request is skipped", async () =>
        {
            await using var wrong = Py("import sys, json\nfor l in sys.stdin: print(json.dumps({'id': json.loads(l)['id'] + 7}), flush=True)");
            var r = await wrong.RequestAsync(new JsonObject { ["op"] = "ping" }, Short);
            Expect.equal(r.Kind, ReplyKind.Garbage, r.Detail);
            Expect.stringContains(r.Detail, "id 7, expected 0", "names both ids");
            // First answer is garbage, then the real answer follows: request 0 fails, request 1 still gets its own.
            await using var late = Py("import sys, json\nfor l in sys.stdin:\n  i = json.loads(l)['id']\n  print('oops', flush=True)\n  print(json.dumps({'id': i}), flush=True)");
            Expect.equal((await late.RequestAsync(new JsonObject { ["op"] = "a" }, Short)).Kind, ReplyKind.Garbage, "garbage first");
            var second = await late.RequestAsync(new JsonObject { ["op"] = "b" }, Short);
            Expect.equal(second.Kind, ReplyKind.Garbage, "the 'oops' of request 1 (the late answer 0 was skipped)");
            Expect.stringContains(second.Detail, "oops", "skipped past the stale answer");
        }),
        TestCase("a shim that writes a 5 MiB line: Garbage at the limit, and the next answer still arrives", async () =>
        {
            await using var p = Py("import sys, json\nfor l in sys.stdin:\n  i = json.loads(l)['id']\n  if i == 0: print('[' + '1,' * 2500000 + '1]', flush=True)\n  else: print(json.dumps({'id': i}), flush=True)");
            var r = await p.RequestAsync(new JsonObject { ["op"] = "big" }, TimeSpan.FromSeconds(10));
            Expect.equal(r.Kind, ReplyKind.Garbage, r.Detail);
            Expect.stringContains(r.Detail, "longer than the limit of 1048576 bytes", "why");
            Expect.equal((await p.RequestAsync(new JsonObject { ["op"] = "ok" }, TimeSpan.FromSeconds(10))).Kind, ReplyKind.Answer, "rest of the line discarded");
        }),
        TestCase("stderr is kept as a bounded tail", async () =>
        {
            await using var p = Py("import sys\nsys.stderr.write('x' * 1000000 + 'END')\nsys.stderr.flush()\nsys.stdin.read()");
            await Task.Delay(1500);
            var tail = p.Stderr.ToString();
            Expect.isLessThan(tail.Length, 70 * 1024, "bounded");
            Expect.stringContains(tail, "earlier characters dropped", "says it dropped");
            Expect.isTrue(tail.EndsWith("END"), "keeps the end");
        }),
        TestCase("dispose kills the shim and its children", async () =>
        {
            var p = Sh("sleep 300 & echo $! >&2; wait");
            var parent = p.ProcessId;
            int child = 0;
            for (var i = 0; i < 50 && !int.TryParse(p.Stderr.ToString().Trim(), out child); i++) await Task.Delay(100);
            Expect.isGreaterThan(child, 0, "child pid reported");
            await p.DisposeAsync();
            await Task.Delay(300);
            Expect.isFalse(Alive(parent), "shim gone");
            Expect.isFalse(Alive(child), "its child gone");
        }),
        TestCase("a session restarts a hung shim once, then gives up; a crash is not restarted", async () =>
        {
            await using var s = await ShimSession.StartAsync(new StdioCommand("python3", ["-c", PythonShim]), "tests", TimeSpan.FromMilliseconds(800));
            Expect.equal(s.Name, "tiny", "name from hello");
            Expect.isTrue(s.Ops.SetEquals(["ping", "hang"]), "ops from hello");
            Expect.equal((await s.CallAsync("hang", [])).Kind, ReplyKind.TimedOut, "first hang");
            Expect.equal(s.Restarts, 1, "restarted");
            Expect.equal((await s.CallAsync("ping", new JsonObject { ["n"] = 5 })).Kind, ReplyKind.Answer, "works after the restart");
            Expect.equal((await s.CallAsync("hang", [])).Kind, ReplyKind.TimedOut, "second hang");
            Expect.isNotNull(s.Dead, "given up");
            var after = await s.CallAsync("ping", []);
            Expect.equal(after.Kind, ReplyKind.Exited, "later calls fail at once");
            Expect.stringContains(s.StderrTail(), "[restarted]", "stderr of both processes");
        }),
        TestCase("a shim that does not speak the protocol is unavailable (not a hang)", async () =>
        {
            var clock = Stopwatch.StartNew();
            await ThrowsAsync(() => ShimSession.StartAsync(new StdioCommand("sh", ["-c", "read l; echo '{\"id\":0,\"protocol\":2,\"ops\":[]}'"]), "tests", Short), "protocol 2");
            await ThrowsAsync(() => ShimSession.StartAsync(new StdioCommand("sh", ["-c", "exit 0"]), "tests", Short), "exits at once");
            await ThrowsAsync(() => ShimSession.StartAsync(new StdioCommand("/nonexistent/shim", []), "tests", Short), "no such program");
            Expect.isLessThan(clock.Elapsed, TimeSpan.FromSeconds(10), "bounded");
        }),
    ]);

    private static void Throws<T>(Action act, string what) where T : Exception
    {
        try { act(); }
        catch (T) { return; }
        throw new Exception(what + ": expected " + typeof(T).Name);
    }

    private static async Task ThrowsAsync(Func<Task<ShimSession>> start, string what)
    {
        ShimSession? s = null;
        try { s = await start(); }
        catch (ShimUnavailableException) { return; }
        finally { if (s is not null) await s.DisposeAsync(); }
        throw new Exception(what + ": expected the shim to be unavailable");
    }

    private static StdioProcess Sh(string script) => StdioProcess.Start(new StdioCommand("sh", ["-c", script]));

    private static StdioProcess Py(string script) => StdioProcess.Start(new StdioCommand("python3", ["-c", script]));

    /// <summary>Running or sleeping (a zombie left to a non-reaping init counts as gone).</summary>
    private static bool Alive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException) { return false; }
    }
}
