// §3.3 Bind (client → server) — "thread MUST be a stable identifier (UUID or ULID). Authentication material MAY be
// embedded or referenced out-of-band. Optional context seeds LSS metrics before the first flow frame."
using System.Text.Json.Nodes;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S3_3_Bind
{
    private const string Thread = "LHS-3.3-thread", Shape = "LHS-3.3-bind-shape";

    public static IEnumerable<CaseDef> Cases()
    {
        (string Id, string Title, Func<SuiteClient, string> Bind, string Rule)[] rejected =
        [
            ("missing-thread", "Bind without thread", c => WithMember(c.Config.BindText(), "thread", null, remove: true), Thread),
            ("thread-not-uuid", "Bind whose thread is not a UUID or ULID", c => WithMember(c.Config.BindText(), "thread", "thread-42"), Thread),
            ("thread-number", "Bind whose thread is a number", c => WithMember(c.Config.BindText(), "thread", 42), Thread),
            ("thread-uuid-braces", "Bind whose thread is a UUID in braces", c => WithMember(c.Config.BindText(), "thread", "{" + c.Config.Thread + "}"), Thread),
            ("auth-string", "Bind whose auth is a string", c => WithMember(c.Config.BindText(), "auth", "Bearer x"), Shape),
            ("context-array", "Bind whose context is an array", c => WithMember(c.Config.BindText(), "context", new JsonArray(1, 2)), Shape),
        ];
        foreach (var r in rejected)
            yield return Server($"LHS-S-bind-{r.Id}", "§3.3", r.Title, $"Sends a valid hello, reads the mirror, then sends a {char.ToLowerInvariant(r.Title[0])}{r.Title[1..]}.",
                RejectsAfterHandshake(r.Rule), (ctx, k) => ServerRejectsText(ctx, k, c => c.Config.HelloText(), r.Bind));

        yield return Server("LHS-S-bind-ulid", "§3.3", "Bind with a ULID thread", "Completes the handshake with thread \"01ARZ3NDEKTSV4RRFFQ69G5FAV\".",
            [.. Handshake, Thread], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Thread = "01ARZ3NDEKTSV4RRFFQ69G5FAV" });
                var ok = await c.HandshakeAsync();
                if (ok) k.Expect(Thread, true, "a ULID thread is accepted", "sealed");
                return k.Verdict();
            });
        yield return Server("LHS-S-bind-uuid-uppercase", "§3.3", "Bind with an upper-case UUID thread", "Completes the handshake with an upper-case UUID thread.",
            [.. Handshake, Thread], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { Thread = cfg.Thread.ToUpperInvariant() });
                var ok = await c.HandshakeAsync();
                if (ok) k.Expect(Thread, true, "an upper-case UUID thread is accepted", "sealed");
                return k.Verdict();
            });
    }
}
