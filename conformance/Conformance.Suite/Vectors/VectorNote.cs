// A flag's note as data (Wycheproof-style): the kind of defect, what the input is, what a conformant implementation
// must do with it, and links to the requirements and readings it rests on. A note that names a requirement takes its
// description from the catalog, so the spec's sentence is quoted in one place only.
using System.Text.RegularExpressions;
using Conformance.Suite.Core;

namespace Conformance.Suite.Vectors;

/// <summary>The kind of input a flag marks; serialised UPPER_SNAKE (<see cref="VectorNotes.Name"/>).</summary>
public enum VectorBugType
{
    /// <summary>A valid, ordinary input: the happy path.</summary>
    Basic,
    /// <summary>A valid input at the edge of a rule (a bound, an unusual but allowed spelling).</summary>
    EdgeCase,
    /// <summary>An input that breaks a format or shape rule (not JSON, a field missing or mistyped, bad encoding).</summary>
    Malformed,
    /// <summary>A well-formed input with one value changed so that a rule on its meaning fails.</summary>
    ModifiedParameter,
    /// <summary>A signature, key, identity or fingerprint defect: accepting it would let a forger through.</summary>
    AuthBypass,
    /// <summary>An input seen before (a nonce, msg_id, token or seal reused), or outside its time window.</summary>
    Replay,
    /// <summary>Messages or checks in another order than the rule says (steps, phases, which check wins).</summary>
    Ordering,
    /// <summary>Canonical-form questions: JCS (RFC 8785), non-canonical text, signing over the wrong form.</summary>
    Canonicalization,
    /// <summary>The spec allows more than one answer, or the project's reading decides (results may be acceptable).</summary>
    Reading,
    /// <summary>A seeded random or systematic grid of inputs, or one found by a property-based trace.</summary>
    Generated,
}

/// <summary>
/// One flag's note. <see cref="Links"/>: requirement IDs of the spec's catalog, SPEC-NOTES.md section references
/// ("SPEC-NOTES.md#duplicate-members": conformance/SPEC-NOTES.md, the GitHub anchor of a section heading) and external references ("RFC 8785 §3.2.2.3").
/// </summary>
public sealed record VectorNote(VectorBugType BugType, string Description, string Effect, IReadOnlyList<string> Links);

public static class VectorNotes
{
    private static readonly Regex RequirementLike = new(@"^[A-Z]+-[0-9A-Z]", RegexOptions.CultureInvariant);

    /// <summary>UPPER_SNAKE: EdgeCase → EDGE_CASE.</summary>
    public static string Name(VectorBugType t) =>
        Regex.Replace(t.ToString(), "(?<=[a-z0-9])([A-Z])", "_$1", RegexOptions.CultureInvariant).ToUpperInvariant();

    /// <summary>A link of the form of a requirement ID (LHS-3.1-version, CIP-7-replay…), as opposed to SPEC-NOTES.md or an RFC.</summary>
    public static bool IsRequirementId(string link) => RequirementLike.IsMatch(link) && !link.StartsWith("SPEC-NOTES", StringComparison.Ordinal);

    /// <summary>The catalog a spec's vectors cite, or null (LTP has none: its vectors cite RFCs only).</summary>
    public static Catalog? CatalogOf(string spec) => spec switch
    {
        global::Conformance.Suite.Lhs.LhsCatalog.Spec => global::Conformance.Suite.Lhs.LhsCatalog.Instance,
        global::Conformance.Suite.Cip.CipCatalog.Spec => global::Conformance.Suite.Cip.CipCatalog.Instance,
        global::Conformance.Suite.Shard.ShardCatalog.Spec => global::Conformance.Suite.Shard.ShardCatalog.Instance,
        _ => null,
    };

    /// <summary>The one form of a derived description: "{Summary} {Section}: \"{Quote}\"", then any vector-specific remark.</summary>
    public static string Describe(Requirement r, string? remark = null) =>
        $"{r.Summary} {r.Section}: \"{r.Quote}\"" + (string.IsNullOrEmpty(remark) ? "" : " " + remark);

    /// <summary>A note for a flag that checks one requirement: description and first link from the catalog.</summary>
    public static VectorNote FromRule(string spec, VectorBugType bugType, string requirementId, string effect, string? remark = null, params string[] links)
    {
        var catalog = CatalogOf(spec) ?? throw new InvalidOperationException($"{spec}: no requirement catalog to derive a note from");
        return new(bugType, Describe(catalog.Get(requirementId), remark), effect, [requirementId, .. links]);
    }

    /// <summary>Throws unless the note is complete and every requirement-like link exists in the spec's catalog.</summary>
    public static void Check(string spec, string flag, VectorNote n)
    {
        if (string.IsNullOrWhiteSpace(n.Description) || string.IsNullOrWhiteSpace(n.Effect))
            throw new InvalidOperationException($"{spec}: note {flag} needs a description and an effect");
        var catalog = CatalogOf(spec);
        foreach (var l in n.Links.Where(IsRequirementId))
            if (catalog is null || catalog.Requirements.All(r => r.Id != l))
                throw new InvalidOperationException($"{spec}: note {flag} links {l}, which is not in the {spec} catalog");
    }
}
