// One peer the suite plays against the agent under test: its own identity and connection. It composes and signs
// envelopes with the model (deliberately wrong ones on request), and checks every envelope the agent sends against
// the model (CIP-2-sent, CipAcceptance.Judge as a receiver that knows the agent's key): shape, addressing, fingerprint,
// JCS signature, key, fresh UUID v4 msg_id, payload.
using System.Text.Json.Nodes;
using Conformance.Adapters.WebSockets;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Suite.Core;

namespace Conformance.Suite.Cip.Play;

public sealed class CipPeer
{
    public const string Sent = "CIP-2-sent";
    private readonly HashSet<string> _msgIds;
    private bool _sentChecked;

    private CipPeer(CaseContext ctx, Checks checks, CipIdentity id, IWireConnection conn, HashSet<string> msgIds, IModelEnvironment env)
    {
        Ctx = ctx;
        Env = env;
        Checks = checks;
        Id = id;
        Conn = conn;
        _msgIds = msgIds;
        AgentPeer = new Peer(ctx.Agent!.AgentId, CipIdentity.FingerprintOf(ctx.Agent.AgentKey));
        var agentKey = ctx.Agent.AgentKey;
        // This peer receives from the agent alone, with the key it was configured with; the agent's clock is its own
        // (no window) and its sessions are the agent's business (no session check).
        _fromAgent = new CipReceiving
        {
            Self = new Peer(id.AgentId, id.Fingerprint),
            Pinned = agentId => agentId == AgentPeer.AgentId ? agentKey : null,
            PinnedOnly = true,
            SeenMsgId = msgIds.Contains,
        };
    }

    private readonly CipReceiving _fromAgent;

    public CaseContext Ctx { get; }
    /// <summary>Where this peer's msg_ids, nonces and challenges come from (fresh per run, see CipWorld.Env).</summary>
    public IModelEnvironment Env { get; }
    public Checks Checks { get; }
    public CipIdentity Id { get; }
    public IWireConnection Conn { get; }
    public Peer AgentPeer { get; }
    /// <summary>What this peer says about itself in every envelope.</summary>
    public Signal Signal { get; set; } = new(Presence.Focused, 10, [], null);
    /// <summary>Our view of the agent, sent as trust.sender_view.</summary>
    public string ViewOfAgent { get; set; } = TrustState.Probing.Wire();
    /// <summary>Whether the agent answered one of our HELLOs with a HELLO (whatever else was wrong with it).</summary>
    public bool HelloAnswered { get; set; }
    /// <summary>The challenge of our last HELLO.</summary>
    public byte[] LastChallenge { get; private set; } = [];

    public static async Task<CipPeer> ConnectAsync(CaseContext ctx, Checks checks, CipIdentity id, HashSet<string> agentMsgIds, IModelEnvironment env) =>
        new(ctx, checks, id, await ctx.ConnectAgentAsync(), agentMsgIds, env);

    /// <summary>A signed envelope from this peer; <paramref name="tamper"/> edits it before signing (or after, if <paramref name="afterSigning"/>).</summary>
    public string Compose(CipType type, JsonObject payload, Action<JsonObject>? tamper = null, bool afterSigning = false,
        string? msgId = null, DateTimeOffset? timestamp = null, Ed25519Signer? signer = null)
    {
        var env = CipCompose.Unsigned(Id, AgentPeer, type, payload, msgId ?? Env.NewUuid(), timestamp ?? DateTimeOffset.UtcNow,
            ViewOfAgent, "unknown", Signal);
        if (!afterSigning) tamper?.Invoke(env);
        var text = CipSigning.Sign(env, signer ?? Id.Key);
        if (!afterSigning) return text;
        var signed = JsonNode.Parse(text)!.AsObject();
        tamper!(signed);
        return signed.ToJsonString();
    }

    /// <summary>The msg_id keys (CipAcceptance.MsgKey) of the envelopes this peer sent: what the agent has seen from it.</summary>
    public HashSet<string> SentKeys { get; } = [];

    public async Task<string> SendAsync(string text)
    {
        if (CipEnvelopes.Parse(text).Envelope is { } e) SentKeys.Add(CipAcceptance.MsgKey(e));
        await Conn.SendTextAsync(text);
        return text;
    }

    public Task<string> SendAsync(CipType type, JsonObject payload, Action<JsonObject>? tamper = null) => SendAsync(Compose(type, payload, tamper));

    public static JsonObject HelloPayload(byte[] nonce, byte[] challenge, JsonObject? features = null) => new()
    {
        ["protocols"] = CipCompose.Array(["cip/1.0"]),
        ["capabilities"] = CipCompose.Array(["state_exchange", "knowledge_exchange", "dmp_trace"]),
        ["session_nonce"] = Convert.ToBase64String(nonce),
        ["challenge"] = Convert.ToBase64String(challenge),
        ["features"] = features ?? new JsonObject { ["supports_mesh"] = true, ["supports_multiplex"] = true },
    };

    /// <summary>A HELLO with a fresh nonce and challenge (remembered for checking the agent's response).</summary>
    public string Hello(Action<JsonObject>? tamper = null, JsonObject? features = null, bool afterSigning = false, Ed25519Signer? signer = null,
        byte[]? nonce = null)
    {
        LastChallenge = Env.NextBytes(32);
        return Compose(CipType.Hello, HelloPayload(nonce ?? Env.NextBytes(16), LastChallenge, features), tamper, afterSigning, signer: signer);
    }

    public static JsonObject Intent(string goal = "ask", string topic = "trust", string priority = "normal") =>
        new() { ["goal"] = goal, ["topic"] = topic, ["priority"] = priority, ["context"] = "conformance probe" };

    /// <summary>The next envelope from the agent (inbox first), or null after <paramref name="timeout"/> or a close.</summary>
    public Task<Received?> NextAsync(TimeSpan? timeout = null) => ExpectAsync(_ => true, timeout);

    /// <summary>
    /// The first envelope that matches, from those already received but not yet taken, then from the wire. Others
    /// stay in the inbox for later expectations: a sync probe must not swallow a resolution that came before it.
    /// </summary>
    public async Task<Received?> ExpectAsync(Func<Received, bool> match, TimeSpan? timeout = null)
    {
        var buffered = _inbox.FindIndex(r => match(r));
        if (buffered >= 0)
        {
            var hit = _inbox[buffered];
            _inbox.RemoveAt(buffered);
            return hit;
        }
        var deadline = DateTime.UtcNow + (timeout ?? Ctx.Step);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            var ev = await Conn.ReceiveAsync(left, Ctx.Cancel);
            if (ev is not WireEvent.Text t) return null;
            var r = Check(t.Value);
            if (match(r)) return r;
            _inbox.Add(r);
            // The agent answered, but with something unreadable: wait a moment for the awaited reply, not a whole step.
            if (r.Problem is not null && deadline - DateTime.UtcNow > Grace) deadline = DateTime.UtcNow + Grace;
        }
    }

    private readonly List<Received> _inbox = [];

    /// <summary>Puts a received envelope back, first in the inbox: a look at what came first leaves it for the expectation that takes it.</summary>
    public void Unread(Received r) => _inbox.Insert(0, r);

    private TimeSpan Grace => Ctx.Step / 4 < TimeSpan.FromMilliseconds(250) ? Ctx.Step / 4 : TimeSpan.FromMilliseconds(250);

    /// <summary>Every envelope the agent sends must be one the model accepts from it (CIP-2-sent).</summary>
    private Received Check(string text)
    {
        var v = CipAcceptance.Judge(text, _fromAgent);
        var e = v.Envelope;
        // The agent's msg_ids are spent once past the replay check, as a receiver records them.
        if (e is not null && v.FailedAt is null or > CipCheck.Replay) _msgIds.Add(CipAcceptance.MsgKey(e));
        // What can be read of a broken reply is still read: the case goes on with it.
        var payload = v.Payload ?? (e is null ? null : CipPayloads.Read(e).Payload);
        var problem = v.Error?.ToString();
        if (problem is not null || !_sentChecked)
        {
            Checks.Expect(Sent, problem is null, "a well-formed envelope, signed over JCS by the agent's key, addressed to this peer, with a fresh UUID v4 msg_id",
                problem ?? "as expected");
            _sentChecked = true;
        }
        // A reply that breaks CIP-2-sent is still a reply: silence checks must see it, and the case goes on with what
        // could be read of it so its own requirement is still judged (the CIP-2-sent failure is recorded above).
        return new Received(e, payload, text, problem);
    }
}
