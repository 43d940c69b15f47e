// A requirement catalog: the spec's checklist items and the finer rules that make them up, each with the sentence
// it comes from, quoted word for word. Cases cite requirements by ID; IDs never change meaning once published.
using Conformance.Reports.Model;

namespace Conformance.Suite.Core;

/// <summary>Which role of the IUT a requirement applies to.</summary>
[Flags]
public enum Roles { Server = 1, Client = 2, Both = Server | Client, Agent = 4 }

/// <summary>The role the IUT plays in a case (the suite plays the other, or — for an agent — its peers).</summary>
public enum IutRole { Server, Client, Agent }

public static class RoleNames
{
    public static string Name(this IutRole r) => r switch { IutRole.Server => "server", IutRole.Client => "client", _ => "agent" };
    public static bool Covers(this Roles roles, IutRole r) => roles.HasFlag(r switch { IutRole.Server => Roles.Server, IutRole.Client => Roles.Client, _ => Roles.Agent });
    public static IReadOnlyList<string> Names(this Roles roles) =>
        [.. Enum.GetValues<IutRole>().Where(r => roles.Covers(r)).Select(r => r.Name())];
}

public sealed record ChecklistItem(string Id, string Section, string Title, string Quote);

public sealed record Requirement(string Id, Level Level, string Section, string Item, Roles Roles, string Quote, string Summary)
{
    /// <summary>
    /// Adapters over which this requirement cannot be exercised, each with the reason (e.g. message order over the
    /// HTTP Upgrade profile, whose request has one slot per frame). A run over such an adapter counts it as not
    /// applicable, never as met; the report says so.
    /// </summary>
    public IReadOnlyDictionary<string, string> NotOver { get; init; } = new Dictionary<string, string>();
}

public sealed record Catalog(string Spec, string Title, IReadOnlyList<ChecklistItem> Items, IReadOnlyList<Requirement> Requirements)
{
    public Requirement Get(string id) =>
        Requirements.FirstOrDefault(r => r.Id == id) ?? throw new KeyNotFoundException($"no requirement {id} in the {Spec} catalog");
}
