// The LHS requirement catalog. Root: the five items of §7 "Compliance Checklist"; under each, the finer rules of
// §1–§6 with the sentence they come from. Levels follow the spec's words; `model` marks the project's reading of a
// vague sentence (conformance/SPEC-NOTES.md), reported but never gating.
using Conformance.Reports.Model;
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs;

public static class LhsCatalog
{
    public const string Spec = "lhs";

    public static readonly Catalog Instance = new(Spec, "Liminal Handshake Sequence",
    [
        new("LHS-CL-1", "§7", "Validates step ordering and required fields", "1. Validates step ordering and required fields."),
        new("LHS-CL-2", "§7", "Enforces negotiated encoding/features during flow", "2. Enforces negotiated encoding/features during flow."),
        new("LHS-CL-3", "§7", "Seal signature covers Hello, Mirror, Bind and the server nonce", "3. Produces a Seal signature that covers Hello, Mirror, Bind and the server nonce."),
        new("LHS-CL-4", "§7", "Structured error frames; terminates on trust failures", "4. Surfaces structured error frames and terminates on trust failures."),
        new("LHS-CL-5", "§7", "Telemetry hooks from Bind", "5. Emits telemetry hooks so LSS can initialise coherence metrics from Bind."),
    ],
    [
        // ---- LHS-CL-1: ordering and required fields
        new Requirement("LHS-1-order", Level.Must, "§1", "LHS-CL-1", Roles.Both,
            "Steps must arrive in the precise order `hello → mirror → bind → seal`. Any deviation is a protocol error.",
            "A frame out of order (including flow before the seal) is rejected.")
        {
            NotOver = new Dictionary<string, string> { ["http"] = "the upgrade request fixes the order: one header per client frame, and no flow before the 101" },
        },
        new("LHS-1-single-shot", Level.Must, "§1", "LHS-CL-1", Roles.Both,
            "`hello` MAY be retried after connection loss; all subsequent steps are single-shot per connection.",
            "A second hello, bind, mirror or seal on one connection is rejected."),
        new("LHS-3-json", Level.Must, "§3", "LHS-CL-1", Roles.Both,
            "All LHS control frames are JSON objects with the following canonical structure:",
            "A text frame that is not a JSON object with a known \"step\" is rejected."),
        new("LHS-3.1-required", Level.Must, "§3.1", "LHS-CL-1", Roles.Server,
            "Required fields: `lri_version` … `encodings` … `features` … `max_frame_bytes`",
            "A hello with a required field missing or of the wrong type is rejected."),
        new("LHS-3.1-hello-sent", Level.Must, "§3.1", "LHS-CL-1", Roles.Client,
            "Required fields: `lri_version` … `encodings` … `features` … `max_frame_bytes`",
            "The client's hello carries every required field, well-formed."),
        new("LHS-3.2-mirror-fields", Level.Must, "§3.2", "LHS-CL-1", Roles.Server,
            "The server MUST echo a compatible version and choose a single encoding. […] The `nonce` MUST be a unique token bound into the Seal signature to prevent replay.",
            "The mirror carries lri_version, one encoding, features, max_frame_bytes and a nonce."),
        new("LHS-3.2-mirror-validated", Level.Must, "§3.2", "LHS-CL-1", Roles.Client,
            "The server MUST echo a compatible version and choose a single encoding. […] The `nonce` MUST be a unique token bound into the Seal signature to prevent replay.",
            "A mirror with a required field missing or malformed is rejected."),
        new("LHS-3.3-thread", Level.Must, "§3.3", "LHS-CL-1", Roles.Server,
            "`thread` MUST be a stable identifier (UUID or ULID).",
            "A bind whose thread is missing or neither a UUID nor a ULID is rejected; UUIDs and ULIDs are accepted."),
        new("LHS-3.3-bind-sent", Level.Must, "§3.3", "LHS-CL-1", Roles.Client,
            "`thread` MUST be a stable identifier (UUID or ULID).",
            "The client's bind carries a UUID or ULID thread."),
        new("LHS-3.3-bind-shape", Level.Model, "§3.3", "LHS-CL-1", Roles.Server,
            "Authentication material MAY be embedded or referenced out-of-band. Optional `context` seeds LSS metrics before the first flow frame.",
            "auth, when present, is an object with string scheme and token; context, when present, is an object."),
        new("LHS-3.4-seal-fields", Level.Model, "§3.4", "LHS-CL-1", Roles.Server,
            "Seal finalises the contract.",
            "The seal carries session_id, an RFC 3339 expires_at in the future, and features.ltp.jws naming EdDSA and the mirror's nonce."),

        // ---- LHS-CL-2: negotiation binding during flow
        new("LHS-3.1-version", Level.Must, "§3.1", "LHS-CL-2", Roles.Server,
            "The server MUST compare against supported versions and reject unknown majors.",
            "A hello of an unsupported major is rejected; the mirror's version has the hello's major."),
        new("LHS-3.1-minor-compatible", Level.Model, "§3.1", "LHS-CL-2", Roles.Server,
            "`lri_version` – LRI semantic version string. The server MUST compare against supported versions and reject unknown majors.",
            "A hello of a supported major but another minor is answered, not rejected."),
        new("LHS-3.2-negotiation", Level.Must, "§3.2", "LHS-CL-2", Roles.Server,
            "The server MUST echo a compatible version and choose a single encoding.",
            "The mirror picks one of the encodings hello offered; with none shared, the hello is rejected."),
        new("LHS-3.2-encoding-preference", Level.Model, "§3.1", "LHS-CL-2", Roles.Server,
            "`encodings` – ordered preference list for LCE framing (e.g. `json`, `cbor`).",
            "The mirror picks the first encoding in the client's order that the server supports."),
        new("LHS-3.2-features-subset", Level.Must, "§1, §3.2", "LHS-CL-2", Roles.Server,
            "Both `hello` and `mirror` contain capability maps so the client and server can converge on supported encodings, features and maximum payload sizes. […] Implementations MUST treat the negotiated result as binding for the duration of the session.",
            "The mirror enables only features hello requested, and its max_frame_bytes is at most hello's."),
        new("LHS-3.2-mirror-checked", Level.Must, "§1, §3.2", "LHS-CL-2", Roles.Client,
            "The server MUST echo a compatible version and choose a single encoding. […] Implementations MUST treat the negotiated result as binding for the duration of the session.",
            "A mirror of another major, with an encoding not offered, features not requested or a larger max_frame_bytes is rejected."),
        new("LHS-3.2-features-enforced", Level.Must, "§3.2", "LHS-CL-2", Roles.Both,
            "Features reported here are authoritative: any capability absent from the array is considered disabled.",
            "A flow frame using a feature that was not negotiated is rejected."),
        new("LHS-1-frame-limit", Level.Must, "§1", "LHS-CL-2", Roles.Both,
            "Implementations MUST treat the negotiated result as binding for the duration of the session.",
            "A flow frame larger than the negotiated max_frame_bytes is rejected."),
        new("LHS-6-encoding-enforced", Level.Must, "§6", "LHS-CL-2", Roles.Both,
            "After the Seal acknowledgment, endpoints MUST prefix all subsequent messages with LCE payloads encoded according to the negotiated `encoding`.",
            "A flow frame whose LCE is not in the negotiated encoding is rejected."),
        new("LHS-6-lce-only", Level.Must, "§6", "LHS-CL-2", Roles.Both,
            "After the Seal acknowledgment, endpoints MUST prefix all subsequent messages with LCE payloads encoded according to the negotiated `encoding`.",
            "After the seal, a message that is not an LCE flow frame is rejected."),
        new("LHS-6-frames-sent", Level.Must, "§6", "LHS-CL-2", Roles.Both,
            "After the Seal acknowledgment, endpoints MUST prefix all subsequent messages with LCE payloads encoded according to the negotiated `encoding`.",
            "Every flow frame the IUT sends is an LCE in the negotiated encoding, within max_frame_bytes, using only negotiated features."),
        new("LHS-6-flow-accepted", Level.Must, "§1, §2", "LHS-CL-2", Roles.Both,
            "Implementations MUST treat the negotiated result as binding for the duration of the session.",
            "A handshake that follows the rules reaches flow, and flow frames within the contract are accepted."),
        new("LHS-6-lce-shape", Level.Model, "§6", "LHS-CL-2", Roles.Both,
            "endpoints MUST prefix all subsequent messages with LCE payloads",
            "A flow frame whose length prefix or LCE members (v, intent.type, policy.consent) are wrong is rejected."),

        // ---- LHS-CL-3: the seal
        new("LHS-3.4-seal-covers", Level.Must, "§3.4", "LHS-CL-3", Roles.Server,
            "The `signature` MUST be produced via LTP over the canonical concatenation of the `hello`, `mirror` and `bind` payloads plus the server nonce.",
            "The seal signature verifies with the server key over JCS([hello, mirror, bind, nonce])."),
        new("LHS-3.4-seal-canonical", Level.Must, "§3.4", "LHS-CL-3", Roles.Server,
            "The `signature` MUST be produced via LTP over the canonical concatenation of the `hello`, `mirror` and `bind` payloads plus the server nonce.",
            "The signature covers the canonical form: frames sent with odd member order, whitespace and number spelling still verify."),
        new("LHS-3.2-nonce-unique", Level.Must, "§3.2", "LHS-CL-3", Roles.Server,
            "The `nonce` MUST be a unique token bound into the Seal signature to prevent replay.",
            "Every connection gets a different nonce."),

        // ---- LHS-CL-4: errors and trust failures
        new("LHS-4-error-frame", Level.Must, "§4, §7", "LHS-CL-4", Roles.Both,
            "If any step fails validation, the rejecting party SHOULD send a terminal error frame […] An implementation is LHS compliant when it: […] 4. Surfaces structured error frames",
            "A rejection starts with an error frame {\"step\":\"error\",\"code\":\"…\",\"detail\":\"…\"}."),
        new("LHS-4-close", Level.Must, "§4", "LHS-CL-4", Roles.Both,
            "After emitting an error the connection MUST close without entering `flow`.",
            "After its error frame the IUT closes the connection."),
        new("LHS-4-no-flow", Level.Must, "§4", "LHS-CL-4", Roles.Both,
            "After emitting an error the connection MUST close without entering `flow`.",
            "After its error frame the IUT sends no further handshake or flow frame, whatever it receives."),
        new("LHS-4-code", Level.Should, "§4", "LHS-CL-4", Roles.Both,
            "Common error codes: | `lhs.version_mismatch` | `lhs.encoding_negotiation_failed` | `lhs.invalid_bind` | `lhs.trust_failed` |",
            "Where the table has a code for the failure, the error frame carries it."),
        new("LHS-4-code-project", Level.Model, "§4", "LHS-CL-4", Roles.Both,
            "If any step fails validation, the rejecting party SHOULD send a terminal error frame",
            "Where the table has no code, the error frame carries the project's code (SPEC-NOTES.md, \"LHS error codes\")."),
        new("LHS-3.4-client-aborts", Level.Must, "§3.4, §7", "LHS-CL-4", Roles.Client,
            "If verification fails, the client MUST abort the connection.",
            "A seal whose signature does not verify over JCS([hello, mirror, bind, nonce]) with the trusted key ends the connection without flow."),
        new("LHS-3.4-seal-verified", Level.Must, "§3.4", "LHS-CL-4", Roles.Client,
            "The `signature` MUST be produced via LTP over the canonical concatenation of the `hello`, `mirror` and `bind` payloads plus the server nonce.",
            "A valid seal over frames sent in non-canonical form is accepted: the client verifies over the canonical form."),

        // ---- §5 HTTP Upgrade profile (the control frames travel in headers; SPEC-NOTES.md "HTTP Upgrade profile")
        new Requirement("LHS-5-upgrade-headers", Level.Must, "§5", "LHS-CL-3", Roles.Server,
            "Key headers: […] `LHS-Mirror` – server reflection header with chosen encoding/features. `LHS-Seal` – final commitment header containing `session_id` and `signature`.",
            "A 101 answer carries LHS-Mirror and LHS-Seal, each the base64url of its control frame.")
        {
            NotOver = new Dictionary<string, string>
            {
                ["websocket"] = "the §5 headers exist only in the HTTP Upgrade profile",
                ["stdio"] = "the §5 headers exist only in the HTTP Upgrade profile",
            },
        },
        new("LHS-5-upgrade-after-seal", Level.Should, "§5", "LHS-CL-1", Roles.Server,
            "Servers SHOULD respond with `101 Switching Protocols` only after validating the proposed capabilities and generating the Seal commitment.",
            "A request whose hello or bind fails validation gets no 101; a valid one gets its 101 with the seal already in it."),
        new("LHS-5-request-headers", Level.Model, "§5", "LHS-CL-1", Roles.Server,
            "`LHS-Hello` – base64url encoded JSON hello payload.",
            "An upgrade request whose LHS-Hello or LHS-Bind header is missing or not unpadded base64url UTF-8 is rejected (the bind's header is the project's reading)."),
        new("LHS-5-client-headers", Level.Model, "§5", "LHS-CL-4", Roles.Client,
            "`LHS-Seal` – final commitment header containing `session_id` and `signature`.",
            "A client aborts a 101 whose LHS-Mirror or LHS-Seal is missing or not unpadded base64url, with the error frame and a close on the upgraded connection (project reading)."),
        new("LHS-5-reject-4xx", Level.Model, "§5", "LHS-CL-4", Roles.Server,
            "Servers SHOULD respond with `101 Switching Protocols` only after validating the proposed capabilities and generating the Seal commitment.",
            "A rejected upgrade is answered with a 4xx status whose body is the §4 error frame (project reading)."),

        // ---- LHS-CL-5: telemetry
        new("LHS-7-telemetry-bind", Level.Must, "§7", "LHS-CL-5", Roles.Server,
            "5. Emits telemetry hooks so LSS can initialise coherence metrics from Bind.",
            "On an accepted bind the IUT publishes a hook carrying the bind's thread and context."),
    ]);
}
