// Verdicts that hold on implementations the suite has never seen (issue 12, LHS server role): the other side of a
// model-level reading is reported, never failed; one defect does not hide another; an IUT that stays open after its
// error frame fails LHS-4-close (not a timeout), and a run against it stays within twice the reference's.
using System.Diagnostics;
using System.Text.Json;
using Conformance.Model.Lhs;
using Conformance.Reference.Faults;
using Conformance.Tests.Support;
using Expecto;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Suite;

public static class RealImplementationTests
{
    private static JsonElement[] Cases(CliRun r) => [.. r.Report().GetProperty("cases").EnumerateArray()];

    private static JsonElement Case(CliRun r, string id) => Cases(r).Single(c => c.GetProperty("id").GetString() == id);

    private static IEnumerable<JsonElement> Checks(JsonElement c) => c.GetProperty("checks").EnumerateArray();

    public static Test Tests() => TestList("suite.real-implementations",
    [
        TestList("readings", [.. LhsFaults.AllReadings.Select(f => TestCase($"{f.Name}: reported on {f.ExpectedRequirement}, never failed", async () =>
        {
            // With the property traces: they must not fail it at must level either.
            string[] role = f.Side switch { FaultSide.Client => ["--role", "client"], FaultSide.Server => ["--role", "server"], _ => [] };
            var r = await TestCli.RunAsync(["run", "--spec", f.Spec, .. role, "--fault", f.Name, "--timeout-ms", "1000"]);
            Expect.equal(r.Exit, 0, $"the other reading of a model-level rule is not a failure: still Ratified\n{r}");
            var flagged = Cases(r).Where(c => Checks(c).Any(k => k.GetProperty("requirement").GetString() == f.ExpectedRequirement && !k.GetProperty("passed").GetBoolean())).ToArray();
            Expect.isNonEmpty(flagged, $"{f.ExpectedRequirement} is reported\n{r}");
            Expect.isTrue(flagged.All(c => c.GetProperty("outcome").GetString() == "informational"), "as informational");
            Expect.isTrue(flagged.SelectMany(Checks).Where(k => !k.GetProperty("passed").GetBoolean()).All(k => k.GetProperty("level").GetString() == "model"),
                "and nothing stricter failed alongside it");
        }))]),
        TestCase("the suite as server rejects a client with the model's error frame, then closes", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "client", "--fault", "client-hello-incomplete", "--filter", "LHS-C-happy-json", "--traces", "0", "--timeout-ms", "1000");
            Expect.equal(r.Exit, 1, r.ToString());
            var trace = Case(r, "LHS-C-happy-json").GetProperty("trace").EnumerateArray().ToArray();
            var error = Array.FindIndex(trace, e => e.GetProperty("direction").GetString() == "sent" && e.GetProperty("kind").GetString() == "text"
                && e.GetProperty("text").GetString()!.Contains("\"step\":\"error\""));
            Expect.isGreaterThan(error, -1, $"an error frame went out\n{r}");
            Expect.stringContains(trace[error].GetProperty("text").GetString()!, "\"code\":\"lhs.invalid_frame\"", "with the model's code");
            Expect.stringContains(trace[error].GetProperty("text").GetString()!, "max_frame_bytes", "and the detail names the field");
            // Then the connection ends: the suite's close frame, unless the client (which has the error frame) closed or
            // dropped its side first, and a close can no longer be sent.
            var close = Array.FindIndex(trace, error + 1, e => e.GetProperty("kind").GetString() == "close"
                || e.GetProperty("direction").GetString() == "local");
            Expect.isGreaterThan(close, error, $"then the close, after the error frame\n{string.Join("\n", trace.Select(e => e.ToString()))}");
            var sentClose = Array.FindIndex(trace, e => e.GetProperty("direction").GetString() == "sent" && e.GetProperty("kind").GetString() == "close");
            Expect.isTrue(sentClose == -1 || sentClose > error, "no close frame before the error frame");
        }),
        TestCase("the must-level rules next to those readings still fail when broken", async () =>
        {
            // A hello whose required field is missing is still a must failure (LHS-3.1-required), an LTP sig without
            // ltp still breaks LHS-3.2-features-enforced, a server's own frames with a sig break LHS-6-frames-sent.
            foreach (var (fault, requirement) in new[] { ("missing-fields-accepted", "LHS-3.1-required"), ("features-not-enforced", "LHS-3.2-features-enforced"), ("own-sig-without-ltp", "LHS-6-frames-sent") })
            {
                var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--fault", fault, "--traces", "0", "--timeout-ms", "1000");
                Expect.equal(r.Exit, 1, $"{fault}\n{r}");
                Expect.contains(r.FailedRequirements(), requirement, fault);
            }
        }),
        TestCase("the model: a malformed optional session, a duplicated member and an lss member are readings, not the must rules", () =>
        {
            static LhsError? HelloError(string text) => Hello.Validate(ControlFrame.Parse(text).Value!).Error;
            Expect.equal(HelloError("""{"step":"hello","lri_version":"0.1","encodings":["json"],"features":[],"max_frame_bytes":1024,"session":"x"}""")?.Rule,
                LhsRules.SessionShape, "session as a string");
            Expect.equal(ControlFrame.Parse("""{"step":"hello","step":"hello"}""").Error?.Rule, LhsRules.DuplicateMembers, "duplicated member");
            Expect.equal(ControlFrame.Parse("""{"step":"hello",""").Error?.Rule, LhsRules.Json, "not JSON at all stays LHS-3-json");
            var contract = new FlowContract("json", [], 65536);
            using var lss = JsonDocument.Parse("""{"v":1,"intent":{"type":"t"},"policy":{"consent":"c"},"lss":{}}""");
            using var sig = JsonDocument.Parse("""{"v":1,"intent":{"type":"t"},"policy":{"consent":"c"},"sig":"x","lss":{}}""");
            Expect.equal(FlowFrame.Check(contract, FlowFrame.Encode(contract, lss.RootElement, [])).Error?.Rule, LhsRules.FeatureMembers, "lss member");
            Expect.equal(FlowFrame.Check(contract, FlowFrame.Encode(contract, sig.RootElement, [])).Error?.Rule, LhsRules.FeaturesEnforced, "sig is judged first");
        }),
        TestCase("a field error names every missing field, not the first", () =>
        {
            var e = Hello.Validate(ControlFrame.Parse("""{"step":"hello","lri_version":"0.1"}""").Value!).Error!;
            foreach (var field in new[] { "encodings", "features", "max_frame_bytes" }) Expect.stringContains(e.Detail, $"\"{field}\"", "names " + field);
            var m = Mirror.Validate(ControlFrame.Parse("""{"step":"mirror","lri_version":"0.1","encoding":"json"}""").Value!).Error!;
            Expect.stringContains(m.Detail, "\"features\", \"max_frame_bytes\", \"nonce\" are missing", m.Detail);
        }),
        TestCase("masking: an IUT with two independent defects gets both reported in one run", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--fault", "two-defects", "--traces", "0", "--timeout-ms", "1000");
            Expect.equal(r.Exit, 1, r.ToString());
            var failed = r.FailedRequirements();
            Expect.contains(failed, "LHS-3.2-mirror-fields", "the mirror's missing field");
            Expect.contains(failed, "LHS-1-frame-limit", "and, past it, the frame limit it ignores");
            var overLimit = Case(r, "LHS-S-flow-over-limit");
            Expect.isTrue(Checks(overLimit).Any(k => k.GetProperty("requirement").GetString() == "LHS-1-frame-limit" && !k.GetProperty("passed").GetBoolean()),
                "the frame-limit case judged its own rule after the mirror's defect");
        }),
        TestCase("a server that sends its error frame and stays open fails LHS-4-close, with that evidence, within one step timeout", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "lhs", "--role", "server", "--fault", "error-without-close", "--filter", "LHS-S-hello-missing-encodings",
                "--timeout-ms", "600");
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "LHS-S-hello-missing-encodings");
            Expect.equal(c.GetProperty("outcome").GetString(), "fail", "fail, not timeout: the IUT did answer (its error frame)");
            var close = Checks(c).Single(k => k.GetProperty("requirement").GetString() == "LHS-4-close");
            Expect.isFalse(close.GetProperty("passed").GetBoolean(), "LHS-4-close failed");
            Expect.isFalse(close.GetProperty("timedOut").GetBoolean(), "not marked as a timeout");
            Expect.equal(close.GetProperty("actual").GetString(), "still open 600 ms after its error frame", "the evidence says what happened");
            Expect.isTrue(Checks(c).Any(k => k.GetProperty("requirement").GetString() == "LHS-4-error-frame" && k.GetProperty("passed").GetBoolean()), "the error frame was seen");
            Expect.equal(r.Report().GetProperty("counts").GetProperty("timeout").GetInt32(), 0, "no timeout in the run");
        }),
        TestCase("a broken-IUT run is bounded: the LHS server run against error-without-close takes at most twice the reference run", async () =>
        {
            // Wall time of whole CLI runs, the reference and the broken variant back to back, best of three pairs: the
            // ratio is the point (a noisy shared machine slows both), not any absolute figure. The broken run costs one
            // step timeout of (overlapping) close waits on top of the reference's work, so both runs use a step shorter
            // than that work: in process the reference run's work is under a second, less than the default 2 s step.
            var ratios = new List<string>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var reference = await Timed("run", "--spec", "lhs", "--role", "server", "--timeout-ms", "500");
                var broken = await Timed("run", "--spec", "lhs", "--role", "server", "--fault", "error-without-close", "--timeout-ms", "500");
                Expect.equal(reference.Run.Exit, 0, reference.Run.ToString());
                Expect.equal(broken.Run.Exit, 1, broken.Run.ToString());
                Expect.equal(broken.Run.Report().GetProperty("counts").GetProperty("timeout").GetInt32(), 0, "fails, never times out");
                ratios.Add($"{broken.Seconds:0.00} s / {reference.Seconds:0.00} s");
                if (broken.Seconds <= 2 * reference.Seconds) return;
            }
            throw new AssertException("the broken run took more than twice the reference run in three attempts: " + string.Join("; ", ratios));
        }),
        TestList("cip", CipTests()),
    ]);

    // CIP agent role: the same promises where the agent refuses by silence (CIP has no error message).
    private static Test[] CipTests() =>
    [
        TestCase("a reply that breaks CIP-2-sent is seen by a silence check, and both defects are reported", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--fault", "cip-two-defects", "--filter", "CIP-A-fingerprint-mismatch", "--traces", "0", "--timeout-ms", "1000");
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "CIP-A-fingerprint-mismatch");
            var silence = Checks(c).First(k => k.GetProperty("requirement").GetString() == "CIP-4.2-fingerprint");
            Expect.isFalse(silence.GetProperty("passed").GetBoolean(), $"the agent answered a mismatched fingerprint: the silence check fails\n{r}");
            Expect.stringContains(silence.GetProperty("actual").GetString()!, "breaks CIP-2-sent", "and its evidence is the broken reply it saw");
            Expect.contains(r.FailedRequirements(), "CIP-2-sent", "the broken signature is reported as well");
        }),
        TestCase("a rule the agent could not be asked about after an earlier failure is blocked, not failed", async () =>
        {
            // No STATE_UPDATE ever: no handshake completes, so the replay case never gets to send its replay.
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--fault", "cip-no-state-signal", "--filter", "CIP-A-replay-msg-id", "--traces", "0", "--timeout-ms", "500");
            Expect.equal(r.Exit, 1, r.ToString());
            var c = Case(r, "CIP-A-replay-msg-id");
            Expect.isFalse(Checks(c).Any(k => k.GetProperty("requirement").GetString() == "CIP-7-replay" && !k.GetProperty("passed").GetBoolean()), "CIP-7-replay is not failed");
            var blocked = c.GetProperty("blocked").EnumerateArray().Single(b => b.GetProperty("requirement").GetString() == "CIP-7-replay");
            Expect.equal(blocked.GetProperty("blockedBy").GetString(), "CIP-4-state-signal", "blocked by the failure that stopped it");
        }),
        TestCase("evidence names the field that is wrong and never repeats an id as its own contradiction", async () =>
        {
            var r = await TestCli.RunAsync("run", "--spec", "cip", "--fault", "cip-two-defects", "--traces", "0", "--timeout-ms", "1000");
            foreach (var k in Cases(r).SelectMany(Checks).Where(k => !k.GetProperty("passed").GetBoolean()))
            {
                var actual = k.GetProperty("actual").GetString()!;
                var m = System.Text.RegularExpressions.Regex.Match(actual, @"is (\S+), not this peer's (\S+)");
                if (m.Success) Expect.notEqual(m.Groups[1].Value, m.Groups[2].Value, actual);
                if (actual.Contains("breaks CIP-2-sent")) Expect.isFalse(actual.StartsWith("no answer") || actual.StartsWith("nothing"), "a reply came: " + actual);
            }
        }),
        TestCase("the model reads a challenge response signed over the challenge in any form as an answer; only the prefixed one is its own", () =>
        {
            var key = new Conformance.Model.Ltp.Ed25519Signer(new byte[32]);
            var challenge = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
            Conformance.Model.Cip.ChallengeAnswer Read(byte[]? sig) => Conformance.Model.Cip.CipSigning.ReadChallengeResponse(key.PublicKey, challenge, sig);
            Expect.equal(Read(key.Sign(Conformance.Model.Cip.CipSigning.ChallengeResponseInput(challenge))), Conformance.Model.Cip.ChallengeAnswer.Prefixed, "prefixed");
            Expect.equal(Read(key.Sign(challenge)), Conformance.Model.Cip.ChallengeAnswer.Unprefixed, "raw challenge");
            Expect.equal(Read(key.Sign(System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(challenge)))), Conformance.Model.Cip.ChallengeAnswer.Unprefixed, "its base64 text");
            Expect.equal(Read(key.Sign("not the challenge"u8.ToArray())), Conformance.Model.Cip.ChallengeAnswer.Wrong, "other bytes");
            Expect.equal(Read(null), Conformance.Model.Cip.ChallengeAnswer.Missing, "none");
        }),
        TestCase("the model reads every RFC 3339 spelling of UTC as UTC and still refuses other offsets", () =>
        {
            foreach (var ts in new[] { "2026-01-01T00:00:00Z", "2026-01-01t00:00:00z", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00-00:00",
                "2026-01-01T00:00:00.1234567890123Z", "2016-12-31T23:59:60Z" })
                Expect.isTrue(Conformance.Model.Cip.CipEnvelopes.ParseUtc(ts) is not null, ts + " is UTC");
            Expect.equal(Conformance.Model.Cip.CipEnvelopes.ParseUtc("2026-01-01T00:00:00.1234567890123+00:00"),
                new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), "the instant, to the tick");
            foreach (var ts in new[] { "2026-01-01T02:00:00+02:00", "2026-01-01T00:00:00", "2026-01-01T12:30:60Z", "2026-01-01T00:00:00+0000", "2026-01-01T00:00:00.Z" })
                Expect.isTrue(Conformance.Model.Cip.CipEnvelopes.ParseUtc(ts) is null, ts + " is not");
        }),
        TestCase("a CIP run against an agent whose every reply is wrong takes at most twice the reference run", async () =>
        {
            var ratios = new List<string>();
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var reference = await Timed("run", "--spec", "cip", "--traces", "0");
                var broken = await Timed("run", "--spec", "cip", "--traces", "0", "--fault", "cip-jcs-number-format");
                Expect.equal(reference.Run.Exit, 0, reference.Run.ToString());
                Expect.equal(broken.Run.Exit, 1, broken.Run.ToString());
                ratios.Add($"{broken.Seconds:0.00} s / {reference.Seconds:0.00} s");
                if (broken.Seconds <= 2 * reference.Seconds) return;
            }
            throw new AssertException("the broken run took more than twice the reference run in three attempts: " + string.Join("; ", ratios));
        }),
    ];

    private static async Task<(CliRun Run, double Seconds)> Timed(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var r = await TestCli.RunAsync(args);
        return (r, clock.Elapsed.TotalSeconds);
    }
}
