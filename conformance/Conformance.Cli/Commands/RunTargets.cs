// The run's IUTs, spec by spec and role by role: an external one (a URL, checked reachable first, or a client that
// connects to --listen), a stdio shim, or the spec's own embedded reference (SpecModule.StartEmbedded).
using Conformance.Adapters.WebSockets;
using Conformance.Suite.Core;
using Conformance.Suite.Specs;

namespace Conformance.Cli.Commands;

internal static class RunTargets
{
    /// <summary>Starts or reaches every IUT the cases need; throws IutUnreachableException when one cannot be reached.</summary>
    public static async Task<(Dictionary<string, Targets> BySpec, FirstConnectionGrace? External)> StartAsync(RunOptions o, IReadOnlyList<CaseDef> cases,
        IReadOnlyList<string> specs, Resources resources, TextWriter stdout)
    {
        var bySpec = new Dictionary<string, Targets>();
        FirstConnectionGrace? external = null;
        foreach (var spec in specs)
        {
            var module = Specs.Of(spec);
            bool Plays(IutRole r) => cases.Any(c => c.Spec == spec && c.Role == r);
            // The spec's own embedded reference in that role, broken by the run's fault.
            async Task<Targets> Embedded(IutRole r)
            {
                var start = module.StartEmbedded(new EmbeddedStart(o.Seed, o.Fault, o.Adapter), r)
                    ?? throw new UsageException($"{spec} has no embedded reference in the {r.Name()} role");
                var iut = await start;
                resources.Add(iut.Owner);
                return iut.Targets;
            }
            IServerTarget? server = null;
            IClientTarget? client = null;
            IAgentTarget? agent = null;
            // A stdio IUT (external, or the reference as a shim): one shim process per spec and role.
            if (o.Stdio is not null || o.ViaStdio)
            {
                foreach (var role in new[] { IutRole.Server, IutRole.Client, IutRole.Agent }.Where(Plays))
                {
                    string? store = null;
                    if (o.ViaStdio && module.ServerKeepsState && role == IutRole.Server) store = resources.Add(new TempDirectory("conformance-registry-")).Path;
                    var shim = resources.Add(await RunStdio.StartAsync(o.Stdio ?? RunStdio.Reference(spec, role, o.Fault, o.Seed, store), spec, role, o.KeyText, o.AgentId, o.Step));
                    if (role == IutRole.Server) server = (IServerTarget)shim;
                    else if (role == IutRole.Client) client = (IClientTarget)shim;
                    else agent = (IAgentTarget)shim;
                }
            }
            else
            {
            if (Plays(IutRole.Server))
            {
                if (o.Target is not null)
                {
                    if (o.Adapter == "http") await HttpProbe(o.Target, Probe(o.Step));
                    else await using (await WebSocketClient.ConnectAsync(o.Target, Probe(o.Step))) { }
                    var observations = o.Observe is null ? null : resources.Add(await WebSocketObservations.ConnectAsync(o.Observe, o.Step));
                    server = o.Adapter == "http" ? new HttpUpgradeServerTarget(o.Target, o.IutKey, observations) : new WebSocketServerTarget(o.Target, o.IutKey, observations);
                }
                else server = (await Embedded(IutRole.Server)).Server;
            }
            if (Plays(IutRole.Client))
            {
                if (o.Listen is not null)
                {
                    IClientTarget inner;
                    Uri url;
                    try
                    {
                        if (o.Adapter == "http")
                        {
                            var http = resources.Add(await Adapters.Http.HttpUpgradeListener.StartAsync(o.Listen));
                            (inner, url) = (new HttpUpgradeClientTarget(http), http.Url);
                        }
                        else
                        {
                            var ws = resources.Add(await WebSocketListener.StartAsync(o.Listen));
                            (inner, url) = (new WebSocketClientTarget(ws), ws.Url);
                        }
                    }
                    catch (IOException e) { throw new UsageException($"cannot listen on {o.Listen}: {e.Message}"); }
                    var grace = o.AcceptGiven ? o.Accept : TimeSpan.FromSeconds(30);
                    client = external = inner is IHttpUpgradeClientTarget http2 ? new HttpFirstConnectionGrace(http2, grace) : new FirstConnectionGrace(inner, grace);
                    stdout.WriteLine(module.WaitingForClient(url));
                }
                else client = (await Embedded(IutRole.Client)).Client;
            }
            if (Plays(IutRole.Agent))
            {
                if (o.Target is null)
                    agent = (await Embedded(IutRole.Agent)).Agent;
                else
                {
                    await using (await WebSocketClient.ConnectAsync(o.Target, Probe(o.Step))) { }
                    var observations = o.Observe is null ? null : resources.Add(await WebSocketObservations.ConnectAsync(o.Observe, o.Step));
                    agent = new WebSocketAgentTarget(o.Target, o.AgentId!, o.IutKey, observations);
                }
            }
            }
            bySpec[spec] = new Targets(server, client, agent);
        }
        return (bySpec, external);
    }

    /// <summary>Reachability for the http adapter: a TCP connection (an upgrade request is a case's business).</summary>
    private static async Task HttpProbe(Uri target, TimeSpan timeout)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        using var cts = new CancellationTokenSource(timeout);
        try { await tcp.ConnectAsync(target.Host, target.Port, cts.Token); }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            throw new IutUnreachableException($"cannot open a TCP connection to {target}: {e.Message}", e);
        }
    }

    /// <summary>The reachability check before a run: generous, since failing it ends the run with exit 3.</summary>
    private static TimeSpan Probe(TimeSpan step) => step > TimeSpan.FromSeconds(10) ? step : TimeSpan.FromSeconds(10);

    /// <summary>Disposes what the run started, in reverse order.</summary>
    internal sealed class Resources : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _items = [];
        public T Add<T>(T item) where T : IAsyncDisposable { _items.Add(item); return item; }
        public async ValueTask DisposeAsync()
        {
            for (var i = _items.Count - 1; i >= 0; i--) await _items[i].DisposeAsync();
        }
    }

    /// <summary>A temporary directory removed when the run ends (a stdio reference edge's registry).</summary>
    internal sealed class TempDirectory(string prefix) : IAsyncDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;
        public ValueTask DisposeAsync()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>An external client IUT gets longer for its first connection (someone may still be starting it).</summary>
    internal class FirstConnectionGrace(IClientTarget inner, TimeSpan first) : IClientTarget
    {
        /// <summary>The wait for the next connection: the grace until one has arrived, then <paramref name="timeout"/>.</summary>
        protected TimeSpan Wait(TimeSpan timeout) => EverConnected ? timeout : (first > timeout ? first : timeout);

        public bool EverConnected { get; protected set; }
        public string Adapter => inner.Adapter;
        public string Describe => inner.Describe;

        public async Task<IWireConnection?> AcceptAsync(Adapters.Trace.WireTrace trace, TimeSpan timeout, CancellationToken cancel)
        {
            var conn = await inner.AcceptAsync(trace, Wait(timeout), cancel);
            EverConnected |= conn is not null;
            return conn;
        }
    }

    /// <summary>The same grace for a client IUT over the http adapter.</summary>
    internal sealed class HttpFirstConnectionGrace(IHttpUpgradeClientTarget inner, TimeSpan first) : FirstConnectionGrace(inner, first), IHttpUpgradeClientTarget
    {
        public async Task<Adapters.Http.PendingUpgrade?> AcceptUpgradeAsync(Adapters.Trace.WireTrace trace, TimeSpan timeout, CancellationToken cancel)
        {
            var pending = await inner.AcceptUpgradeAsync(trace, Wait(timeout), cancel);
            EverConnected |= pending is not null;
            return pending;
        }
    }
}
