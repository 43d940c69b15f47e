// Small builders so each case file reads like the spec section it checks.
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;

namespace Conformance.Suite.Lhs;

internal static class LhsCase
{
    /// <summary>A case against a server IUT (the suite plays the client).</summary>
    public static CaseDef Server(string id, string section, string title, string description, string[] requirements, Func<CaseContext, Checks, Task<Verdict>> run) =>
        new(id, LhsCatalog.Spec, IutRole.Server, section, title, description, requirements, ctx => run(ctx, new Checks()));

    /// <summary>A case against a client IUT (the suite plays the server).</summary>
    public static CaseDef Client(string id, string section, string title, string description, string[] requirements, Func<CaseContext, Checks, Task<Verdict>> run) =>
        new(id, LhsCatalog.Spec, IutRole.Client, section, title, description, requirements, ctx => run(ctx, new Checks()));

    /// <summary>The requirements of a rejection case: its own rule plus the §4 error handling.</summary>
    public static string[] Rejects(params string[] rules) => [.. rules, .. Rejection.Requirements, .. HttpRejection.Requirements];

    /// <summary>The adapter names cases use for applicability.</summary>
    public const string Http = "http", WebSocket = "websocket";

    /// <summary>Marks a case whose point is WebSocket message order: over http the request has one slot per frame.</summary>
    public static CaseDef NotOverHttp(this CaseDef c, string why) =>
        c with { NotOver = new Dictionary<string, string>(c.NotOver) { [Http] = why } };

    /// <summary>What a full handshake by the suite client can find wrong with a server IUT.</summary>
    public static readonly string[] Handshake =
    [
        "LHS-6-flow-accepted", "LHS-3.2-mirror-fields", "LHS-3.1-version", "LHS-3.2-negotiation", "LHS-3.2-features-subset",
        "LHS-1-order", "LHS-3.4-seal-covers", "LHS-3.4-seal-fields", "LHS-6-frames-sent", "LHS-3.2-feature-members",
    ];

    /// <summary>A rejection case that first completes a handshake.</summary>
    public static string[] RejectsAfterHandshake(params string[] rules) => [.. Rejects(rules).Union(Handshake)];

    /// <summary>
    /// Server role: send <paramref name="frames"/> (text) on a fresh connection, the last of which the model rejects;
    /// then expect the IUT to reject it. The probe after the error is a valid hello, or a valid bind once the
    /// IUT's mirror has been read.
    /// </summary>
    public static async Task<Verdict> ServerRejectsText(CaseContext ctx, Checks checks, params Func<SuiteClient, string>[] frames)
    {
        var c = await SuiteClient.ConnectAsync(ctx, checks);
        if (c.OverHttp)
        {
            // §5: the first frame rides in LHS-Hello, the second (or the default bind) in LHS-Bind; one request.
            if (frames.Length > 2) throw new InvalidOperationException("over http a request carries two frames: this case is not applicable");
            var hello = frames[0](c);
            var bind = frames.Length > 1 ? frames[1](c) : c.Config.BindText();
            var rejection = Oracle.ServerRejectsOverHttp(LhsHttp.Encode(hello), LhsHttp.Encode(bind));
            return await HttpRejection.Expect(ctx, checks, HttpRejection.Headers(hello, bind), rejection.Rule, rejection);
        }
        var inputs = new List<LhsInput>();
        var helloDone = false;
        for (var i = 0; i < frames.Length; i++)
        {
            var text = frames[i](c);
            inputs.Add(Oracle.Text(text));
            if (i < frames.Length - 1 && ControlFrame.Parse(text) is { IsOk: true } f && f.Value!.Step == LhsStepName.Hello)
            {
                // A valid hello first: the IUT must answer it with a good mirror before the next frame goes out.
                await c.HelloAsync(text);
                if (!await c.ExpectMirrorAsync()) return checks.Verdict();
                helloDone = true;
            }
            else await c.SendAsync(text);
        }
        var expected = Oracle.ServerRejects([.. inputs]);
        return await Rejection.Expect(ctx, checks, c.Conn, expected.Rule, expected,
            probe: helloDone ? () => c.SendAsync(c.Config.BindText()) : () => c.SendAsync(c.Config.HelloText()));
    }

    /// <summary>Server role: a full handshake, then <paramref name="bad"/> in flow, which the model rejects.</summary>
    public static async Task<Verdict> ServerRejectsInFlow(CaseContext ctx, Checks checks, Func<SuiteClient, byte[]> bad,
        Func<LhsClientConfig, LhsClientConfig>? configure = null, Func<SuiteClient, string?>? unimplementedUnless = null)
    {
        var c = await SuiteClient.ConnectAsync(ctx, checks, configure);
        // A case that narrows the encodings: a server without them may refuse the hello (no encoding is mandatory).
        if (!await c.HandshakeAsync(encodingsMayBeUnsupported: unimplementedUnless is not null))
            return c.RefusedUnsupportedEncodings ? Verdict.NotImplemented($"the server does not support {string.Join(" or ", c.Config.Encodings)}") : checks.Verdict();
        if (unimplementedUnless?.Invoke(c) is { } why) return checks.Unimplemented(why);
        var frame = bad(c);
        var expected = FlowFrame.Check(c.Contract!, frame).Error ?? throw new InvalidOperationException("the model accepts this frame; the case expects a rejection");
        await c.SendAsync(frame);
        return await Rejection.Expect(ctx, checks, c.Conn, expected.Rule, expected, probe: () => c.SendAsync(c.FlowFrame()), firstWait: ctx.StepAfter(frame.Length));
    }
}
