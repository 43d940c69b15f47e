// The verifier for "the IUT must now reject" over the HTTP Upgrade profile (§5): no 101, and a 4xx whose body is the
// §4 error frame with the model's code (SPEC-NOTES.md "HTTP Upgrade profile"). The WebSocket twin is Rejection.
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs.Play;

public static class HttpRejection
{
    public const string Reject4xx = "LHS-5-reject-4xx";
    public const string AfterSeal = "LHS-5-upgrade-after-seal";

    /// <summary>What a rejection over http checks besides the rule and §4's error frame and code.</summary>
    public static readonly string[] Requirements = [Reject4xx, AfterSeal];

    /// <summary>The request headers for these two frames (either may be left out).</summary>
    public static List<KeyValuePair<string, string>> Headers(string? hello, string? bind)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (hello is not null) headers.Add(new(LhsHttp.HelloHeader, LhsHttp.Encode(hello)));
        if (bind is not null) headers.Add(new(LhsHttp.BindHeader, LhsHttp.Encode(bind)));
        return headers;
    }

    /// <summary>Sends one upgrade request with <paramref name="headers"/>, which the model rejects with <paramref name="expected"/>.</summary>
    public static async Task<Verdict> Expect(CaseContext ctx, Checks checks, IEnumerable<KeyValuePair<string, string>> headers, string requirement, LhsError expected)
    {
        var want = $"rejection: a 4xx whose body is error frame {expected.Code.Wire()}";
        var r = await ctx.UpgradeAsync(headers);
        if (r.Response is not { } response)
        {
            checks.Expect(requirement, false, want, r.Failure ?? "no response", timedOut: r.TimedOut);
            return checks.Verdict();
        }
        if (response.Status == LhsHttp.SwitchingProtocols)
        {
            checks.Expect(requirement, false, want, "101 Switching Protocols: the IUT accepted the request");
            checks.Expect(AfterSeal, false, "no 101 for a request whose frames fail validation", "101 Switching Protocols");
            checks.Expect(Rejection.NoFlow, false, "no upgrade to flow after a rejection", "101 Switching Protocols");
            r.Connection?.Abort();
            return checks.Verdict();
        }
        var actual = $"HTTP {response.Status} {response.Reason}";
        checks.Expect(requirement, true, want, actual);
        checks.Expect(AfterSeal, true, "no 101 for a request whose frames fail validation", actual);
        checks.Expect(Rejection.NoFlow, true, "no upgrade to flow after a rejection", actual);
        var body = Seen.From(new WireEvent.Text(response.Body));
        checks.Expect(Reject4xx, response.Status is >= 400 and < 500 && body is Seen.Error { Structured: true },
            "a 4xx status whose body is the error frame", $"{actual}, body: {body.Describe()}");
        if (r.Failure is not null) checks.Expect(Rejection.ErrorFrame, false, "a complete response body", r.Failure);
        else Rejection.CheckErrorFrame(checks, body, expected);
        return checks.Verdict();
    }
}
