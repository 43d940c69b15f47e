// The CIP requirement catalog. Root: the six boxes of §8 "Compliance checklist (for implementers)"; under each, the
// rules of §2–§7 with the sentence they come from. The spec marks §2.1 and §6 "normative" and §8 makes its boxes the
// conditions of compliance, so rules that carry a checklist box are `must`; the project's concrete readings of vague
// sentences are `model` (SPEC-NOTES.md, CIP).
using Conformance.Reports.Model;
using Conformance.Suite.Core;

namespace Conformance.Suite.Cip;

public static class CipCatalog
{
    public const string Spec = "cip";

    public static readonly Catalog Instance = new(Spec, "Cognitive Interlink Protocol",
    [
        new("CIP-CL-1", "§8", "Envelope + signature validation", "- [ ] Envelope + signature validation"),
        new("CIP-CL-2", "§8", "Trust FSM transitions implemented", "- [ ] Trust FSM transitions implemented"),
        new("CIP-CL-3", "§8", "LPI/LRI signals used for pacing", "- [ ] LPI/LRI signals used for pacing"),
        new("CIP-CL-4", "§8", "DMP-trace and causal memory checks", "- [ ] DMP-trace and causal memory checks"),
        new("CIP-CL-5", "§8", "≥2 trusted confirmations for knowledge acceptance", "- [ ] ≥2 trusted confirmations for knowledge acceptance"),
        new("CIP-CL-6", "§8", "Reject on fingerprint/pubkey mismatch", "- [ ] Reject on fingerprint/pubkey mismatch"),
    ],
    [
        // ---- CIP-CL-1: envelope and signature
        R("CIP-2-shape", Level.Must, "§2.1", "CIP-CL-1", "All Level 2/3 messages use a shared envelope. […] Envelope JSON (normative)",
            "An envelope with a field missing, of the wrong type or outside its enumeration is dropped, with no reply and no trust change."),
        R("CIP-2.2-msg-id", Level.Must, "§2.2", "CIP-CL-1", "`msg_id`: UUID v4, unique per message.",
            "An envelope whose msg_id is not a UUID v4 is dropped."),
        R("CIP-2.2-timestamp", Level.Must, "§2.2", "CIP-CL-1", "`timestamp`: UTC RFC3339.",
            "An envelope whose timestamp is not an RFC 3339 UTC time is dropped."),
        R("CIP-2.2-timestamp-utc-forms", Level.Model, "§2.2", "CIP-CL-1", "`timestamp`: UTC RFC3339.",
            "A UTC timestamp written with the offset +00:00 (RFC 3339 §4.3) is accepted like one ending in Z."),
        R("CIP-2.2-lri", Level.Must, "§2.2", "CIP-CL-1", "`lri`: **0–100** normalized load index.",
            "An envelope whose state.lri is outside 0–100 (or not an integer) is dropped."),
        R("CIP-2.2-receiver", Level.Model, "§2.1", "CIP-CL-1", "\"receiver\": { \"agent_id\": \"string\", \"fingerprint\": \"hex\" }",
            "An envelope addressed to another agent is dropped."),
        R("CIP-2-size", Level.Model, "§2.1", "CIP-CL-1", "The envelope is **signable** and **hashable** for integrity checks.",
            "An envelope over 256 KiB is dropped without being processed."),
        R("CIP-3-payload", Level.Must, "§3", "CIP-CL-1", "Message types and payloads",
            "A payload missing a field of its type, or with a wrong type or value, is dropped."),
        R("CIP-7-sign", Level.Must, "§7, §2.2", "CIP-CL-1", "**Sign every message** using Ed25519. […] `sign`: signature over canonical JSON form of the envelope (excluding `sign`).",
            "An unsigned envelope, or one whose signature does not verify, is dropped."),
        R("CIP-7-canonical", Level.Must, "§7", "CIP-CL-1", "**Canonical JSON** required for signing.",
            "The agent verifies and signs over JCS (RFC 8785): member order, escapes, number spelling and astral-plane keys do not matter."),
        R("CIP-2-sent", Level.Must, "§2, §7", "CIP-CL-1", "**Sign every message** using Ed25519.",
            "Every envelope the agent sends is well-formed, addressed to the peer, signed over its JCS form, with a fingerprint that is SHA-256 of its key and a fresh UUID v4 msg_id."),
        R("CIP-7-replay", Level.Must, "§7, §4.1", "CIP-CL-1", "**Nonce + timestamp** protect against replay. […] replay protection (nonce + timestamp)",
            "An envelope whose msg_id was already seen from that sender, or a HELLO reusing a session_nonce, is dropped."),
        R("CIP-7-timestamp-window", Level.Must, "§7, §4.1", "CIP-CL-1", "**Nonce + timestamp** protect against replay.",
            "An envelope whose timestamp is more than 30 s from the agent's clock is dropped."),
        R("CIP-4-session", Level.Model, "§4.1", "CIP-CL-1", "1. **HELLO →** Agent A sends `HELLO` with `session_nonce` and `challenge`.",
            "Anything but a HELLO from a peer that has not handshaken on that connection is dropped."),
        R("CIP-4-pinned-key", Level.Model, "§4.1", "CIP-CL-1", "fingerprint matches pubkey",
            "An envelope from a known agent_id signed by another key than the one it handshook with is dropped."),

        // ---- CIP-CL-2: trust FSM
        R("CIP-4-response", Level.Must, "§4.1", "CIP-CL-2", "2. **HELLO ←** Agent B responds with `HELLO`, includes its own `session_nonce` and response to A's challenge (signed).",
            "The agent answers a valid HELLO with a HELLO carrying its own session_nonce and challenge and a challenge_response that verifies."),
        R("CIP-4-response-prefix", Level.Model, "§4.1", "CIP-CL-2", "includes its own `session_nonce` and response to A's challenge (signed).",
            "The challenge_response signs \"CIP/1.0 challenge-response:\" followed by the challenge (the project's domain separation; any signature over the challenge meets CIP-4-response)."),
        R("CIP-4-trust-gate", Level.Must, "§4.1, §5.2", "CIP-CL-2", "4. **TRUST GATE** If valid, move trust to `probing`. […] | untrusted | valid handshake | probing |",
            "After a valid handshake a new peer is probing."),
        R("CIP-5-verified-knowledge", Level.Must, "§5.2", "CIP-CL-2", "| probing | verified knowledge (>=2 trusted confirmations) | trusted | stable exchange allowed |",
            "A probing peer whose claim is accepted becomes trusted."),
        R("CIP-5-conflict", Level.Must, "§5.2", "CIP-CL-2", "| probing | conflict or repeated unverifiable | untrusted | cooldown |",
            "A probing peer whose claim a trusted peer contradicts becomes untrusted."),
        R("CIP-5-unverifiable", Level.Model, "§5.2", "CIP-CL-2", "| probing | conflict or repeated unverifiable | untrusted | cooldown |",
            "A probing peer whose claims are refused as unverifiable (DMP or causal) twice becomes untrusted; once is not enough."),
        R("CIP-5-severe", Level.Must, "§5.2", "CIP-CL-2", "| trusted | severe conflict / malicious evidence | blacklisted | long-term deny |",
            "A trusted peer whose claim two trusted peers contradict becomes blacklisted."),
        R("CIP-5-anomaly", Level.Must, "§5.2", "CIP-CL-2", "| trusted | temporary anomaly | probing | re-verify |",
            "A trusted peer that reports critical kernel signals goes back to probing."),
        R("CIP-5-override", Level.Must, "§5.2", "CIP-CL-2", "| blacklisted | manual override | probing | human authority |",
            "A signed override from the configured authority moves a blacklisted peer to probing."),
        R("CIP-5-blacklisted-deny", Level.Must, "§5.2", "CIP-CL-2", "| trusted | severe conflict / malicious evidence | blacklisted | long-term deny |",
            "A blacklisted peer is denied: its HELLO and INTENT are answered \"deny\", and no handshake reinstates it."),
        R("CIP-5-only-six", Level.Must, "§5.2", "CIP-CL-2", "Trust FSM (LTP-Peer) […] Transitions (summary)",
            "Nothing else moves trust: an override from anyone but the authority, kernel signals from a probing peer, or one conflict against a trusted peer change nothing."),

        // ---- CIP-CL-3: pacing
        R("CIP-4.2-defer", Level.Must, "§4.2, §4.1", "CIP-CL-3", "If peer overloads (LPI=overloaded) → **defer**. […] 6. **INTENT** Agent A declares intent; Agent B accepts or defers.",
            "A HELLO or INTENT from a peer that signals overload (presence overloaded or lri ≥ 80) is deferred: no handshake, no trust change, a STATE_UPDATE with intent \"defer\"."),
        R("CIP-4-state-signal", Level.Must, "§4.1, §3.7", "CIP-CL-3", "5. **STATE_UPDATE** Exchange first state signal with LPI/LRI.",
            "The agent follows its HELLO with a STATE_UPDATE carrying its presence and lri, and tells its peers when its presence changes."),
        R("CIP-6-local-state", Level.Must, "§6", "CIP-CL-3", "5. It respects local state constraints (LPI/LRI are not overloaded).",
            "While the agent is overloaded it accepts no claim; claims that met the other conditions are accepted once load falls."),
        R("CIP-4-intent", Level.Model, "§4.1", "CIP-CL-3", "6. **INTENT** Agent A declares intent; Agent B accepts or defers.",
            "An INTENT from a probing or trusted peer, with nobody overloaded, is accepted."),

        // ---- CIP-CL-4: DMP trace and causal memory
        R("CIP-6-dmp", Level.Must, "§6", "CIP-CL-4", "2. It is consistent with **DMP-trace** or decision provenance.",
            "A claim without a DMP trace, or whose trace has no steps or no evidence, is rejected."),
        R("CIP-6-dmp-sources", Level.Model, "§6", "CIP-CL-4", "2. It is consistent with **DMP-trace** or decision provenance.",
            "A claim whose sources are not all among its trace's evidence is rejected."),
        R("CIP-6-causal", Level.Must, "§6", "CIP-CL-4", "1. It matches or is reconcilable with **causal memory**.",
            "A claim whose causal links are not in causal memory (accepted claims, shared decisions) is rejected; one whose links are, is not."),

        // ---- CIP-CL-5: two trusted confirmations
        R("CIP-6-two-confirmations", Level.Must, "§6, §6.1", "CIP-CL-5", "3. It is confirmed by **≥2 trusted peers**. […] **2+ trusted confirmations → accept**",
            "A claim is accepted (FACT_CONFIRM to the proposer) only after two distinct trusted peers other than the proposer confirm it."),
        R("CIP-6-trust-gate", Level.Must, "§6", "CIP-CL-5", "4. It passes **trust gating** (peer ≠ untrusted/blacklisted).",
            "Confirmations from peers that are not trusted do not count."),
        R("CIP-6-untrusted-reject", Level.Must, "§6.1", "CIP-CL-5", "**Untrusted source → reject**",
            "A claim from an untrusted or blacklisted peer is rejected (FACT_REJECT)."),
        R("CIP-6-disputed", Level.Must, "§6.1", "CIP-CL-5", "**Any trusted conflict → mark as disputed**",
            "A claim a trusted peer contradicts is disputed (FACT_CHALLENGE reason conflict to the proposer) and never accepted."),

        // ---- CIP-CL-6: fingerprint
        R("CIP-4.2-fingerprint", Level.Must, "§4.2, §8", "CIP-CL-6", "If fingerprint mismatch → **drop** and mark peer `blacklisted`.",
            "A HELLO whose fingerprint is not SHA-256 of its pubkey is dropped, and that agent_id, met for the first time, is blacklisted."),
        R("CIP-4.2-bad-signature", Level.Must, "§4.2", "CIP-CL-6", "If signature invalid → **drop** and mark peer `untrusted`.",
            "A HELLO whose signature does not verify is dropped, and that agent_id, met for the first time, is untrusted (a trust anchor then starts at probing)."),
    ]);

    private static Requirement R(string id, Level level, string section, string item, string quote, string summary) =>
        new(id, level, section, item, Roles.Agent, quote, summary);
}
