// §4.3 "The CCML Node maintains a local ledger of transfers, ensuring that if the Lattice fails or the network drops
// mid-transfer, the handshake can resume or revert gracefully." JSON lines, appended and flushed one by one.
using System.Text.Json;

namespace Conformance.Reference.Shard;

public sealed class ShardLedger(string path)
{
    private readonly Lock _gate = new();

    public string Path => path;

    public void Append(JsonElement entry)
    {
        lock (_gate)
        {
            using var f = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var line = System.Text.Encoding.UTF8.GetBytes(entry.GetRawText() + "\n");
            f.Write(line);
            f.Flush(flushToDisk: true);
        }
    }

    public IReadOnlyList<JsonElement> Entries()
    {
        lock (_gate)
        {
            if (!File.Exists(path)) return [];
            return [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        }
    }

    /// <summary>The session token of the latest upload of this version that started and neither committed nor aborted.</summary>
    public string? OpenSession(string shardId, string versionId)
    {
        string? open = null;
        foreach (var e in Entries())
        {
            var ev = e.GetProperty("event").GetString();
            var token = e.TryGetProperty("session_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (ev == "started" && e.GetProperty("shard_id").GetString() == shardId && e.GetProperty("version_id").GetString() == versionId) open = token;
            else if (ev is "committed" or "aborted" && token == open) open = null;
        }
        return open;
    }
}
