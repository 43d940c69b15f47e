// §3.2 Mirror (server → client) — "The server MUST echo a compatible version and choose a single encoding. Features
// reported here are authoritative: any capability absent from the array is considered disabled. The nonce MUST be a
// unique token bound into the Seal signature to prevent replay."
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static partial class S3_2_Mirror
{
    private const string Negotiation = "LHS-3.2-negotiation", Subset = "LHS-3.2-features-subset", Nonce = "LHS-3.2-nonce-unique";

    public static IEnumerable<CaseDef> Cases() =>
    [
        Server("LHS-S-happy-json", "§3.2", "Handshake and flow in json", "Offers only json, completes the handshake, sends a JSON LCE frame and reads the echo.",
            Handshake, (ctx, k) => HappyPath(ctx, k, "json")),
        Server("LHS-S-happy-cbor", "§3.2", "Handshake and flow in cbor", "Offers only cbor, completes the handshake, sends a CBOR LCE frame and reads the echo.",
            Handshake, (ctx, k) => HappyPath(ctx, k, "cbor")),
        // Both orders: a server that always picks its own favourite passes one of them and is caught by the other.
        EncodingPreference("LHS-S-encoding-preference", "cbor", "json"),
        EncodingPreference("LHS-S-encoding-preference-json-first", "json", "cbor"),
        Server("LHS-S-no-shared-encoding", "§3.2", "No shared encoding", "Offers only the encoding \"x-conformance-none\".",
            Rejects(Negotiation), (ctx, k) => ServerRejectsText(ctx, k, c => (c.Config with { Encodings = ["x-conformance-none"] }).HelloText())),
        Server("LHS-S-empty-encodings", "§3.2", "Empty encodings list", "Offers an empty encodings list.",
            Rejects(Negotiation), (ctx, k) => ServerRejectsText(ctx, k, c => (c.Config with { Encodings = [] }).HelloText())),
        Server("LHS-S-features-none", "§3.2", "No features requested", "Requests no features; the mirror must enable none.",
            Handshake, (ctx, k) => MirrorOnly(ctx, k, cfg => cfg with { Features = [] })),
        Server("LHS-S-features-unknown", "§3.2", "Unknown feature requested", "Requests [ltp, x-conformance-unknown]; the mirror may enable only what was requested.",
            Handshake, (ctx, k) => MirrorOnly(ctx, k, cfg => cfg with { Features = ["ltp", "x-conformance-unknown"] })),
        Server("LHS-S-max-frame-small", "§3.2", "Small max_frame_bytes", "Offers max_frame_bytes 512; the mirror's must not exceed it, nor may the server's flow frames.",
            Handshake, async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { MaxFrameBytes = 512 });
                if (!await c.HandshakeAsync()) return k.Verdict();
                await c.SendAsync(c.FlowFrame(payload: "small"));
                await c.ExpectFlowAcceptedAsync();
                return k.Verdict();
            }),
        new CaseDef("LHS-S-nonce-fresh", LhsCatalog.Spec, IutRole.Server, "§3.2", "Nonce unique per connection",
            "Completes 100 handshakes on 100 connections and compares the mirrors' nonces; every seal must verify.",
            [.. Handshake, Nonce], ctx => NonceFreshness(ctx, new Checks(), 100)) { BudgetSteps = 420 },
    ];

    private static async Task<Verdict> HappyPath(CaseContext ctx, Checks k, string encoding)
    {
        var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Encodings = [encoding] });
        if (!await c.HandshakeAsync())
            return c.LastSeen is Seen.Error { Code: "lhs.encoding_negotiation_failed" }
                ? Verdict.NotImplemented($"the server does not support the {encoding} encoding")
                : k.Verdict();
        await c.SendAsync(c.FlowFrame());
        await c.ExpectFlowAcceptedAsync();
        return k.Verdict();
    }

    private static async Task<Verdict> MirrorOnly(CaseContext ctx, Checks k, Func<LhsClientConfig, LhsClientConfig> configure)
    {
        var c = await SuiteClient.ConnectAsync(ctx, k, configure);
        await c.HandshakeAsync();
        return k.Verdict();
    }

    private static async Task<Verdict> NonceFreshness(CaseContext ctx, Checks k, int count)
    {
        var nonces = new HashSet<string>(StringComparer.Ordinal);
        string? repeated = null;
        for (var i = 0; i < count; i++)
        {
            var local = new Checks();
            var c = await SuiteClient.ConnectAsync(ctx, local);
            var ok = await c.HandshakeAsync();
            if (!c.OverHttp || ok) await ctx.ReleaseAsync(c.Conn);
            if (!ok)
            {
                var failed = local.All.First(x => !x.Passed);
                k.Expect(failed.Requirement, false, failed.Expected, $"handshake {i + 1} of {count}: {failed.Actual}", failed.TimedOut);
                return k.Verdict();
            }
            if (!nonces.Add(c.Mirror!.Nonce)) repeated ??= $"nonce \"{c.Mirror.Nonce}\" repeated at handshake {i + 1}";
        }
        k.Expect("LHS-3.4-seal-covers", true, $"{count} seals that verify", $"{count} seals verified");
        k.Expect(Nonce, repeated is null, $"{count} distinct nonces", repeated ?? $"{nonces.Count} distinct nonces");
        return k.Verdict();
    }

    private static CaseDef EncodingPreference(string id, string first, string second) =>
        Server(id, "§3.1", $"Client's encoding order honoured ({first} first)",
            $"Offers [{first}, {second}]; if the mirror picks {second}, offers [{first}] alone to learn whether {first} was supported.",
            [.. Handshake, "LHS-3.2-encoding-preference"], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Encodings = [first, second] });
                await c.HelloAsync();
                if (!await c.ExpectMirrorAsync()) return k.Verdict();
                var chosen = c.Mirror!.Contract.Encoding;
                if (chosen == first) { k.Expect("LHS-3.2-encoding-preference", true, $"{first}, the client's first choice", first); return k.Verdict(); }
                var probe = await SuiteClient.ConnectAsync(ctx, new Checks(), cfg => cfg with { Encodings = [first] });
                await probe.HelloAsync();
                var supported = await probe.ExpectMirrorAsync() && probe.Mirror!.Contract.Encoding == first;
                k.Expect("LHS-3.2-encoding-preference", !supported, $"{first}, the client's first choice, since the server supports it",
                    supported ? $"{chosen}, although a hello offering only {first} is accepted" : $"{chosen} (the server does not support {first})");
                return k.Verdict();
            });
}
