// `conformance shim --vectors [--fault NAME]`: the reference shim (adapters/SHIM.md) on stdin/stdout, so
// `run --vectors --target "stdio:dotnet conformance.dll shim --vectors"` checks the model against the vectors —
// and, with a fault, shows the suite catching it. `conformance shim --spec S --role R` is a reference implementation
// as a protocol 2 shim (Shim/Conversation/).
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Cli.Shim;
using Conformance.Cli.Shim.Conversation;

namespace Conformance.Cli.Commands;

internal static class ShimCommand
{
    public static async Task<int> ExecuteAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        var a = new Args(args, new HashSet<string> { "vectors" });
        if (a.Get("spec") is not null) return await ShimConversation.ExecuteAsync(a, stdin, stdout, stderr);
        if (!a.Flag("vectors")) throw new UsageException("shim needs --vectors (protocol 1) or --spec lhs|shard|cip [--role ...] (protocol 2): adapters/SHIM.md");
        var fault = ShimFaults.Resolve(a.Get("fault"));
        a.RejectUnknown();
        using var shim = new ReferenceShim(fault);
        string? line;
        while ((line = await stdin.ReadLineAsync()) is not null)
        {
            if (line.Length == 0) continue;
            JsonObject answer;
            long? id = null;
            var bye = false;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                id = r.GetProperty("id").GetInt64();
                var op = r.GetProperty("op").GetString();
                bye = op == "bye";
                answer = op switch
                {
                    "hello" => new JsonObject { ["name"] = shim.Name, ["protocol"] = 1, ["ops"] = new JsonArray([.. ReferenceShim.Ops.Select(o => (JsonNode)o)]) },
                    "bye" => [],
                    _ => shim.Answer(op ?? "", r),
                };
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                // A request the shim cannot read is the shim's (or the suite's) problem, not a verdict on the input.
                await stderr.WriteLineAsync($"shim: cannot answer {Clip(line)}: {e.Message}");
                answer = new JsonObject { ["error"] = e.Message };
            }
            var response = new JsonObject { ["id"] = id };
            foreach (var (k, v) in answer) response[k] = v?.DeepClone();
            await stdout.WriteLineAsync(response.ToJsonString());
            await stdout.FlushAsync();
            if (bye) break;
        }
        return Cli.Ok;
    }

    private static string Clip(string s) => s.Length <= 120 ? s : s[..120] + "…";
}
