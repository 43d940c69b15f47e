// §4 Handshake — "3. VERIFY Both agents verify: signature validity, fingerprint matches pubkey, replay protection.
// 4. TRUST GATE If valid, move trust to probing." §4.2 "If signature invalid → drop and mark peer untrusted.
// If fingerprint mismatch → drop and mark peer blacklisted. If peer overloads (LPI=overloaded) → defer."
using Conformance.Model.Cip;
using Conformance.Reference.Hosting;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using static Conformance.Suite.Cip.CipCase;

namespace Conformance.Suite.Cip;

internal static class S4_Handshake
{
    private const string Defer = CipRules.Defer, Fingerprint = CipRules.Fingerprint, BadSignature = CipRules.BadSignature;

    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-defer-overloaded-hello", "§4.2", "HELLO from an overloaded peer",
            "A new peer whose state says presence \"overloaded\" sends HELLO: expects a STATE_UPDATE \"defer\" and no HELLO; once not overloaded, its HELLO is answered.",
            [Defer], w => DeferredHello(w, new Signal(Presence.Overloaded, 40, [], null)));
        yield return Agent("CIP-A-defer-high-lri", "§4.2", "HELLO from a peer at lri 90",
            "A new peer whose state says presence \"focused\" but lri 90 sends HELLO: it must be deferred like an overloaded one.",
            [Defer], w => DeferredHello(w, new Signal(Presence.Focused, 90, [], null)));
        yield return Agent("CIP-A-defer-intent", "§4.1", "INTENT from a peer that became overloaded",
            "A probing peer sends a STATE_UPDATE saying it is overloaded, then an INTENT: the agent must defer it.",
            [Defer], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                p.Signal = new Signal(Presence.Overloaded, 95, [], "busy");
                await p.SendAsync(CipType.StateUpdate, StateUpdate(Presence.Overloaded, 95, []));
                var r = await w.ProbeAsync(p);
                w.Checks.Expect(Defer, r?.State!.Intent == "defer", "the INTENT of an overloaded peer is deferred", r?.Describe() ?? "no answer", r is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-fingerprint-mismatch", "§4.2", "HELLO whose fingerprint is not its key's",
            "A new peer sends a HELLO whose sender.fingerprint is another key's: no answer; its valid HELLO afterwards must be denied (blacklisted).",
            [Fingerprint], async w =>
            {
                var id = w.NewIdentity("peer");
                var p = await w.ConnectAsync(id);
                var other = TestKeys.FromLabel("conformance-suite/cip/other-fingerprint");
                await p.SendAsync(p.Hello(e => e["sender"]!["fingerprint"] = CipIdentity.FingerprintOf(other.PublicKey)));
                var silent = await p.NextAsync(w.Quiet * 2);
                w.Checks.Expect(Fingerprint, silent is null, "no answer to a HELLO whose fingerprint does not match its key", silent?.Describe() ?? "none");
                await p.SendAsync(p.Hello());
                var r = await p.ExpectAsync(x => x.Type == CipType.Hello || x.State?.Intent is "deny" or "defer");
                var marked = TrustFsm.AfterHandshake(TrustFsm.AfterRefusedFirstHello(Fingerprint), anchor: false);
                w.Checks.Expect(Fingerprint, r?.State is { Intent: "deny" } st && st.PeerState == marked,
                    $"the peer was {marked.Wire()}: its valid HELLO is denied", r?.Describe() ?? "no answer", r is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-bad-signature-anchor", "§4.2", "Trust anchor's first HELLO badly signed",
            "The suite's third trust anchor first sends a HELLO signed by another key: no answer; its valid HELLO afterwards must give probing, not trusted (it was marked untrusted).",
            [BadSignature], async w =>
            {
                var p = await w.ConnectAsync(CipWorld.Anchors[2]);
                await p.SendAsync(p.Hello(signer: TestKeys.FromLabel("conformance-suite/cip/not-the-anchor")));
                var silent = await w.ProbeHelloAsync(p, p.LastChallenge);
                w.Checks.Expect(BadSignature, silent is null, "no answer to a HELLO whose signature does not verify: the valid HELLO after it is answered first",
                    silent is null ? "none" : silent.Describe() + ", before the answer to the valid HELLO");
                var view = await w.HandshakeAsync(p, sent: true);
                // Marked at first contact, the anchor is no longer new: the handshake moves it by the table.
                var expected = TrustFsm.AfterHandshake(TrustFsm.AfterRefusedFirstHello(BadSignature), anchor: true);
                w.Checks.Expect(BadSignature, view == expected, $"marked untrusted at first contact, so a valid handshake gives {expected.Wire()}",
                    view?.Wire() ?? "no handshake");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-bad-signature-fresh", "§4.2", "New peer's first HELLO badly signed",
            "A new peer's first HELLO is signed by another key: no answer; its valid HELLO afterwards gives probing.",
            [BadSignature], async w =>
            {
                var p = await w.ConnectAsync(w.NewIdentity("peer"));
                await p.SendAsync(p.Hello(signer: TestKeys.FromLabel("conformance-suite/cip/not-the-peer")));
                var silent = await w.ProbeHelloAsync(p, p.LastChallenge);
                w.Checks.Expect(BadSignature, silent is null, "no answer to a HELLO whose signature does not verify: the valid HELLO after it is answered first",
                    silent is null ? "none" : silent.Describe() + ", before the answer to the valid HELLO");
                var view = await w.HandshakeAsync(p, sent: true);
                var expected = TrustFsm.AfterHandshake(TrustFsm.AfterRefusedFirstHello(BadSignature), anchor: false);
                w.Checks.Expect(BadSignature, view == expected, $"a valid handshake after the bad one gives {expected.Wire()}", view?.Wire() ?? "no handshake");
                return w.Checks.Verdict();
            });
    }

    private static async Task<Verdict> DeferredHello(CipWorld w, Signal overloaded)
    {
        var p = await w.ConnectAsync(w.NewIdentity("peer"));
        p.Signal = overloaded;
        await p.SendAsync(p.Hello());
        var r = await p.ExpectAsync(x => x.Type == CipType.Hello || x.State?.Intent is "defer" or "deny" or "handshake");
        if (r is null) w.Checks.ExpectUnlessBlocked(Defer, false, "STATE_UPDATE \"defer\", trust still untrusted, no HELLO", "no answer", true);
        // No session, no trust change: the agent's view of a new peer stays where it starts.
        else w.Checks.Expect(Defer, r.State is { Intent: "defer" } st && st.PeerState == TrustFsm.Initial, $"STATE_UPDATE \"defer\", trust still {TrustFsm.Initial.Wire()}, no HELLO", r.Describe());
        if (r?.Type == CipType.Hello) return w.Checks.Verdict();
        p.Signal = new Signal(Presence.Focused, 10, [], null);
        var view = await w.HandshakeAsync(p);
        w.Checks.Expect(CipWorld.TrustGate, view == CipOracle.NewPeer, $"once the peer is not overloaded, its HELLO is answered and it is {CipOracle.NewPeer.Wire()}", view?.Wire() ?? "no handshake");
        return w.Checks.Verdict();
    }

    public static System.Text.Json.Nodes.JsonObject StateUpdate(Presence presence, int lri, IReadOnlyList<string> kernelSignals) => new()
    {
        ["presence"] = presence.Wire(),
        ["lri"] = lri,
        ["ltppeerstate"] = TrustState.Probing.Wire(),
        ["kernel_signals"] = CipCompose.Array(kernelSignals),
        ["intent"] = "status",
    };
}
