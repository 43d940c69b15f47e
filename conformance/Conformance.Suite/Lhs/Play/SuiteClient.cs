// The suite as an LHS client, for a server IUT. The client machine drives the conversation and judges every reply;
// cases may send their own (deliberately wrong) frames through the same connection.
// Over the http adapter (§5) the same calls work: the hello and bind a case sends are held back and go out together
// as the LHS-Hello and LHS-Bind headers of one upgrade request when the case first reads; the answer is then read
// back as the messages the WebSocket profile would have carried (a 101's mirror and seal, or a 4xx's error frame and
// the end of the connection), and the upgraded connection carries the flow.
using System.Text;
using System.Text.Json;
using Conformance.Adapters.Http;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Suite.Core;

namespace Conformance.Suite.Lhs.Play;

public sealed class SuiteClient
{
    private IWireConnection? _conn;
    // Over http: the frames held back for the request, the answer still to be read, and the bind the headers carried.
    private readonly List<string> _held = [];
    private string? _plannedBind;
    private Queue<Seen>? _answer;
    private string? _headerBind;
    private bool _bindSent;
    private string? _helloReading;

    private SuiteClient(CaseContext ctx, Checks checks, IWireConnection? conn, LhsClientConfig config)
    {
        Ctx = ctx;
        Checks = checks;
        _conn = conn;
        Config = config;
    }

    public CaseContext Ctx { get; }
    public Checks Checks { get; }
    /// <summary>True over the http adapter: the handshake travels in one upgrade request.</summary>
    public bool OverHttp => Ctx.Server is HttpUpgradeServerTarget;
    public IWireConnection Conn => _conn ?? throw new InvalidOperationException("over the http adapter there is a connection only after a 101");
    /// <summary>Over http: the IUT's answer to the upgrade request, once sent.</summary>
    public HttpResponse? HttpAnswer { get; private set; }
    public LhsClientConfig Config { get; private set; }
    public LhsClientState? State { get; private set; }
    public Mirror? Mirror => State?.Mirror;
    public FlowContract? Contract => State?.Contract;
    /// <summary>What the IUT did last when a step did not go as the model expects.</summary>
    public Seen? LastSeen { get; private set; }

    public const string FlowAccepted = "LHS-6-flow-accepted";
    public const string FramesSent = "LHS-6-frames-sent";

    /// <summary>Connects with the default client config (json, cbor; ltp, lss, telemetry; 65536) unless given one.</summary>
    public static async Task<SuiteClient> ConnectAsync(CaseContext ctx, Checks checks, Func<LhsClientConfig, LhsClientConfig>? configure = null)
    {
        var conn = ctx.Server is HttpUpgradeServerTarget ? null : await ctx.ConnectAsync();
        var config = DefaultConfig(ctx);
        return new SuiteClient(ctx, checks, conn, configure is null ? config : configure(config));
    }

    public static LhsClientConfig DefaultConfig(CaseContext ctx) =>
        new("0.1", ["json", "cbor"], ["ltp", "lss", "telemetry"], 65536, ctx.Env.NewUuid(), ctx.Server!.ServerKey,
            Context: JsonDocument.Parse("{\"intent\":{\"type\":\"teach\"},\"affect\":{\"pad\":[0.2,0.1,0.3]}}").RootElement.Clone(),
            Session: JsonDocument.Parse("{\"kind\":\"ephemeral\",\"locale\":\"en-US\"}").RootElement.Clone());

    public Task<bool> SendAsync(string text)
    {
        if (!OverHttp) return Conn.SendTextAsync(text);
        if (_answer is null)
        {
            if (_held.Count == 2) throw new InvalidOperationException("over http only a hello and a bind precede the upgrade: this case is not applicable");
            _held.Add(text);
            return Task.FromResult(true);
        }
        // The bind already travelled in LHS-Bind; a different one cannot follow it (PlanBind it instead).
        if (!_bindSent && ControlFrame.Parse(text) is { IsOk: true } f && f.Value!.Step == LhsStepName.Bind)
        {
            if (text != _headerBind) throw new InvalidOperationException("over http the bind travels with the hello: PlanBind it before the hello");
            _bindSent = true;
            return Task.FromResult(true);
        }
        return _conn is null ? Task.FromResult(false) : _conn.SendTextAsync(text);
    }

    public Task<bool> SendAsync(byte[] frame)
    {
        if (OverHttp && _answer is null) throw new InvalidOperationException("over http no flow frame can precede the upgrade: this case is not applicable");
        return _conn is null ? Task.FromResult(false) : _conn.SendBinaryAsync(frame);
    }

    private Seen? _replay;

    public async Task<Seen> NextAsync()
    {
        if (_replay is { } again) { _replay = null; return LastSeen = again; }
        if (OverHttp)
        {
            if (_answer is null) await UpgradeAsync();
            if (_answer!.Count > 0) return LastSeen = _answer.Dequeue();
            if (_conn is null) return LastSeen = new Seen.Closed(null, "no upgrade");
        }
        return LastSeen = Seen.From(await Conn.ReceiveAsync(Ctx.Step, Ctx.Cancel));
    }

    /// <summary>Over http: the bind to put in LHS-Bind (a case that sends a non-default bind names it before the hello).</summary>
    public void PlanBind(string bind) => _plannedBind = bind;

    /// <summary>§5 requirements the http exchange checks when the case declares them.</summary>
    public const string UpgradeHeaders = "LHS-5-upgrade-headers";

    /// <summary>Over http: the held-back hello and bind as one upgrade request; its answer becomes the messages to read.</summary>
    private async Task UpgradeAsync()
    {
        var hello = _held.ElementAtOrDefault(0);
        _headerBind = _held.ElementAtOrDefault(1) ?? _plannedBind ?? Config.BindText();
        _bindSent = _held.Count > 1;
        var r = await Ctx.UpgradeAsync(HttpRejection.Headers(hello, _headerBind));
        HttpAnswer = r.Response;
        _answer = new Queue<Seen>();
        if (r.Response is not { } response)
        {
            _answer.Enqueue(r.TimedOut ? new Seen.Silent(Ctx.Step) : new Seen.Closed(null, r.Failure));
            return;
        }
        if (response.Status != LhsHttp.SwitchingProtocols || r.Connection is null)
        {
            // A refusal (or a 101 the adapter could not accept): the body, then the end of the connection.
            if (response.Status != LhsHttp.SwitchingProtocols) _answer.Enqueue(Seen.From(new WireEvent.Text(response.Body)));
            _answer.Enqueue(new Seen.Closed(null, r.Failure ?? $"HTTP {response.Status}, no upgrade"));
            return;
        }
        _conn = r.Connection;
        var mirror = LhsHttp.Decode(LhsHttp.MirrorHeader, response.Header(LhsHttp.MirrorHeader));
        var seal = LhsHttp.Decode(LhsHttp.SealHeader, response.Header(LhsHttp.SealHeader));
        var declared = Ctx.Case.Requirements;
        if (declared.Contains(UpgradeHeaders))
            Checks.Expect(UpgradeHeaders, mirror.IsOk && seal.IsOk, "a 101 with LHS-Mirror and LHS-Seal, each the base64url of its frame",
                mirror.Error?.Detail ?? seal.Error?.Detail ?? "both present and decodable");
        if (declared.Contains(HttpRejection.AfterSeal))
            Checks.Expect(HttpRejection.AfterSeal, seal.IsOk, "the 101 carries the seal (generated before switching protocols)", seal.Error?.Detail ?? "it does");
        // What the headers carried, read back in WebSocket order; a missing header ends the handshake there.
        if (!mirror.IsOk) { _answer.Enqueue(new Seen.Closed(null, mirror.Error!.Detail)); return; }
        _answer.Enqueue(Seen.From(new WireEvent.Text(mirror.Value!)));
        if (!seal.IsOk) { _answer.Enqueue(new Seen.Closed(null, seal.Error!.Detail)); return; }
        _answer.Enqueue(Seen.From(new WireEvent.Text(seal.Value!)));
    }

    /// <summary>Sends the config's hello, or <paramref name="raw"/> (which must validate) as the hello to track.</summary>
    public async Task HelloAsync(string? raw = null)
    {
        var start = LhsClient.Start(Config);
        State = start.State;
        if (raw is not null)
            State = State with { Hello = Hello.Validate(ControlFrame.Parse(raw).Value!).Value ?? throw new ArgumentException("raw hello must validate") };
        // A hello the model answers only under one of its readings: a server that refuses it is reported on that reading.
        _helloReading = Negotiation.AcceptanceReading(State.Hello, ServerCapabilities.Reference);
        await SendAsync(raw ?? ((LhsOutput.SendText)start.Outputs[0]).Value);
    }

    /// <summary>
    /// Reads the mirror and has the client machine judge it. True when the handshake can go on: the mirror is
    /// acceptable, or its defects were recorded and the tolerant reading goes on past them (so one defect does not
    /// hide the next: the case still judges what it is about).
    /// </summary>
    public async Task<bool> ExpectMirrorAsync() => await ExpectMirrorAsync(encodingsMayBeUnsupported: false);

    /// <summary>
    /// True when the last hello was refused with lhs.encoding_negotiation_failed although it offered only encodings
    /// the IUT was never seen to negotiate: no encoding is mandatory (SPEC-NOTES "Encoding choice"), so that is its choice.
    /// </summary>
    public bool RefusedUnsupportedEncodings { get; private set; }

    /// <summary>The IUT supports none of this hello's encodings as far as the run knows (its refusal is then legitimate).</summary>
    public bool EncodingsUnknown => !State!.Hello.Encodings.Any(e => Ctx.Settings.Facts.Supports("lhs", "server", e));

    /// <param name="encodingsMayBeUnsupported">A hello that narrows the encodings (traces): a refusal for want of a
    /// shared encoding is not a failure while the IUT was never seen to negotiate any of them.</param>
    public async Task<bool> ExpectMirrorAsync(bool encodingsMayBeUnsupported)
    {
        RefusedUnsupportedEncodings = false;
        if (encodingsMayBeUnsupported && EncodingsUnknown)
        {
            var peek = await NextAsync();
            if (peek is Seen.Error { Code: "lhs.encoding_negotiation_failed" })
            {
                RefusedUnsupportedEncodings = true;
                Ctx.Trace.Note($"refused for want of a shared encoding; the IUT was never seen to negotiate {string.Join(" or ", State!.Hello.Encodings)}");
                return false;
            }
            _replay = peek;
        }
        var step = await StepOnReply("a mirror");
        if (step is null) return false;
        foreach (var e in step.Tolerated)
            Checks.Expect(ServerSent(e.Rule), false, "a mirror with every field, compatible with the hello", e.Detail);
        if (!step.GoesOn)
        {
            Checks.Expect(ServerSent(step.Strict.Rejected!.Rule), false, "a mirror compatible with the hello", step.Strict.Rejected.Detail);
            return false;
        }
        State = step.State;
        Ctx.Settings.Facts.Negotiated("lhs", "server", State!.Mirror!.Contract.Encoding);
        var broken = step.Tolerated.Select(e => ServerSent(e.Rule)).ToHashSet();
        const string ok = "a mirror with every field, compatible with the hello";
        if (!broken.Contains(LhsRules.MirrorFields)) Checks.Expect(LhsRules.MirrorFields, true, ok, "mirror " + State!.Mirror!.Json.GetRawText());
        if (!broken.Contains(LhsRules.Negotiation)) Checks.Expect(LhsRules.Negotiation, true, "one encoding the hello offered", $"\"{State!.Mirror!.Contract.Encoding}\"");
        if (!broken.Contains(LhsRules.FeaturesSubset))
            Checks.Expect(LhsRules.FeaturesSubset, true, "features and max_frame_bytes within the hello's",
                $"[{string.Join(",", State!.Mirror!.Contract.Features)}], {State.Mirror.Contract.MaxFrameBytes}");
        return true;
    }

    /// <summary>Sends the bind the machine produced, or <paramref name="raw"/> (which must validate) as the bind to track.</summary>
    public async Task BindAsync(string? raw = null)
    {
        var text = raw ?? Config.BindText();
        if (raw is not null)
            State = State! with { Bind = Bind.Validate(ControlFrame.Parse(raw).Value!).Value ?? throw new ArgumentException("raw bind must validate") };
        await SendAsync(text);
    }

    /// <summary>
    /// Reads the seal and verifies it with the IUT's key over JCS([hello, mirror, bind, nonce]). True when flow can
    /// follow: the seal verifies, or its defects were recorded and the tolerant reading opens the flow anyway.
    /// </summary>
    /// <summary>True once a seal arrived whose signature verified (the case may have gone on past one that did not).</summary>
    public bool SealVerified { get; private set; }

    /// <summary>Expects the seal; true when the case can go on to flow (also past a seal that broke a rule, recorded).</summary>
    public async Task<bool> ExpectSealAsync()
    {
        SealVerified = false;
        var step = await StepOnReply("a seal");
        if (step is null) return false;
        const string want = "a seal whose signature verifies over JCS([hello, mirror, bind, nonce])";
        foreach (var e in step.Tolerated) Checks.Expect(ServerSent(e.Rule), false, e.Rule == LhsRules.SealCovers ? want : "a seal with every field", e.Detail);
        if (!step.GoesOn)
        {
            Checks.Expect(ServerSent(step.Strict.Rejected!.Rule), false, want, step.Strict.Rejected.Detail);
            return false;
        }
        State = step.State;
        if (step.SealUnverifiable) Checks.Blocked(LhsRules.SealCovers, want + " (neither the mirror nor the seal names the nonce it covers)");
        else if (step.Tolerated.All(e => e.Rule != LhsRules.SealCovers)) SealVerified = Checks.Expect(LhsRules.SealCovers, true, want, "it verifies");
        if (step.Tolerated.All(e => e.Rule != LhsRules.SealFields))
        {
            var details = SealRules.CheckDetails(State!.Seal!, State.Mirror!, Ctx.Env.Now);
            Checks.Expect(LhsRules.SealFields, details is null, "session_id, a future RFC 3339 expires_at, features.ltp.jws with EdDSA and the nonce", details?.Detail ?? "all present");
        }
        return true;
    }

    /// <summary>hello → mirror → bind → seal with the config; records that a valid handshake reached flow.</summary>
    public Task<bool> HandshakeAsync() => HandshakeAsync(encodingsMayBeUnsupported: false);

    /// <summary>The handshake; see <see cref="ExpectMirrorAsync(bool)"/> for <paramref name="encodingsMayBeUnsupported"/>.</summary>
    public async Task<bool> HandshakeAsync(bool encodingsMayBeUnsupported)
    {
        await HelloAsync();
        if (!await ExpectMirrorAsync(encodingsMayBeUnsupported)) return false;
        await BindAsync();
        if (!await ExpectSealAsync()) return false;
        Checks.Expect(FlowAccepted, true, "a valid handshake reaches flow", "sealed");
        return true;
    }

    /// <summary>A well-formed flow frame under the negotiated contract.</summary>
    public byte[] FlowFrame(string json = "{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"}}", string payload = "liminal")
    {
        using var doc = JsonDocument.Parse(json);
        return Model.Lhs.FlowFrame.Encode(Contract!, doc.RootElement, Encoding.UTF8.GetBytes(payload));
    }

    /// <summary>After a valid flow frame: an echo (checked against the contract) or silence is acceptance.</summary>
    public async Task<bool> ExpectFlowAcceptedAsync()
    {
        var seen = await NextAsync();
        switch (seen)
        {
            case Seen.Flow f:
                var step = LhsClient.Step(State!, new LhsInput.Binary(f.Bytes), Config);
                Checks.Expect(FlowAccepted, true, "the flow frame is accepted", "answered with a flow frame");
                Checks.Expect(step.Rejected is { } r ? ServerSent(r.Rule) : FramesSent, step.Rejected is null, "an LCE frame in the negotiated encoding within max_frame_bytes",
                    step.Rejected?.Detail ?? $"a valid {Contract!.Encoding} LCE frame of {f.Bytes.Length} bytes");
                if (step.Rejected is null) State = step.State;
                return step.Rejected is null;
            case Seen.Silent:
                return Checks.Expect(FlowAccepted, true, "the flow frame is accepted", "no reply (accepted silently)");
            default:
                return Checks.Expect(FlowAccepted, false, "the flow frame is accepted", seen.Describe());
        }
    }

    private async Task<LhsTolerantStep?> StepOnReply(string what)
    {
        var seen = await NextAsync();
        if (seen is Seen.Control or Seen.Garbage)
        {
            var raw = seen is Seen.Control c ? c.Raw : ((Seen.Garbage)seen).Raw;
            return LhsClient.StepTolerant(State!, new LhsInput.Text(raw), Config);
        }
        var rule = what == "a mirror" && _helloReading is { } reading && Ctx.Case.Requirements.Contains(reading) ? reading : FlowAccepted;
        Checks.Expect(rule, false, $"{what} in answer to a valid handshake", seen.Describe(), timedOut: seen is Seen.Silent);
        return null;
    }

    /// <summary>A server-sent frame broke <paramref name="rule"/>: the server-role requirement for it.</summary>
    private static string ServerSent(string rule) => rule switch
    {
        LhsRules.Json => LhsRules.MirrorFields,
        LhsRules.FrameLimit or LhsRules.EncodingEnforced or LhsRules.FeaturesEnforced or LhsRules.LceShape or LhsRules.LceOnly => FramesSent,
        LhsRules.SingleShot => LhsRules.Order,
        // The project's readings stay model level whoever breaks them.
        LhsRules.DuplicateMembers or LhsRules.FeatureMembers => rule,
        _ => rule,
    };
}
