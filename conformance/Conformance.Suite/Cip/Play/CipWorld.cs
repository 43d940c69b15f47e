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
    /// <param name="sent">The HELLO was sent already (<see cref="ProbeHelloAsync"/>): only its answer is read.</param>
    public async Task<TrustState?> HandshakeAsync(CipPeer p, string? hello = null, bool sent = false)
    {
        if (!sent) await p.SendAsync(hello ?? p.Hello());
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

    /// <summary>
    /// After an envelope that must go unanswered (<paramref name="badChallenge"/>: its challenge, if it was a HELLO),
    /// sends a valid HELLO as a probe and looks at the first envelope that comes back (SPEC-NOTES "Probes instead of
    /// silence"): the probe's answer is a HELLO, and each HELLO's challenge is fresh, so a HELLO over the bad
    /// HELLO's challenge, or anything but a HELLO, answered the bad envelope. Returns that envelope, or null when the
    /// probe's answer (or nothing at all, within a step) came first; the first envelope stays in the inbox, so
    /// <see cref="HandshakeAsync"/> with sent: true reads the probe's answer.
    /// </summary>
    public async Task<Received?> ProbeHelloAsync(CipPeer p, byte[]? badChallenge = null)
    {
        await p.SendAsync(p.Hello());
        var first = await p.NextAsync();
        if (first is null) return null;
        p.Unread(first);
        if (first.Type != CipType.Hello) return first;
        var overBad = badChallenge is not null && first.Payload is HelloPayload h
            && CipSigning.ReadChallengeResponse(ctx.Agent!.AgentKey, badChallenge, h.ChallengeResponse) is ChallengeAnswer.Prefixed or ChallengeAnswer.Unprefixed;
        return overBad ? first : null;
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

    /// <summary>
    /// The resolution of <paramref name="factRef"/> the agent has sent its proposer so far, or null: a resolution that
    /// must not (yet) come. The proposer syncs (an INTENT, <see cref="SyncAsync"/>): every vote was synced on its voter's
    /// connection already, so whatever the agent decided on them was sent the proposer before the INTENT's answer
    /// (SPEC-NOTES "Probes instead of silence"). Only if the INTENT goes unanswered is a quiet window waited instead.
    /// </summary>
    public async Task<Received?> ResolutionSoFarAsync(CipPeer proposer, string factRef)
    {
        var synced = await ProbeAsync(proposer);
        return await ResolutionAsync(proposer, factRef, synced is null ? Quiet * 2 : TimeSpan.Zero);
    }

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
    /// A peer's signal that makes the agent defer its INTENT (SPEC-NOTES "Load and pacing"): a bad INTENT composed under it
    /// is answered "defer" if it is acted on, unlike the valid INTENT sent after it under the peer's usual signal.
    /// </summary>
    public static readonly Signal Loaded = new(Presence.Overloaded, 95, [], null);

    /// <summary>Composes with <paramref name="p"/> signalling <see cref="Loaded"/>, then restores its signal.</summary>
    public static string UnderLoad(CipPeer p, Func<string> compose)
    {
        var usual = p.Signal;
        p.Signal = Loaded;
        try { return compose(); }
        finally { p.Signal = usual; }
    }

    /// <summary>
    /// Sends <paramref name="bad"/> (an INTENT composed <see cref="UnderLoad"/>, so that acted on it is answered "defer")
    /// and then a valid INTENT under the peer's usual signal, which must be answered with nothing before it: replies
    /// on one connection come in order (SPEC-NOTES "Probes instead of silence"), so the first answer is the valid
    /// INTENT's ("accept", trust unchanged) exactly when the bad one was dropped. Only when the agent is itself
    /// overloaded (it defers everyone) can the two answers not be told apart; then a second answer is waited for.
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
        var view = first.State!.PeerState;
        var actedOn = first.State.Intent == "defer" && first.Envelope?.State.Presence != Presence.Overloaded && first.State.Presence != Presence.Overloaded;
        var second = first.State.Intent == "defer" && !actedOn ? await p.ExpectAsync(r => r.State?.Intent is "accept" or "defer" or "deny", Quiet) : null;
        return checks.Expect(requirement, !actedOn && second is null && view == trustBefore,
            $"{what} is dropped: the valid INTENT after it is answered first, trust still {trustBefore.Wire()}",
            actedOn ? "\"defer\" first, the answer the bad envelope's load signal earns: it was acted on"
                : second is not null ? "two answers: the bad envelope was acted on" : $"its answer first, trust {view.Wire()}");
    }
}
