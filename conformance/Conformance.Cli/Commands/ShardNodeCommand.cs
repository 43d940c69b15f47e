// `conformance agent --spec shard`: the reference CCML node uploads a file (with a progress line on a terminal),
// resumes after a drop from its ledger, or asks the edge to roll a version back.
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Hosting;
using Conformance.Reference.Shard;

namespace Conformance.Cli.Commands;

internal static class ShardNodeCommand
{
    public static async Task<int> ExecuteAsync(Args a, TextWriter stdout, CancellationToken cancel)
    {
        var target = a.Uri("target", "ws", "wss") ?? throw new UsageException("agent --spec shard: --target ws://HOST:PORT/shard is required");
        var file = a.Get("file");
        var rollback = a.Get("rollback");
        var reason = a.Get("reason") ?? "user-initiated revert";
        var shardId = a.Get("shard-id");
        var version = a.Get("version");
        var parent = a.Get("parent");
        var chunkSize = a.Int("chunk-size", 64 * 1024, min: 1, max: (int)ShardMessages.MaxChunkSize);
        var ledgerPath = a.Get("ledger");
        var loop = a.Flag("loop");
        var step = TimeSpan.FromMilliseconds(a.Int("timeout-ms", 10_000));
        var fault = FaultsCommand.Resolve(a.Get("fault"));
        var keyLabel = a.Get("key-seed") ?? TestKeys.SuiteShardNodeLabel;
        a.RejectUnknown();
        if (fault is not null && (fault.Spec != Suite.Specs.ShardSpec.Module.Name || fault.Side != Reference.Faults.FaultSide.Client)) throw new UsageException($"fault {fault.Name} does not break the CCML node");
        using var key = TestKeys.FromLabel(keyLabel);

        if (rollback is not null)
        {
            if (shardId is null) throw new UsageException("--rollback needs --shard-id");
            return await RollbackAsync(target, shardId, rollback, reason, key, step, stdout, cancel);
        }
        if (file is null) throw new UsageException("agent --spec shard: --file F is required (or --rollback VERSION --shard-id ID)");
        if (!File.Exists(file)) throw new UsageException($"no such file: {file}");

        var shard = ShardFile.Scan(file, chunkSize);
        var upload = new ShardUpload(shardId ?? Path.GetFileName(file), version ?? VersionIds.ForRoot(shard.Tree.Root), parent, chunkSize, shard.Size, shard.Leaves);
        var ledger = new ShardLedger(ledgerPath ?? file + ".ledger.jsonl");
        var cfg = new ShardNodeConfig(key, ShardNodeConfig.ReferenceVersions, upload);
        var terminal = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null or "" or "false";
        var last = DateTime.MinValue;
        void Progress(long done, long total)
        {
            if (!terminal || (DateTime.UtcNow - last).TotalMilliseconds < 100 && done < total) return;
            last = DateTime.UtcNow;
            stdout.Write($"\r  {done}/{total} chunks ({(total == 0 ? 100 : 100 * done / total)}%)   ");
        }
        stdout.WriteLine($"uploading {file}: {shard.Size} bytes in {shard.ChunkCount} chunk(s) of {chunkSize} as {upload.ShardId} {upload.VersionId}{(parent is null ? "" : " on " + parent)}");
        if (fault is not null) stdout.WriteLine($"FAULT {fault.Name}: {fault.Summary}");
        var runs = 0;
        NodeOutcome outcome;
        do
        {
            try
            {
                outcome = await ShardAgent.UploadAsync(target, cfg, shard, ledger, SystemEnvironment.Instance, step,
                    fault?.As(ShardNodeBehaviour.Correct), attempts: 3, Progress, cancel);
            }
            catch (IutUnreachableException e)
            {
                if (loop && runs > 0) { stdout.WriteLine($"target gone after {runs} upload(s); stopping"); return Cli.Ok; }
                if (loop) { await Task.Delay(200, cancel); continue; }
                stdout.WriteLine(e.Message);
                return Cli.Unreachable;
            }
            runs++;
            if (terminal) stdout.WriteLine();
            stdout.WriteLine($"upload {runs}: {outcome}");
            if (!loop) return outcome.Committed ? Cli.Ok : Cli.MustFailed;
        } while (!cancel.IsCancellationRequested);
        return Cli.Ok;
    }

    private static async Task<int> RollbackAsync(Uri target, string shardId, string version, string reason, Model.Ltp.Ed25519Signer key, TimeSpan step, TextWriter stdout, CancellationToken cancel)
    {
        await using var conn = await WebSocketClient.ConnectAsync(target, step, cancel: cancel);
        var req = new JsonObject { ["type"] = "rollback_request", ["shard_id"] = shardId, ["version_id"] = version, ["reason"] = reason, ["key_id"] = ShardSigning.KeyId(key.PublicKey) };
        req["signature"] = ShardSigning.Sign(key, ShardSigning.Input(req));
        await conn.SendTextAsync(ShardMessages.Write(req));
        var ev = await conn.ReceiveAsync(step, cancel);
        stdout.WriteLine(ev is WireEvent.Text t ? t.Value : "no answer: " + ev);
        return ev is WireEvent.Text r && r.Value.Contains("\"rollback_intent\"") ? Cli.Ok : Cli.MustFailed;
    }
}
