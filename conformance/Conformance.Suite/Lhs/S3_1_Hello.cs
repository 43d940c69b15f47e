// §3.1 Hello (client → server) — "Required fields: lri_version … encodings … features … max_frame_bytes".
// "The server MUST compare against supported versions and reject unknown majors."
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;
using Conformance.Suite.Lhs.Play;
using static Conformance.Reference.Lhs.LhsTamper;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S3_1_Hello
{
    private const string Required = "LHS-3.1-required", Version = "LHS-3.1-version";

    public static IEnumerable<CaseDef> Cases()
    {
        foreach (var field in new[] { "lri_version", "encodings", "features", "max_frame_bytes" })
            yield return Server($"LHS-S-hello-missing-{field.Replace('_', '-')}", "§3.1", $"Hello without {field}",
                $"Sends a hello without its required field \"{field}\".",
                Rejects(Required), (ctx, k) => ServerRejectsText(ctx, k, c => WithMember(c.Config.HelloText(), field, null, remove: true)));

        (string Id, string Field, JsonNode? Value, string What)[] malformed =
        [
            ("encodings-string", "encodings", "json", "\"encodings\" as a string, not an array"),
            ("encodings-number-item", "encodings", new JsonArray("json", 7), "\"encodings\" with a number among the strings"),
            ("features-object", "features", new JsonObject { ["ltp"] = true }, "\"features\" as an object"),
            ("max-frame-string", "max_frame_bytes", "65536", "\"max_frame_bytes\" as a string"),
            ("max-frame-zero", "max_frame_bytes", 0, "\"max_frame_bytes\" of 0"),
            ("max-frame-negative", "max_frame_bytes", -1, "\"max_frame_bytes\" of -1"),
            ("max-frame-fraction", "max_frame_bytes", 1024.5, "\"max_frame_bytes\" of 1024.5"),
            ("version-number", "lri_version", 0.1, "\"lri_version\" as the number 0.1"),
            ("version-not-semver", "lri_version", "zero", "\"lri_version\" of \"zero\""),
        ];
        foreach (var m in malformed)
            yield return Server($"LHS-S-hello-malformed-{m.Id}", "§3.1", $"Hello with {m.What}", $"Sends a hello with {m.What}.",
                Rejects(Required), (ctx, k) => ServerRejectsText(ctx, k, c => WithMember(c.Config.HelloText(), m.Field, m.Value?.DeepClone())));

        // "Optional session metadata": its shape is the project's reading of the example, so a server that takes any
        // session is reported (model level), never failed on the required fields (SPEC-NOTES "Hello session").
        yield return Server("LHS-S-hello-malformed-session-string", "§3.1", "Hello with \"session\" as a string, not an object",
            "Sends a hello whose optional \"session\" is the string \"ephemeral\".",
            Rejects(LhsRules.SessionShape), (ctx, k) => ServerRejectsText(ctx, k, c => WithMember(c.Config.HelloText(), "session", "ephemeral")));

        yield return Server("LHS-S-hello-unknown-major", "§3.1", "Hello of an unsupported major", "Sends a hello with lri_version \"99.0\".",
            Rejects(Version), (ctx, k) => ServerRejectsText(ctx, k, c => WithMember(c.Config.HelloText(), "lri_version", "99.0")));

        yield return Server("LHS-S-hello-other-minor", "§3.1", "Hello of a known major, other minor",
            "Sends a hello with lri_version \"0.9\" and completes the handshake: same major, so the server must answer.",
            [.. Handshake, "LHS-3.1-minor-compatible"], async (ctx, k) =>
            {
                var c = await SuiteClient.ConnectAsync(ctx, k, cfg => cfg with { LriVersion = "0.9" });
                await c.HelloAsync();
                var seen = await c.NextAsync();
                var answered = seen is Seen.Control;
                k.Expect("LHS-3.1-minor-compatible", answered, "a mirror for a hello of the server's major", seen.Describe());
                return k.Verdict();
            });
    }
}
