// The suite as an LHS server, for a client IUT. The server machine (with the suite's published test key) answers;
// a shadow client state, rebuilt from what the IUT actually sent, lets the client machine act as oracle for how the
// IUT must react to each deliberately wrong frame.
using System.Text;
using System.Text.Json;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs.Play;

public sealed class SuiteServer
{
    /// <summary>The key the suite seals with: published in the README so client IUTs can trust it.</summary>
    public static readonly Ed25519Signer Key = TestKeys.SuiteLhsServer();

    private SuiteServer(CaseContext ctx, Checks checks, IWireConnection conn, LhsServerConfig config)
    {
        Ctx = ctx;
        Checks = checks;
        Conn = conn;
        Config = config;
    }

    public CaseContext Ctx { get; }
    public Checks Checks { get; }
    public IWireConnection Conn { get; }
    public LhsServerConfig Config { get; }
    public LhsServerState Server { get; private set; } = LhsServerState.Initial;
    public Hello? Hello => Server.Hello;
    /// <summary>Set when the IUT's hello shares no encoding with this case's capabilities.</summary>
    public LhsError? NegotiationFailure { get; private set; }

    public const string HelloSent = "LHS-3.1-hello-sent";
    public const string BindSent = "LHS-3.3-bind-sent";

    /// <summary>Waits for the client IUT's next connection; the case's server capabilities decide the negotiation.</summary>
    public static async Task<SuiteServer> AcceptAsync(CaseContext ctx, Checks checks, ServerCapabilities? caps = null)
    {
        var config = new LhsServerConfig(caps ?? ServerCapabilities.Reference, Key, TimeSpan.FromHours(1));
        if (ctx.Client is IHttpUpgradeClientTarget)
        {
            // §5: the request's headers are read as hello and bind; mirror and seal go out together in the 101.
            var pending = await ctx.AcceptUpgradeAsync()
                ?? throw new Adapters.WebSockets.IutUnreachableException($"no client IUT sent an upgrade request within {ctx.Settings.AcceptTimeout.TotalSeconds:0} s");
            SuiteServer? self = null;
            var answering = new UpgradeAnswering(pending, (mirror, bind) => self!.SealFor(mirror, bind), ctx.Trace);
            ctx.Track(answering);
            return self = new SuiteServer(ctx, checks, answering, config);
        }
        var conn = await ctx.AcceptAsync()
            ?? throw new Adapters.WebSockets.IutUnreachableException($"no client IUT connected within {ctx.Settings.AcceptTimeout.TotalSeconds:0} s");
        return new SuiteServer(ctx, checks, conn, config);
    }

    public Task<bool> SendAsync(string text) => Conn.SendTextAsync(text);
    public Task<bool> SendAsync(byte[] frame) => Conn.SendBinaryAsync(frame);
    public async Task<Seen> NextAsync() => Seen.From(await Conn.ReceiveAsync(Ctx.Step, Ctx.Cancel));

    /// <summary>Reads the client's hello; returns the mirror the server machine answers with (not yet sent).</summary>
    public async Task<string?> ExpectHelloAsync()
    {
        var seen = await NextAsync();
        if (seen is not (Seen.Control or Seen.Garbage))
        {
            Checks.Expect(HelloSent, false, "a hello", seen.Describe(), timedOut: seen is Seen.Silent);
            return null;
        }
        var read = LhsServer.StepTolerant(Server, new LhsInput.Text(Raw(seen)), Config, Ctx.Env);
        if (read.Strict.Rejected is { Code: LhsErrorCode.EncodingNegotiationFailed } nf) { NegotiationFailure = nf; await RejectAsync(read.Strict); return null; }
        if (!await GoesOnAsync(read, "a valid hello")) return null;
        var step = read.Step;
        Server = step.State;
        Checks.Expect(HelloSent, true, "a hello with lri_version, encodings, features, max_frame_bytes", "hello " + Server.Hello!.Json.GetRawText());
        if (read.Tolerated is null && Ctx.Case.Requirements.Contains(LhsRules.SessionShape))
            Checks.Expect(LhsRules.SessionShape, true, "no session, or a session object", Server.Hello.Json.TryGetProperty("session", out _) ? "a session object" : "no session");
        return ((LhsOutput.SendText)step.Outputs[0]).Value;
    }

    /// <summary>Sends <paramref name="mirror"/> (the machine's or a variant that still validates) and records it as sent.</summary>
    public async Task SendMirrorAsync(string mirror)
    {
        Server = Server with { Mirror = Mirror.Validate(ControlFrame.Parse(mirror).Value!).Value ?? throw new ArgumentException("mirror must validate") };
        await SendAsync(mirror);
    }

    /// <summary>Reads the client's bind; returns the seal the server machine answers with (not yet sent).</summary>
    public async Task<string?> ExpectBindAsync()
    {
        var seen = Conn is UpgradeAnswering http ? Seen.From(http.TakeBind()) : await NextAsync();
        if (seen is not (Seen.Control or Seen.Garbage))
        {
            Checks.Expect(seen is Seen.Flow ? LhsRules.Order : BindSent, false, "a bind", seen.Describe(), timedOut: seen is Seen.Silent);
            return null;
        }
        var read = LhsServer.StepTolerant(Server, new LhsInput.Text(Raw(seen)), Config, Ctx.Env);
        if (!await GoesOnAsync(read, "a valid bind")) return null;
        var step = read.Step;
        Server = step.State;
        Checks.Expect(BindSent, true, "a bind whose thread is a UUID or ULID", $"thread {Server.Bind!.Thread}");
        return ((LhsOutput.SendText)step.Outputs[0]).Value;
    }

    /// <summary>
    /// Records what the client's frame broke. A frame that broke only a model-level reading is read past (the case goes
    /// on, so its own requirement is still judged); any other rejection goes out as the model's error frame and close,
    /// so the IUT's logs say why the suite ended the connection.
    /// </summary>
    private async Task<bool> GoesOnAsync(LhsServerTolerantStep read, string expected)
    {
        if (read.Strict.Rejected is not { } e) return true;
        var requirement = ClientRules.SenderRequirement(e.Rule);
        if (read.GoesOn)
        {
            // A case that does not judge this reading only notes it: it is some other case's subject.
            if (Ctx.Case.Requirements.Contains(requirement)) Checks.Expect(requirement, false, expected, e.Detail);
            else Ctx.Trace.Note($"read past {requirement} (model level): {e.Detail}");
            return true;
        }
        Checks.Expect(requirement, false, expected, e.Detail);
        await RejectAsync(read.Strict);
        return false;
    }

    /// <summary>Performs a rejection's outputs: the error frame then the close (over http, a 4xx whose body is the error frame).</summary>
    private async Task RejectAsync(LhsStep<LhsServerState> step)
    {
        Server = step.State;
        var error = step.Outputs.OfType<LhsOutput.SendText>().Select(o => o.Value).FirstOrDefault();
        var close = step.Outputs.OfType<LhsOutput.Close>().FirstOrDefault();
        if (Conn is UpgradeAnswering http && step.Rejected is { } rejected)
        {
            await http.RefuseAsync(LhsHttp.RejectStatus(rejected.Code), error ?? "");
            return;
        }
        if (error is not null) await SendAsync(error);
        if (close is not null) await Conn.CloseAsync(close.Code, close.Reason);
    }

    /// <summary>hello → mirror → bind, answering with the machine's own frames; returns the seal to send.</summary>
    public async Task<string?> UpToSealAsync()
    {
        var mirror = await ExpectHelloAsync();
        if (mirror is null) return null;
        await SendMirrorAsync(mirror);
        return await ExpectBindAsync();
    }

    /// <summary>
    /// Over http: the machine's seal for <paramref name="bind"/> over <paramref name="mirror"/> as it went out in the 101
    /// (over the machine's own mirror when that one does not validate), so that the mirror is the only thing wrong
    /// with a deliberately bad 101. Null when the machine rejects the bind.
    /// </summary>
    private string? SealFor(string mirror, string bind)
    {
        if (Server.Phase != LhsServerPhase.AwaitBind) return null;
        var sent = ControlFrame.Parse(mirror) is { IsOk: true } m ? Mirror.Validate(m.Value!) : default;
        var state = sent.IsOk && sent.Value is not null ? Server with { Mirror = sent.Value } : Server;
        var step = LhsServer.Step(state, new LhsInput.Text(bind), Config, Ctx.Env);
        return step.Rejected is null ? step.Outputs.OfType<LhsOutput.SendText>().FirstOrDefault()?.Value : null;
    }

    /// <summary>The client as the model sees it now (rebuilt from what it sent), for the oracle.</summary>
    public LhsClientState Shadow(LhsClientPhase phase) => new(phase, Server.Hello!, Server.Mirror, Server.Bind);

    /// <summary>The rejection the client machine gives <paramref name="input"/> in <paramref name="phase"/>.</summary>
    public LhsError Expected(LhsClientPhase phase, LhsInput input) => Oracle.ClientRejects(Shadow(phase), input, Key.PublicKey);

    /// <summary>A well-formed flow frame under the negotiated contract.</summary>
    public byte[] FlowFrame(string json = "{\"v\":1,\"intent\":{\"type\":\"pong\"},\"policy\":{\"consent\":\"granted\"}}", string payload = "from the suite")
    {
        using var doc = JsonDocument.Parse(json);
        return Model.Lhs.FlowFrame.Encode(Server.Mirror!.Contract, doc.RootElement, Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>
    /// After a valid seal: the client must stay in flow. Its flow frames are checked against the contract and echoed;
    /// an error frame or an abnormal close means it rejected a valid seal or flow.
    /// </summary>
    public async Task<Verdict> ExpectFlowAsync(string requirement)
    {
        var frames = 0;
        while (true)
        {
            var seen = await NextAsync();
            switch (seen)
            {
                case Seen.Flow f:
                    frames++;
                    var step = LhsServer.Step(Server, new LhsInput.Binary(f.Bytes), Config, Ctx.Env);
                    Checks.Expect(step.Rejected is { } r ? ClientRules.SenderRequirement(r.Rule) : SuiteClient.FramesSent, step.Rejected is null,
                        "an LCE frame in the negotiated encoding within max_frame_bytes",
                        step.Rejected?.Detail ?? $"a valid {Server.Mirror!.Contract.Encoding} LCE frame of {f.Bytes.Length} bytes");
                    if (step.Rejected is not null) return Checks.Verdict();
                    await SendAsync(f.Bytes);
                    continue;
                case Seen.Closed c when c.Code is null or LhsWire.NormalCloseCode:
                case Seen.Silent:
                    Checks.Expect(requirement, true, "the client stays in flow after a valid seal",
                        $"{frames} flow frame(s), then {seen.Describe()}");
                    return Checks.Verdict(frames == 0 ? "the client sent no flow frame: what it sends was not checked" : null);
                default:
                    Checks.Expect(requirement, false, "the client stays in flow after a valid seal", seen.Describe());
                    return Checks.Verdict();
            }
        }
    }

    private static string Raw(Seen seen) => seen is Seen.Control c ? c.Raw : ((Seen.Garbage)seen).Raw;
}
