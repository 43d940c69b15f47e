// The peers of one CIP case and the moves cases are made of: join (handshake), probe trust, propose, vote, promote.
// Trust anchors are the suite's published identities that the agent under test trusts from first contact; every other
// peer is fresh for the case, so cases do not disturb each other on a long-lived agent.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Core;

namespace Conformance.Suite.Cip.Play;

public sealed class CipWorld(CaseContext ctx, Checks checks)
{
    public const string Response = "CIP-4-response", ResponsePrefix = "CIP-4-response-prefix", StateSignal = "CIP-4-state-signal", TrustGate = "CIP-4-trust-gate";

    /// <summary>What every case may cite just by joining peers.</summary>
    public static readonly string[] Joining = [CipPeer.Sent, Response, ResponsePrefix, StateSignal, TrustGate];

    public static readonly CipIdentity[] Anchors =
        [.. TestKeys.SuiteCipAnchorLabels.Select((label, i) => new CipIdentity($"suite-anchor-{i + 1}", TestKeys.FromLabel(label)))];

    public static readonly CipIdentity Authority = new("suite-authority", TestKeys.FromLabel(TestKeys.SuiteCipAuthorityLabel));

    private readonly HashSet<string> _agentMsgIds = [];
    private int _fresh;

    /// <summary>
    /// The peers' randomness: the case's seeded stream salted with this run's salt. Nonces and msg_ids must be fresh
    /// on every run — a long-lived agent remembers them and rightly drops a reused one as a replay.
    /// </summary>
    public IModelEnvironment Env { get; } = new SeededEnvironment(ctx.Settings.Seed, stream: $"{ctx.Settings.RunId}/{ctx.Case.Id}");

    /// <summary>Fresh identities differ from run to run (RunSettings.RunId): a long-lived agent meets them for the first time.</summary>
    private string Salt => ctx.Settings.RunId;

    public CaseContext Ctx => ctx;
    public Checks Checks => checks;
    public TimeSpan Quiet => ctx.Step / 4 < TimeSpan.FromMilliseconds(250) ? ctx.Step / 4 : TimeSpan.FromMilliseconds(250);

    public CipIdentity NewIdentity(string role)
    {
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{Salt}/{ctx.Case.Id}/{role}/{_fresh++}/{Convert.ToHexString(Env.NextBytes(8))}"));
        return new CipIdentity($"suite-{role}-{Salt}-{Convert.ToHexStringLower(seed)[..8]}", new Ed25519Signer(seed));
    }

    public Task<CipPeer> ConnectAsync(CipIdentity id) => CipPeer.ConnectAsync(ctx, checks, id, _agentMsgIds, Env);

    /// <summary>A new peer that has handshaken: the agent must now see it as probing.</summary>
    public async Task<CipPeer?> FreshAsync(string role)
    {
        var p = await ConnectAsync(NewIdentity(role));
        var view = await HandshakeAsync(p);
        if (view is null) return null;
        return checks.Expect(TrustGate, view == CipOracle.NewPeer, $"a new peer is {CipOracle.NewPeer.Wire()} after a valid handshake", view.Value.Wire()) ? p : null;
    }

    /// <summary>Anchor <paramref name="i"/> (0 or 1: never harmed by any case), handshaken.</summary>
    public async Task<CipPeer?> AnchorAsync(int i)
    {
        var p = await ConnectAsync(Anchors[i]);
        var view = await HandshakeAsync(p);
        if (view is null) return null;
        return checks.Expect(TrustGate, view == CipOracle.Anchor, $"a configured trust anchor is {CipOracle.Anchor.Wire()}", view.Value.Wire()) ? p : null;
    }

    /// <summary>The usual cast of a case: a fresh probing peer and both anchors (all null if any could not join).</summary>
    public async Task<(CipPeer? P, CipPeer? A1, CipPeer? A2)> CastAsync()
    {
        var a1 = await AnchorAsync(0);
        var a2 = await AnchorAsync(1);
        if (a1 is null || a2 is null) return (null, null, null);
        return (await FreshAsync("peer"), a1, a2);
    }

    /// <summary>HELLO → HELLO (with a verifying challenge response) and STATE_UPDATE; returns the agent's view of us.</summary>
    public async Task<TrustState?> HandshakeAsync(CipPeer p, string? hello = null)
    {
        await p.SendAsync(hello ?? p.Hello());
        var reply = await p.ExpectAsync(r => r.Type == CipType.Hello || r.State?.Intent is "defer" or "deny");
        if (reply is null || reply.Type != CipType.Hello)
        {
            checks.Expect(Response, false, "a HELLO answering ours", reply?.Describe() ?? $"nothing within {ctx.Step.TotalMilliseconds:0} ms", reply is null);
            return null;
        }
        p.HelloAnswered = true;
        var answer = reply.Payload is HelloPayload h ? CipSigning.ReadChallengeResponse(ctx.Agent!.AgentKey, p.LastChallenge, h.ChallengeResponse) : (ChallengeAnswer?)null;
        checks.Expect(Response, answer is ChallengeAnswer.Prefixed or ChallengeAnswer.Unprefixed,
            "its own session_nonce and challenge and a challenge_response signed over our challenge", answer switch
            {
                null => "its payload could not be read",
                ChallengeAnswer.Missing => "no challenge_response",
                ChallengeAnswer.Wrong => "challenge_response does not verify over our challenge (prefixed, raw or as base64 text)",
                _ => "it verifies",
            });
        if (answer is ChallengeAnswer.Prefixed or ChallengeAnswer.Unprefixed)
            checks.Expect(ResponsePrefix, answer == ChallengeAnswer.Prefixed, "the signature covers \"CIP/1.0 challenge-response:\" followed by the challenge",
                answer == ChallengeAnswer.Prefixed ? "it does" : "it covers the challenge without the prefix");
        var missedIn = ctx.Settings.Facts.DidNotSendIn(CipCatalog.Spec, "agent", "handshake STATE_UPDATE");
        var signal = await p.ExpectAsync(r => r.State?.Intent == "handshake", missedIn is null ? null : Quiet);
        if (signal is null && missedIn is null) ctx.Settings.Facts.DidNotSend(CipCatalog.Spec, "agent", "handshake STATE_UPDATE", ctx.Case.Id);
        checks.Expect(StateSignal, signal is not null, "a STATE_UPDATE with the agent's presence and lri after its HELLO",
            signal?.Describe() ?? (missedIn is null ? $"none within {ctx.Step.TotalMilliseconds:0} ms"
                : $"none within {Quiet.TotalMilliseconds:0} ms (waited briefly: {missedIn} already waited a whole step for one in vain)"), signal is null && missedIn is null);
        return signal?.State!.PeerState;
    }

    /// <summary>Sends an INTENT; the STATE_UPDATE answering it says how the agent sees us and whether it accepts.</summary>
    public async Task<Received?> ProbeAsync(CipPeer p)
    {
        await p.SendAsync(CipType.Intent, CipPeer.Intent());
        return await p.ExpectAsync(r => r.State?.Intent is "accept" or "defer" or "deny");
    }

    /// <summary>Records the agent's view of <paramref name="p"/> under <paramref name="requirement"/>.</summary>
    public async Task<bool> ExpectTrustAsync(CipPeer p, TrustState expected, string requirement, string why)
    {
        var r = await ProbeAsync(p);
        var actual = r?.State!.PeerState;
        return r is null
            ? checks.ExpectUnlessBlocked(requirement, false, $"{why}: the agent sees {p.Id.AgentId} as {expected.Wire()}", "no answer to an INTENT", true)
            : checks.Expect(requirement, actual == expected, $"{why}: the agent sees {p.Id.AgentId} as {expected.Wire()}",
                $"{actual!.Value.Wire()} (STATE_UPDATE intent {r.State!.Intent})");
    }

    public static JsonObject Claim(string statement, bool withTrace = true, IEnumerable<string>? sources = null, IEnumerable<string>? evidence = null,
        IEnumerable<string>? causalLinks = null, string? decisionId = null)
    {
        var src = (sources ?? ["observation:conformance"]).ToArray();
        var payload = new JsonObject
        {
            ["fact"] = new JsonObject
            {
                ["statement"] = statement, ["domain"] = "conformance", ["confidence"] = 0.9, ["sources"] = CipCompose.Array(src), ["context"] = "suite",
            },
            ["causal_links"] = CipCompose.Array(causalLinks ?? []),
        };
        if (withTrace)
            payload["dmp_trace"] = new JsonObject
            {
                ["decision_id"] = decisionId ?? Guid.NewGuid().ToString(),
                ["steps"] = CipCompose.Array(["observe", "conclude"]),
                ["counterfactuals"] = CipCompose.Array([]),
                ["evidence"] = CipCompose.Array(evidence ?? src),
            };
        return payload;
    }

    /// <summary>
    /// Waits until the agent has processed everything <paramref name="p"/> sent: its answer to an INTENT on the same
    /// connection comes after them. Needed whenever one peer acts and another observes: connections are not ordered
    /// with respect to each other.
    /// </summary>
    public Task SyncAsync(CipPeer p) => ProbeAsync(p);

    /// <summary>Proposes a claim (and syncs); returns its msg_id, the fact_ref of every vote on it.</summary>
    public async Task<string> ProposeAsync(CipPeer p, JsonObject claim)
    {
        var id = Env.NewUuid();
        await p.SendAsync(p.Compose(CipType.FactPropose, claim, msgId: id));
        await SyncAsync(p);
        return id;
    }

    /// <summary>Votes on a claim and syncs.</summary>
    public async Task Vote(CipPeer voter, string factRef, CipType type, string? reason = null)
    {
        var payload = type == CipType.FactChallenge
            ? new JsonObject { ["fact_ref"] = factRef, ["reason"] = reason ?? "conflict", ["notes"] = "suite" }
            : new JsonObject { ["fact_ref"] = factRef, ["decision"] = type == CipType.FactConfirm ? "confirm" : "reject", ["confidence"] = 0.9, ["notes"] = "suite" };
        await voter.SendAsync(type, payload);
        await SyncAsync(voter);
    }

    public Task Confirm(CipPeer voter, string factRef) => Vote(voter, factRef, CipType.FactConfirm);

    public Task Contradict(CipPeer voter, string factRef) => Vote(voter, factRef, CipType.FactChallenge, "conflict");

    /// <summary>The agent's resolution of claim <paramref name="factRef"/> sent to its proposer, or null if none in time.</summary>
    public Task<Received?> ResolutionAsync(CipPeer proposer, string factRef, TimeSpan? timeout = null) =>
        proposer.ExpectAsync(r => r.Verdict is { } v && string.Equals(v.FactRef, factRef, StringComparison.OrdinalIgnoreCase), timeout);

    /// <summary>Makes a fresh probing peer trusted: its claim confirmed by both anchors.</summary>
    public async Task<bool> PromoteAsync(CipPeer p, CipPeer a1, CipPeer a2, string requirement)
    {
        var claim = await ProposeAsync(p, Claim($"{p.Id.AgentId} knows the suite"));
        await Confirm(a1, claim);
        await Confirm(a2, claim);
        var r = await ResolutionAsync(p, claim);
        return checks.Expect(requirement, r?.Type == CipType.FactConfirm, "its claim, confirmed by two trusted anchors, is accepted (FACT_CONFIRM)",
            r?.Describe() ?? "no resolution", r is null);
    }

    /// <summary>
    /// Sends <paramref name="bad"/> (which would be answered by a STATE_UPDATE if accepted) and then a valid INTENT: exactly one
    /// answer must come, and it must show no trust change. Replies come in order, so a second answer means the bad one was acted on.
    /// The model says which rule the agent breaks by acting on it; it must be the case's <paramref name="requirement"/>.
    /// </summary>
    public async Task<bool> DroppedAsync(CipPeer p, string bad, string requirement, string what, TrustState trustBefore)
    {
        var rule = CipOracle.Drops(p, bad);
        if (rule != requirement) throw new InvalidOperationException($"{ctx.Case.Id}: the model drops {what} for {rule}, not for {requirement}");
        await p.SendAsync(bad);
        await p.SendAsync(CipType.Intent, CipPeer.Intent());
        var first = await p.ExpectAsync(r => r.State?.Intent is "accept" or "defer" or "deny");
        // Nothing at all: the valid INTENT went unanswered too, which an earlier failure may explain (then blocked).
        if (first is null) return checks.ExpectUnlessBlocked(requirement, false, $"{what} is dropped and the valid INTENT after it answered", "no answer at all", true);
        var second = await p.ExpectAsync(r => r.State?.Intent is "accept" or "defer" or "deny", Quiet);
        var view = first.State!.PeerState;
        return checks.Expect(requirement, second is null && view == trustBefore, $"{what} is dropped: one answer (to the valid INTENT), trust still {trustBefore.Wire()}",
            second is not null ? "two answers: the bad envelope was acted on" : $"one answer, trust {view.Wire()}");
    }
}
