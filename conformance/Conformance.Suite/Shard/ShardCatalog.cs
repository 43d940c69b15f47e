// The Shard hand-off catalog. The spec has no checklist: this one is DERIVED (SPEC-NOTES.md "Shard checklist"), one
// item per key objective of §1.3 and per consideration of §4. The spec writes no MUST; its "Key Objectives" are what
// the hand-off is for, so a rule that carries an item is `must`, and the project's concrete forms are `model`.
using Conformance.Reports.Model;
using Conformance.Suite.Core;

namespace Conformance.Suite.Shard;

public static class ShardCatalog
{
    public const string Spec = "shard";

    public static readonly Catalog Instance = new(Spec, "Shard Hand-off (CCML → Confluence Edge → Lattice Registry)",
    [
        new("SHARD-CL-1", "§1.3", "Versioning", "**Versioning**: Tag each shard with a semantically meaningful version ID (e.g., `Major.Minor.Patch` or a cryptographic hash-based index)."),
        new("SHARD-CL-2", "§1.3", "Provenance proofs", "**Provenance Proofs**: Guarantee the shard's authenticity and lineage via cryptographic signatures, reference checks, and chain-of-custody records."),
        new("SHARD-CL-3", "§1.3", "Rollback hooks", "**Rollback Hooks**: Provide a well-defined mechanism to revert or invalidate a shard's new state if acceptance into the Lattice fails or if the user triggers an undo event."),
        new("SHARD-CL-4", "§4.1", "Replay attacks", "**Replay Attacks** The Edge uses ephemeral session tokens and timestamps to prevent an old shard upload from being replayed maliciously."),
        new("SHARD-CL-5", "§4.2", "Tamper detection", "**Tamper Detection** The Merkle-based chunk verification and final hash check quickly detect any tampered data in transit."),
        new("SHARD-CL-6", "§4.3", "Dual registry", "**Dual Registry** The CCML Node maintains a local ledger of transfers, ensuring that if the Lattice fails or the network drops mid-transfer, the handshake can resume or revert gracefully."),
        new("SHARD-CL-7", "§4.4", "Version conflicts", "**Version Conflicts** If the user attempts to upload a new shard version without referencing the correct prior version, the Lattice can reject the commit, forcing the user to rebase or reconcile merges."),
    ],
    [
        // ---- SHARD-CL-1 versioning
        R("SHARD-2.1-negotiation", Level.Must, "§2.1", "SHARD-CL-1", Roles.Both,
            "The **Edge** picks the highest mutually supported protocol version […] If versions are incompatible, the handshake terminates gracefully.",
            "The edge chooses the highest version both offer, or ends the handshake with shard.version_unsupported; the node accepts only a version it offered."),
        R("SHARD-3.5-version-id", Level.Must, "§3.5", "SHARD-CL-1", Roles.Server,
            "Could be a human-readable `Major.Minor.Patch` or a deterministic hash-based scheme: e.g., `v2.1.0` or `hash-based: 7ecf349b1…`.",
            "A header whose version_id is neither form (vMAJOR.MINOR.PATCH, mth:<hex>) is refused."),
        R("SHARD-2.3-commit", Level.Must, "§2.3", "SHARD-CL-1", Roles.Server,
            "If the registry commit is successful, the Edge returns a final \"Commit-Ack\" to the CCML Node.",
            "A complete, verified upload is committed and acknowledged with a registry_id; the registry's canonical version becomes it."),
        R("SHARD-2.3-entry", Level.Model, "§2.3", "SHARD-CL-1", Roles.Server,
            "The Edge writes a new entry to the **Lattice Registry**, capturing: Shard Hash […] Version ID […] Provenance Artifacts […] Timestamp […] Previous Version Link",
            "The registry entry records the shard hash (the Merkle tree head), the version, the previous version and its status."),
        R("SHARD-3-messages", Level.Model, "§5", "SHARD-CL-1", Roles.Server,
            "Example Handshake Sequence (Simplified)",
            "A message that is not the project's JSON form of the sequence (SPEC-NOTES.md \"Shard messages\") is refused with shard.invalid_message."),
        R("SHARD-2-order", Level.Must, "§2", "SHARD-CL-1", Roles.Server,
            "The transfer process typically unfolds across four distinct phases",
            "Messages out of the order hello → header → chunks are refused and the connection closed; nothing reaches the registry."),

        // ---- SHARD-CL-2 provenance
        R("SHARD-2.2-signatures", Level.Must, "§2.2", "SHARD-CL-2", Roles.Server,
            "The signature bundle matches known public keys or trust anchors. […] If any verification fails, the Edge halts further processing and issues an error response.",
            "A header without signatures, or with one that is not a trust anchor's valid signature over it, is refused; nothing is written."),
        R("SHARD-3.2-provenance", Level.Must, "§3.2, §1.3", "SHARD-CL-2", Roles.Server,
            "A list of cryptographic hashes or references linking back to all previous versions. Each link typically includes: **Parent Version ID** **Signature** from the entity who created or validated that link.",
            "A header whose provenance chain is empty, does not link version_id to parent_version_id, or has a link not signed by a trust anchor is refused."),
        R("SHARD-2.2-auth-token", Level.Must, "§2.2, §4.1", "SHARD-CL-2", Roles.Server,
            "This data is accompanied by a short-living **Authentication Token** (signed with the user's private key or a CCML master key).",
            "A header whose auth token is not bound to this session and shard, or not signed by a trust anchor, is refused."),
        R("SHARD-2.2-header-sent", Level.Must, "§2.2", "SHARD-CL-2", Roles.Client,
            "The CCML Node sends the shard header, which includes: Version ID […] Provenance Chain […] Signature Bundle […] accompanied by a short-living Authentication Token",
            "The node's header is well-formed, signed by its key over the header, with an auth token bound to the session and a provenance link."),

        // ---- SHARD-CL-3 rollback
        R("SHARD-2.4-rollback", Level.Must, "§2.4", "SHARD-CL-3", Roles.Server,
            "The Lattice Registry flags the newly inserted shard version as **invalid** or **inactive** (without deleting it, for audit reasons). The prior valid version's reference is reinstated as the canonical shard in the Lattice",
            "A signed rollback request marks the version inactive (it stays in the registry), reinstates the prior version as canonical and is answered by a Rollback-Intent."),
        R("SHARD-2.4-audit", Level.Must, "§2.4", "SHARD-CL-3", Roles.Server,
            "Both the CCML Node and the Oneiric Lattice preserve logs of the rollback event, including the impetus and final state.",
            "The registry's audit log records the rollback with its reason and the reinstated version."),
        R("SHARD-2.4-override", Level.Must, "§2.4", "SHARD-CL-3", Roles.Server,
            "Future attempts to reference the invalidated version must pass through a strict override process.",
            "A header whose parent is an invalidated version is refused unless it carries the authority's signed override, which is then recorded in the audit log."),
        R("SHARD-2.4-rollback-auth", Level.Model, "§2.4", "SHARD-CL-3", Roles.Server,
            "if the user (or an automated policy) requests a revert",
            "A rollback request not signed by a trust anchor, or for a version that is not active, is refused and changes nothing."),

        // ---- SHARD-CL-4 replay
        R("SHARD-4.1-token-single-use", Level.Must, "§4.1", "SHARD-CL-4", Roles.Server,
            "The Edge uses ephemeral session tokens and timestamps to prevent an old shard upload from being replayed maliciously.",
            "A header carrying another session's token is refused, and a committed session cannot be resumed."),
        R("SHARD-4.1-auth-fresh", Level.Must, "§4.1", "SHARD-CL-4", Roles.Server,
            "The Edge uses ephemeral session tokens and timestamps to prevent an old shard upload from being replayed maliciously.",
            "A header whose auth token was issued more than 60 s from the edge's clock is refused."),

        // ---- SHARD-CL-5 tamper detection
        R("SHARD-4.2-chunk-proof", Level.Must, "§4.2, §2.3", "SHARD-CL-5", Roles.Server,
            "The Merkle-based chunk verification and final hash check quickly detect any tampered data in transit.",
            "A chunk whose data or proof does not prove into merkle_root is refused by index (chunk_nack) and may be sent again; tampered data never reaches the registry."),
        R("SHARD-4.2-chunk-bounds", Level.Must, "§4.2", "SHARD-CL-5", Roles.Server,
            "The Merkle-based chunk verification and final hash check quickly detect any tampered data in transit.",
            "A chunk with an index outside the shard, the wrong length, or after the commit is refused; the registry is untouched."),
        R("SHARD-4.2-final-hash", Level.Must, "§2.3, §4.2", "SHARD-CL-5", Roles.Server,
            "Once complete, the Edge calculates or confirms the final cryptographic hash to ensure consistency with the declared version ID.",
            "An upload whose final hash does not match its hash-based version_id is refused at the end and never committed."),
        R("SHARD-4.2-chunks-sent", Level.Must, "§2.3", "SHARD-CL-5", Roles.Client,
            "Each chunk is appended with a micro-signature or Merkle-based integrity proof.",
            "Every chunk the node sends proves into its header's merkle_root."),
        R("SHARD-4.2-resend", Level.Must, "§4.2", "SHARD-CL-5", Roles.Client,
            "The Merkle-based chunk verification and final hash check quickly detect any tampered data in transit.",
            "The node sends a chunk the edge refused again, and completes the upload."),

        // ---- SHARD-CL-6 dual registry, resume, durability
        R("SHARD-4.3-resume", Level.Must, "§4.3", "SHARD-CL-6", Roles.Server,
            "ensuring that if the Lattice fails or the network drops mid-transfer, the handshake can resume or revert gracefully.",
            "After a drop, a resume with the session token reports which chunks arrived, and the upload completes with the rest."),
        R("SHARD-4.3-atomic", Level.Must, "§4.3, §2.3", "SHARD-CL-6", Roles.Server,
            "if the Lattice fails or the network drops mid-transfer, the handshake can resume or revert gracefully.",
            "An interrupted or refused upload leaves no registry entry: the registry holds only complete commits."),
        R("SHARD-4.3-durable", Level.Must, "§4.3", "SHARD-CL-6", Roles.Server,
            "if the Lattice fails or the network drops mid-transfer, the handshake can resume or revert gracefully.",
            "An edge restart loses nothing committed, and an upload interrupted by it resumes and commits."),
        R("SHARD-4.3-node-resume", Level.Must, "§4.3", "SHARD-CL-6", Roles.Client,
            "The CCML Node maintains a local ledger of transfers, ensuring that if the Lattice fails or the network drops mid-transfer, the handshake can resume",
            "After a drop the node reconnects with its session token and sends only the chunks the edge lacks."),

        // ---- SHARD-CL-7 version conflicts
        R("SHARD-2.2-version-conflict", Level.Must, "§2.2", "SHARD-CL-7", Roles.Server,
            "The declared version does not conflict with an existing entry in the Oneiric Lattice Registry.",
            "A header whose version_id already exists for the shard is refused with shard.version_conflict."),
        R("SHARD-4.4-rebase", Level.Must, "§4.4", "SHARD-CL-7", Roles.Server,
            "If the user attempts to upload a new shard version without referencing the correct prior version, the Lattice can reject the commit, forcing the user to rebase or reconcile merges.",
            "A header whose parent is not the canonical version is refused with shard.rebase_required; rebased on the canonical version, it commits."),
    ]);

    private static Requirement R(string id, Level level, string section, string item, Roles roles, string quote, string summary) =>
        new(id, level, section, item, roles, quote, summary);
}
