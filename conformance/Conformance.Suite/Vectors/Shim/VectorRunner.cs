// Runs vector tests through a shim session: each vector FILE is one case, each test one check (its requirement
// "VEC-spec/topic"), so the report shows per-vector evidence. Per-test verdicts: pass, fail, unimplemented (the
// shim said so, or does not list the op), error (garbage, crash, the shim's own error), timeout.
using System.Diagnostics;
using System.Text.Json;
using Conformance.Adapters.Stdio;
using Conformance.Adapters.Trace;
using Conformance.Reports.Model;

namespace Conformance.Suite.Vectors.Shim;

public enum VectorVerdict { Pass, Fail, Unimplemented, Error, Timeout }

public sealed record VectorTestResult(VectorTest Test, VectorVerdict Verdict, string Expected, string Actual);

public static class VectorRunner
{
    public const string Role = "vectors";

    public static string RequirementId(string file) => "VEC-" + file;

    /// <summary>Runs <paramref name="tests"/> (all from <paramref name="file"/>) and folds them into one case.</summary>
    public static async Task<CaseResult> RunFileAsync(ShimSession shim, VectorTopicFile file, IReadOnlyList<VectorTest> tests, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var results = new List<VectorTestResult>();
        foreach (var t in tests) results.Add(await RunTestAsync(shim, t, cancel));
        var trace = new List<TraceEntry>();
        if (results.Any(r => r.Verdict is VectorVerdict.Error or VectorVerdict.Timeout) && shim.StderrTail() is { Length: > 0 } err)
            trace.Add(new TraceEntry(clock.Elapsed.TotalMilliseconds, Direction.Local, FrameKind.Note, 0, [], "shim stderr (tail):\n" + Tail(err, 4000)));
        var requirement = RequirementId(file.File);
        // Unimplemented tests verify nothing: they get no check, and the summary names them.
        var checks = results.Where(r => r.Verdict != VectorVerdict.Unimplemented)
            .Select(r => new CheckResult(requirement, Level.Must, r.Verdict == VectorVerdict.Pass, r.Expected, r.Actual, r.Verdict == VectorVerdict.Timeout)).ToArray();
        var outcome = results.Any(r => r.Verdict == VectorVerdict.Fail) ? Outcome.Fail
            : results.Any(r => r.Verdict == VectorVerdict.Timeout) ? Outcome.Timeout
            : results.Any(r => r.Verdict == VectorVerdict.Error) ? Outcome.Error
            : results.All(r => r.Verdict == VectorVerdict.Unimplemented) ? Outcome.Unimplemented
            : Outcome.Pass;
        return new CaseResult(file.File, file.Spec, Role, $"vectors/{file.File}.json", $"Golden vectors {file.File}",
            file.Header, Level.Must, [requirement], outcome, Summary(results), checks, trace, clock.Elapsed.TotalMilliseconds);
    }

    private static async Task<VectorTestResult> RunTestAsync(ShimSession shim, VectorTest t, CancellationToken cancel)
    {
        var calls = VectorOps.Plan(t);
        var listed = calls.Where(c => shim.Ops.Contains(c.Op)).ToArray();
        var head = $"#{t.TcId} {t.Comment}";
        if (listed.Length == 0)
            return new(t, VectorVerdict.Unimplemented, $"{head}: {string.Join(" + ", calls.Select(c => c.Op))}", "unimplemented: the shim does not list " + string.Join(", ", calls.Select(c => c.Op)));
        var verdicts = new List<(VectorVerdict Verdict, string Actual)>();
        foreach (var call in listed)
        {
            var reply = await shim.CallAsync(call.Op, call.Fields, cancel);
            verdicts.Add(Judge(call, reply, t));
        }
        var worst = verdicts.Select(v => v.Verdict).ToArray();
        var verdict = worst.Contains(VectorVerdict.Fail) ? VectorVerdict.Fail
            : worst.Contains(VectorVerdict.Timeout) ? VectorVerdict.Timeout
            : worst.Contains(VectorVerdict.Error) ? VectorVerdict.Error
            : worst.All(v => v == VectorVerdict.Unimplemented) ? VectorVerdict.Unimplemented
            : VectorVerdict.Pass;
        return new(t, verdict, $"{head}: {string.Join(" + ", listed.Select(c => VectorOps.Describe(c, t)))}",
            $"{head}: {string.Join(" + ", listed.Zip(verdicts, (c, v) => $"{c.Op}: {v.Actual}"))}");
    }

    private static (VectorVerdict, string) Judge(OpCall call, ShimReply reply, VectorTest t)
    {
        switch (reply.Kind)
        {
            case ReplyKind.TimedOut: return (VectorVerdict.Timeout, "timeout: " + reply.Detail);
            case ReplyKind.Exited: return (VectorVerdict.Error, "error: " + reply.Detail);
            case ReplyKind.Garbage: return (VectorVerdict.Error, "error: " + reply.Detail);
        }
        var a = reply.Body;
        if (a.TryGetProperty("unimplemented", out var u) && u.ValueKind == JsonValueKind.True) return (VectorVerdict.Unimplemented, "unimplemented (the shim said so)");
        if (a.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) return (VectorVerdict.Error, "error (the shim's own): " + VectorOps.Clip(e.GetString()!));
        var result = a.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (result is not ("valid" or "invalid")) return (VectorVerdict.Error, "error: an answer without result valid/invalid: " + VectorOps.Clip(a.GetRawText()));
        var wrong = VectorOps.Judge(call, result, a, t.Test);
        var shown = VectorOps.Clip(a.GetRawText());
        return wrong is null ? (VectorVerdict.Pass, $"{result} ({shown})") : (VectorVerdict.Fail, $"fail: {wrong} ({shown})");
    }

    private static string Summary(IReadOnlyList<VectorTestResult> results)
    {
        var parts = Enum.GetValues<VectorVerdict>().Select(v => (v, Ids: results.Where(r => r.Verdict == v).Select(r => r.Test.TcId).ToArray()))
            .Where(x => x.Ids.Length > 0)
            .Select(x => $"{x.Ids.Length} {x.v.ToString().ToLowerInvariant()}" + (x.v == VectorVerdict.Pass ? "" : $" (#{string.Join(", #", x.Ids.Take(20))}{(x.Ids.Length > 20 ? ", …" : "")})"));
        return $"{results.Count} vector test(s): {string.Join(", ", parts)}";
    }

    private static string Tail(string s, int max) => s.Length <= max ? s : "…" + s[^max..];
}
