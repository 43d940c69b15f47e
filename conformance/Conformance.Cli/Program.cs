// conformance — run the suite, compare runs, serve the reference edge, run the reference agent, list faults.
// Exit codes: 0 Ratified (every checklist item met); 1 a must failed; 2 usage or configuration error; 3 the IUT
// could not be reached; 4 no must failed, but a checklist item is not verified (so not Ratified).
using Conformance.Cli;
using Conformance.Cli.Commands;

return await Cli.MainAsync(args, Console.Out, Console.Error);

namespace Conformance.Cli
{
    public static class Cli
    {
        public const int Ok = 0, MustFailed = 1, Usage = 2, Unreachable = 3, NotRatified = Conformance.Suite.Core.Summary.NotRatified;

        public static async Task<int> MainAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancel = default)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { stdout.Write(Help.Text); return args.Length == 0 ? Usage : Ok; }
            try
            {
                return args[0] switch
                {
                    "run" => await RunCommand.ExecuteAsync(args[1..], stdout, stderr, cancel),
                    "replay" => await RunCommand.ExecuteAsync(args[1..], stdout, stderr, cancel, replay: true),
                    "serve" => await ServeCommand.ExecuteAsync(args[1..], stdout, cancel),
                    "agent" => await AgentCommand.ExecuteAsync(args[1..], stdout, cancel),
                    "list-faults" or "--list-faults" => FaultsCommand.Execute(args[1..], stdout),
                    "keys" => KeysCommand.Execute(args[1..], stdout),
                    "compare" => CompareCommand.Execute(args[1..], stdout),
                    "vectors" => await VectorsCommand.ExecuteAsync(args[1..], stdout, stderr),
                    "shim" => await ShimCommand.ExecuteAsync(args[1..], Console.In, stdout, stderr),
                    _ => throw new UsageException($"unknown command \"{args[0]}\" (try --help)"),
                };
            }
            catch (UsageException e)
            {
                stderr.WriteLine("conformance: " + e.Message);
                return Usage;
            }
        }
    }
}
