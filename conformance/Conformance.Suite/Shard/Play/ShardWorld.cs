// The moves edge-role cases are made of: fresh shard ids (per run, so a long-lived registry can be tested again),
// payloads, uploads, and checks that read the registry back.
using System.Text.Json;
using Conformance.Model.Env;
using Conformance.Model.Shard;
using Conformance.Suite.Core;

namespace Conformance.Suite.Shard.Play;

public sealed class ShardWorld(CaseContext ctx, Checks checks)
{
    public const string Atomic = "SHARD-4.3-atomic", Commit = "SHARD-2.3-commit", Codes = "SHARD-3-messages";
    private int _n;

    public CaseContext Ctx => ctx;
    public Checks Checks => checks;

    public string NewShardId() => $"shard-{ctx.Settings.RunId}-{ctx.Case.Id.ToLowerInvariant()}-{_n++}";

    public Payload NewPayload(string shardId, string? versionId, string? parent, int chunkSize = 1024, int size = 3000) =>
        Payload.Random(n => ctx.Env.NextBytes(n), shardId, versionId, parent, chunkSize, size);

    /// <summary>The edge model over what this case's connections sent: ask it what an input earns.</summary>
    public ShardOracle Oracle { get; } = new();

    public Task<ShardClient> ConnectAsync() => ShardClient.ConnectAsync(ctx, Oracle);

    /// <summary>A complete upload that must commit (recorded under SHARD-2.3-commit).</summary>
    public async Task<bool> CommitAsync(Payload p, string what = "the upload")
    {
        var c = await ConnectAsync();
        var r = await c.UploadAsync(p);
        await ctx.ReleaseAsync(c.Conn);
        return checks.Expect(Commit, r.Type == "commit_ack" && r.Str("registry_id") is { Length: > 0 }, $"{what} of {p.VersionId} is committed (commit_ack with a registry_id)",
            r.Describe(), r.Silent);
    }

    /// <summary>The edge refused: an error (or chunk_nack) with <paramref name="code"/>; the code itself is checked at model level.</summary>
    /// <summary>The reply refuses what <paramref name="c"/> sent last with the code the edge model gives it.</summary>
    public bool Refused(ShardClient c, Reply r, string requirement, string what) => Refused(r, requirement, Oracle.Rejection(c).Code, what);

    /// <summary>§2.2 "If any verification fails, the Edge halts further processing": refused before any chunk is taken, with the model's code.</summary>
    public bool RefusedAtHeader(ShardClient c, Reply r, string requirement, string what) => RefusedAtHeader(c, r, requirement, Oracle.Rejection(c).Code, what);

    /// <summary>The reply refuses with <paramref name="code"/> (the model's; ask ShardOracle for the one an input earns).</summary>
    public bool Refused(Reply r, string requirement, ShardErrorCode code, string what)
    {
        var wire = code.Wire();
        var refused = checks.Expect(requirement, r.Refused, $"{what} is refused ({wire})", r.Describe(), r.Silent);
        if (refused) checks.Expect(Codes, r.Code == wire, $"code {wire}", $"code {r.Code}");
        return refused;
    }

    /// <summary>§2.2 "If any verification fails, the Edge halts further processing": refused before any chunk is taken.</summary>
    public bool RefusedAtHeader(ShardClient c, Reply r, string requirement, ShardErrorCode code, string what) =>
        Refused(r, requirement, code, what)
        && checks.Expect(requirement, !c.HeaderAccepted, $"{what} is refused at the header, before any chunk", "the header was accepted and chunks taken first");

    /// <summary>Reads the registry and checks it still holds exactly <paramref name="versions"/> with <paramref name="canonical"/> on top.</summary>
    public async Task Untouched(string shardId, string? canonical, string[] versions, string requirement = Atomic, string why = "after the refusal")
    {
        var r = await ShardClient.QueryAsync(ctx, shardId);
        if (r.Type != "registry_state") { checks.Expect(requirement, false, "a registry_state for the shard", r.Describe(), r.Silent); return; }
        var (actualCanonical, actual) = Versions(r);
        checks.Expect(requirement, actualCanonical == canonical && actual.Select(v => v.Version).Order().SequenceEqual(versions.Order()),
            $"{why}: canonical {canonical ?? "(none)"}, versions [{string.Join(", ", versions)}]",
            $"canonical {actualCanonical ?? "(none)"}, versions [{string.Join(", ", actual.Select(v => $"{v.Version}:{v.Status}"))}]");
    }

    /// <summary>
    /// After a dropped connection the edge learns of the drop asynchronously, so a partial commit may land after a first
    /// clean read. With an observation channel the suite waits for the edge's <c>shard.session.detached</c> for the token
    /// (an edge that commits instead sends its <c>shard.commit</c>, and one that says neither is read after <see cref="DropNotice"/>); without one it reads the
    /// registry several times over a settle window (about a second) and reports the first change.
    /// </summary>
    public async Task UntouchedAfterDrop(string token, string shardId, string? canonical, string[] versions, string requirement = Atomic)
    {
        if (ctx.Server?.Observations is { } observations)
        {
            // Either the edge saw the drop and kept the session, or it committed a version that must not exist: both end
            // the wait at once. A loaded machine can take seconds to notice a drop, hence the generous bound.
            await observations.WaitForAsync(o => o.Data.ValueKind == JsonValueKind.Object
                && ((o.Name == Model.Shard.ShardObservations.SessionDetached && Text(o.Data, "session_token") == token)
                    || (o.Name == Model.Shard.ShardObservations.Commit && Text(o.Data, "shard_id") == shardId && Text(o.Data, "version_id") is { } v && !versions.Contains(v))),
                DropNotice, ctx.Cancel);
            await Untouched(shardId, canonical, versions, requirement, "after the drop");
            return;
        }
        foreach (var wait in SettleReads)
        {
            await Task.Delay(wait);
            var r = await ShardClient.QueryAsync(ctx, shardId);
            var (actualCanonical, actual) = r.Type == "registry_state" ? Versions(r) : (null, []);
            var same = r.Type == "registry_state" && actualCanonical == canonical && actual.Select(v => v.Version).Order().SequenceEqual(versions.Order());
            if (!same || wait == SettleReads[^1]) { await Untouched(shardId, canonical, versions, requirement, "after the drop"); return; }
        }
    }

    private static readonly TimeSpan DropNotice = TimeSpan.FromSeconds(10);

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    private static readonly int[] SettleReads = [0, 150, 300, 550];

    public static (string? Canonical, (string Version, string Status)[] Versions) Versions(Reply r)
    {
        // The property traces' reader: a malformed entry reads as absent (and fails the comparison) instead of throwing.
        var (canonical, versions, _) = Traces.Shard.RegistryRead.Read(r.Json);
        return (canonical, [.. versions.Select(v => (v.Id, v.Status))]);
    }
}
