// §2 Message envelope and §7 Security — "All Level 2/3 messages use a shared envelope. The envelope is signable and
// hashable for integrity checks." "Sign every message using Ed25519. Canonical JSON required for signing.
// Nonce + timestamp protect against replay." Every bad envelope must be dropped with no trust change.
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Env;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Core;
using static Conformance.Suite.Cip.CipCase;

namespace Conformance.Suite.Cip;

internal static class S2_Envelope
{
    public static IEnumerable<CaseDef> Cases()
    {
        yield return Agent("CIP-A-handshake", "§4.1", "Handshake with a new peer",
            "Sends a valid HELLO as a new peer; expects a signed HELLO answering its challenge, a STATE_UPDATE, trust probing, and an accepted INTENT.",
            ["CIP-4-intent"], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                // Ask again: what the agent says in its handshake reply and what it decides afterwards must agree.
                var r = await w.ProbeAsync(p);
                w.Checks.Expect(CipWorld.TrustGate, r?.State!.PeerState == CipOracle.NewPeer, $"still {CipOracle.NewPeer.Wire()} when asked after the handshake",
                    r?.Describe() ?? "no answer", r is null);
                w.Checks.Expect("CIP-4-intent", r?.State!.Intent == "accept", "INTENT from a probing peer accepted", r?.Describe() ?? "no answer", r is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-canonical-keys", "§7", "Signature over member names outside the BMP",
            "Handshakes with a HELLO whose features include the keys \"\\ufb33\" and \"\\ud83d\\ude00\", whose JCS order (UTF-16 units) differs from code-point order.",
            [CipRules.Canonical], async w =>
            {
                var p = await w.ConnectAsync(w.NewIdentity("peer"));
                var features = new JsonObject { ["\ufb33"] = true, ["\ud83d\ude00"] = true, ["supports_mesh"] = true };
                await w.HandshakeAsync(p, p.Hello(features: features));
                // Judged on the answer alone: what the agent then says about trust is CIP-4-trust-gate's to judge.
                w.Checks.Expect(CipRules.Canonical, p.HelloAnswered, "the HELLO verifies over its JCS form: it is answered with a HELLO",
                    p.HelloAnswered ? "answered" : "the HELLO was not answered");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-canonical-spelling", "§7", "Signature over a non-canonical rendering",
            "Signs a HELLO over its JCS form, then sends it with members reversed, extra whitespace, \\u escapes and lri written 1.0E1: the signature must still verify.",
            [CipRules.Canonical], async w =>
            {
                var p = await w.ConnectAsync(w.NewIdentity("peer"));
                p.Signal = new Signal(Presence.Focused, 10, [], null);
                await w.HandshakeAsync(p, OddRendering.Of(p.Hello()));
                w.Checks.Expect(CipRules.Canonical, p.HelloAnswered, "the HELLO verifies over its JCS form: it is answered with a HELLO",
                    p.HelloAnswered ? "answered" : "the HELLO was not answered");
                return w.Checks.Verdict();
            });

        foreach (var bad in BadEnvelopes())
            yield return Agent($"CIP-A-drop-{bad.Id}", bad.Section, $"Dropped: {bad.What}",
                $"A probing peer sends an INTENT {bad.What} (signalling overload, so that it would be deferred), then a valid INTENT: the valid one's answer must come first (\"accept\"), and trust must not change.",
                [bad.Requirement], async w =>
                {
                    var p = await w.FreshAsync("peer");
                    if (p is null) return w.Checks.Verdict();
                    await w.DroppedAsync(p, CipWorld.UnderLoad(p, () => bad.Make(p, w)), bad.Requirement, "an INTENT " + bad.What, CipOracle.NewPeer);
                    return w.Checks.Verdict();
                });

        yield return Agent("CIP-A-timestamp-utc-offset", "§2.2", "Timestamp in UTC written +00:00",
            "A probing peer sends an INTENT whose timestamp is the current UTC time written with the offset +00:00 (RFC 3339 §4.3): it is UTC, so it is answered.",
            ["CIP-2.2-timestamp-utc-forms"], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                await p.SendAsync(p.Compose(CipType.Intent, CipPeer.Intent(), e => e["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+00:00'", System.Globalization.CultureInfo.InvariantCulture)));
                var r = await p.ExpectAsync(x => x.State?.Intent is "accept" or "defer" or "deny");
                w.Checks.Expect("CIP-2.2-timestamp-utc-forms", r?.State?.Intent == "accept", "the INTENT is accepted", r?.Describe() ?? "no answer: it was dropped");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-replay-msg-id", "§7", "Replayed envelope", "Sends a valid INTENT, reads the answer, then sends the very same text again.",
            [CipRules.Replay], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                // Under load, so that the replay, if acted on, is answered "defer" (CipWorld.DroppedAsync).
                var intent = await p.SendAsync(CipWorld.UnderLoad(p, () => p.Compose(CipType.Intent, CipPeer.Intent())));
                await p.ExpectAsync(r => r.State?.Intent is "accept" or "defer" or "deny");
                await w.DroppedAsync(p, intent, CipRules.Replay, "replayed (same msg_id)", CipOracle.NewPeer);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-replay-nonce", "§4.1", "HELLO reusing a session nonce",
            "Handshakes, then sends a second HELLO (new msg_id) with the same session_nonce: it must not be answered.",
            [CipRules.Replay], async w =>
            {
                var p = await w.ConnectAsync(w.NewIdentity("peer"));
                var nonce = w.Env.NextBytes(16);
                await w.HandshakeAsync(p, p.Hello(nonce: nonce));
                var replay = p.Hello(nonce: nonce);
                await p.SendAsync(replay);
                await p.SendAsync(CipType.Intent, CipPeer.Intent());
                var first = await p.ExpectAsync(r => r.Type == CipType.Hello || r.State?.Intent is "accept" or "defer" or "deny");
                w.Checks.Expect(CipRules.Replay, first?.Type == CipType.StateUpdate, "the HELLO with a used session_nonce is dropped: the INTENT after it is answered first",
                    first?.Describe() ?? "no answer", first is null);
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-no-session", "§4.1", "INTENT before any handshake", "A new peer sends an INTENT without a HELLO first, then a HELLO: the HELLO's answer must come first.",
            [CipRules.Session], async w =>
            {
                var p = await w.ConnectAsync(w.NewIdentity("peer"));
                await p.SendAsync(CipType.Intent, CipPeer.Intent());
                // A HELLO after it as the probe: its answer (a HELLO) must come first.
                var r = await w.ProbeHelloAsync(p);
                w.Checks.Expect(CipRules.Session, r is null, "no answer before a handshake: the HELLO after the INTENT is answered first",
                    r is null ? "none" : r.Describe() + ", before the answer to the HELLO");
                return w.Checks.Verdict();
            });

        yield return Agent("CIP-A-pinned-key", "§4.1", "Known agent_id, other key",
            "After a handshake, sends an INTENT under the same agent_id signed (and fingerprinted) by another key.",
            [CipRules.Pinned], async w =>
            {
                var p = await w.FreshAsync("peer");
                if (p is null) return w.Checks.Verdict();
                var other = new CipIdentity(p.Id.AgentId, TestKeys.FromLabel("conformance-suite/cip/impostor"));
                var forged = CipWorld.UnderLoad(p, () => p.Compose(CipType.Intent, CipPeer.Intent(), e =>
                {
                    e["sender"]!["pubkey"] = other.PublicKeyBase64;
                    e["sender"]!["fingerprint"] = other.Fingerprint;
                }, signer: other.Key));
                await w.DroppedAsync(p, forged, CipRules.Pinned, "signed by another key than the handshake's", CipOracle.NewPeer);
                return w.Checks.Verdict();
            });
    }

    private sealed record Bad(string Id, string Section, string What, string Requirement, Func<CipPeer, CipWorld, string> Make);

    private static IEnumerable<Bad> BadEnvelopes() =>
    [
        new("unsigned", "§7", "without \"sign\"", CipRules.Sign, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e.Remove("sign"), afterSigning: true)),
        new("wrong-key", "§7", "signed by another key than its pubkey", CipRules.Sign,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), signer: TestKeys.FromLabel("conformance-suite/cip/wrong-key"))),
        new("tampered", "§7", "changed after signing", CipRules.Sign,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["payload"]!["topic"] = "changed", afterSigning: true)),
        new("msg-id-not-uuid", "§2.2", "whose msg_id is not a UUID", CipRules.MsgId, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), msgId: "msg-1")),
        new("msg-id-v1", "§2.2", "whose msg_id is a version 1 UUID", CipRules.MsgId,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), msgId: "c232ab00-9414-11ec-b3c8-9f6bdeced846")),
        new("timestamp-offset", "§2.2", "whose timestamp has a +02:00 offset, not UTC", CipRules.Timestamp,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["timestamp"] = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz"))),
        new("timestamp-text", "§2.2", "whose timestamp is \"yesterday\"", CipRules.Timestamp, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["timestamp"] = "yesterday")),
        new("lri-101", "§2.2", "whose state.lri is 101", CipRules.Lri, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["state"]!["lri"] = 101)),
        new("lri-negative", "§2.2", "whose state.lri is -1", CipRules.Lri, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["state"]!["lri"] = -1)),
        new("lri-string", "§2.2", "whose state.lri is \"50\"", CipRules.Lri, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["state"]!["lri"] = "50")),
        new("version", "§2.1", "with \"cip\": \"2.0\"", CipRules.Shape, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["cip"] = "2.0")),
        new("unknown-type", "§2.1", "of the unknown type \"GOSSIP\"", CipRules.Shape, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["type"] = "GOSSIP")),
        new("no-sender", "§2.1", "without \"sender\"", CipRules.Shape, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e.Remove("sender"))),
        new("trust-view", "§2.1", "whose trust.sender_view is \"friendly\"", CipRules.Shape, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["trust"]!["sender_view"] = "friendly")),
        new("presence", "§2.1", "whose state.presence is \"asleep\"", CipRules.Shape, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["state"]!["presence"] = "asleep")),
        new("not-json", "§2.1", "that is not JSON at all", CipRules.Shape, (_, _) => "{\"cip\":\"1.0\",\"type\":\"INTENT\""),
        new("array", "§2.1", "that is a JSON array", CipRules.Shape, (_, _) => "[\"INTENT\"]"),
        new("goal", "§3.2", "whose goal is \"dance\"", CipRules.Payload, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(goal: "dance"))),
        new("priority-number", "§3.2", "whose priority is the number 3", CipRules.Payload,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["payload"]!["priority"] = 3)),
        new("no-topic", "§3.2", "without a topic", CipRules.Payload, (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["payload"]!.AsObject().Remove("topic"))),
        new("huge", "§2.1", "carrying 300 KiB of context", CipRules.Size,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["payload"]!["context"] = new string('x', 300 * 1024))),
        new("other-receiver", "§2.1", "addressed to another agent", CipRules.Receiver,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), e => e["receiver"]!["agent_id"] = "someone-else")),
        new("stale", "§7", "timestamped ten minutes ago", CipRules.TimestampWindow,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), timestamp: DateTimeOffset.UtcNow.AddMinutes(-10))),
        new("future", "§7", "timestamped ten minutes ahead", CipRules.TimestampWindow,
            (p, _) => p.Compose(CipType.Intent, CipPeer.Intent(), timestamp: DateTimeOffset.UtcNow.AddMinutes(10))),
    ];
}
