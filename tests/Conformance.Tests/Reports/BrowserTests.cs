// index.html in a real browser (Debian's Chromium through Playwright): a report with failures is opened from disk,
// filtered by outcome, searched by requirement ID, one case is expanded and its wire trace read frame by frame, and a
// full-page screenshot is taken. Without /usr/bin/chromium the tests are skipped, loudly; under CI=true a missing
// browser is a failure, since .ci/run installs it.
using System.Text.Json;
using Conformance.Tests.Support;
using Expecto;
using Microsoft.Playwright;
using static Expecto.CSharp.Runner;

namespace Conformance.Tests.Reports;

public static class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    public static Test Tests() => TestList("reports.browser",
    [
        TestCase("a report with failures: roll-up, filter, search, expanded trace, screenshot", async () =>
        {
            await using var page = await BrowserPage.OpenAsync();
            var run = await TestCli.RunAsync("run", "--spec", "lhs", "--fault", "wrong-encoding-sent");
            Expect.equal(run.Exit, 1, run.ToString());
            var p = page.Page;
            await p.GotoAsync(new Uri(Path.GetFullPath(Path.Combine(run.OutDir, "index.html"))).AbsoluteUri);

            // Roll-up: the spec's own verdict and badge, and its coverage.
            Expect.equal(await p.Locator("#rollup tr.spec[data-spec=lhs] .badge").InnerTextAsync(), "Not ratified", "the LHS badge");
            Expect.stringContains(await p.Locator("#coverage").InnerTextAsync(), "requirements have a case that ran", "coverage line");
            Expect.stringContains(await p.Locator("#notes").InnerTextAsync(), "not healthy at the start", "the sanity note is shown");
            Expect.isTrue(await p.Locator("#filters").IsVisibleAsync(), "the script ran (CSP allows it) and showed the filters");

            // Filter by outcome.
            var total = await p.Locator(".case").CountAsync();
            await p.SelectOptionAsync("#filter-outcome", "fail");
            var failing = await p.Locator(".case:visible").CountAsync();
            Expect.equal(failing, 9, "the eight failing hand-written cases and the property-trace case");
            Expect.equal(await p.Locator("#shown").InnerTextAsync(), $"9 of {total} cases shown", "the count line");
            // The trace case shows its minimal trace and the command that replays it.
            var traces = p.Locator("#case-LHS-S-traces");
            Expect.equal(await traces.Locator(".trace-minimal").TextContentAsync(), "hello;bind;flow", "the shrunk trace");
            Expect.stringStarts((await traces.Locator(".trace-replay").TextContentAsync())!, "./run-conformance.sh replay --spec lhs --role server --seed 1 --trace ", "the replay command");
            foreach (var outcome in await p.Locator(".case:visible").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.outcome)"))
                Expect.equal(outcome, "fail", "only failures are visible");

            // Search by requirement ID (with the outcome filter cleared).
            await p.SelectOptionAsync("#filter-outcome", "");
            await p.FillAsync("#search", "LHS-3.2-nonce-unique");
            var found = await p.Locator(".case:visible").EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.requirements)");
            Expect.isNonEmpty(found, "cases citing the requirement");
            Expect.isTrue(found.All(r => r.Split(' ').Contains("LHS-3.2-nonce-unique")), "every visible case cites it");
            Expect.isLessThan(found.Length, total, "and the others are hidden");

            // One failing case, expanded; its trace read frame by frame.
            await p.SelectOptionAsync("#filter-outcome", "fail");
            await p.FillAsync("#search", "LHS-S-happy-cbor");
            var c = p.Locator("#case-LHS-S-happy-cbor");
            Expect.equal(await p.Locator(".case:visible").CountAsync(), 1, "one case left");
            await c.Locator("summary").ClickAsync();
            Expect.isTrue(await c.EvaluateAsync<bool>("d => d.open"), "expanded");
            Expect.stringContains(await c.Locator(".check.failed").First.InnerTextAsync(), "LHS-6-frames-sent", "the failed check, with its requirement");
            var frames = c.Locator("table.trace tr.frame");
            Expect.equal(await frames.CountAsync(), 7, "seven trace rows");
            Expect.isTrue(await frames.Nth(0).IsVisibleAsync(), "the trace is visible");
            var hello = await c.Locator("tr.frame.dir-sent.kind-text pre.json").First.InnerTextAsync();
            Expect.stringContains(hello, "\n  \"", "a JSON control frame is pretty-printed");
            Expect.equal(JsonDocument.Parse(hello).RootElement.GetProperty("step").GetString(), "hello", "the first frame sent is the hello");
            var received = c.Locator("tr.frame.dir-received.kind-binary");
            Expect.stringContains(await received.Locator("pre.hex").InnerTextAsync(), "0000 ", "a binary frame as a hex dump");
            var decoded = await received.Locator(".decoded pre.json").InnerTextAsync();
            Expect.equal(JsonDocument.Parse(decoded).RootElement.ValueKind, JsonValueKind.Object, "its CBOR LCE decoded to JSON");

            var shot = Path.Combine(run.OutDir, "failing-report.png");
            await p.ScreenshotAsync(new() { Path = shot, FullPage = true });
            Expect.isGreaterThan(new FileInfo(shot).Length, 20_000L, "a real screenshot");
            if (Environment.GetEnvironmentVariable("CONFORMANCE_SCREENSHOT") is { Length: > 0 } keep) File.Copy(shot, keep, overwrite: true);
        }),
        TestCase("links to a requirement open the collapsed table at its row", async () =>
        {
            await using var page = await BrowserPage.OpenAsync();
            var run = await SharedRuns.WithFailure;
            var p = page.Page;
            await p.GotoAsync(new Uri(Path.GetFullPath(Path.Combine(run.OutDir, "index.html"))).AbsoluteUri + "#req-LHS-3.2-nonce-unique");
            var row = p.Locator("[id=\"req-LHS-3.2-nonce-unique\"]");
            Expect.isTrue(await row.IsVisibleAsync(), "the requirement row is revealed");
            Expect.equal(await row.GetAttributeAsync("data-status"), "failed", "and shows the failure");
        }),
    ]);

    /// <summary>A headless Chromium page, or a skip (a failure under CI) when there is no browser.</summary>
    private sealed class BrowserPage : IAsyncDisposable
    {
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;
        public IPage Page { get; private set; } = null!;

        public static async Task<BrowserPage> OpenAsync()
        {
            if (!File.Exists(Chromium))
            {
                var ci = Environment.GetEnvironmentVariable("CI") is { Length: > 0 } v && v != "false" && v != "0";
                var why = $"browser tests need {Chromium} (apt-get install -y chromium)";
                if (ci) throw new InvalidOperationException(why + ": under CI it must be installed (.ci/run does)");
                Console.Error.WriteLine($"*** SKIPPED: {why} ***");
                throw new IgnoreException($"SKIPPED: {why}");
            }
            var b = new BrowserPage { _playwright = await Playwright.CreateAsync() };
            b._browser = await b._playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            b.Page = await b._browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
            b.Page.SetDefaultTimeout(15_000);
            return b;
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
