// §3 Message Definitions — "All LHS control frames are JSON objects with the following canonical structure".
using Conformance.Suite.Core;
using static Conformance.Suite.Lhs.LhsCase;

namespace Conformance.Suite.Lhs;

internal static class S3_ControlFrames
{
    private const string Json = "LHS-3-json";

    public static IEnumerable<CaseDef> Cases() =>
    [
        Server("LHS-S-frame-not-json", "§3", "Control frame that is not JSON", "Sends the text \"hello, server\" as the first frame.",
            Rejects(Json), (ctx, k) => ServerRejectsText(ctx, k, _ => "hello, server")),
        Server("LHS-S-frame-json-array", "§3", "Control frame that is a JSON array", "Sends [\"hello\"] as the first frame.",
            Rejects(Json), (ctx, k) => ServerRejectsText(ctx, k, _ => "[\"hello\"]")),
        Server("LHS-S-frame-no-step", "§3", "Control frame without step", "Sends a hello whose \"step\" member is missing.",
            Rejects(Json), (ctx, k) => ServerRejectsText(ctx, k, c => Reference.Lhs.LhsTamper.WithMember(c.Config.HelloText(), "step", null, remove: true))),
        Server("LHS-S-frame-unknown-step", "§3", "Control frame with an unknown step", "Sends a hello whose step is \"greet\".",
            Rejects(Json), (ctx, k) => ServerRejectsText(ctx, k, c => Reference.Lhs.LhsTamper.WithMember(c.Config.HelloText(), "step", "greet"))),
        Server("LHS-S-frame-duplicate-member", "§3", "Control frame with a duplicated member", "Sends a hello in which \"encodings\" appears twice.",
            Rejects(Model.Lhs.LhsRules.DuplicateMembers), (ctx, k) => ServerRejectsText(ctx, k, c => c.Config.HelloText().Replace("\"encodings\":", "\"encodings\":[\"x-dup\"],\"encodings\":"))),
    ];
}
