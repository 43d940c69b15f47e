// What an envelope earns, in the acceptance order (cip.md §2, §4, §7): parse (size, I-JSON, §2.2 fields), receiver,
// fingerprint and signature, pinned key, replay window, seen msg_id, payload (§3), session nonce, session. Every
// receiver — the model agent, the suite judging what an agent sent, the vectors, the shim — judges through here;
// what a receiver knows (its address, its pins, its clock, what it has seen) decides which checks it can make.
namespace Conformance.Model.Cip;

/// <summary>The checks of the acceptance order, in that order.</summary>
public enum CipCheck { Parse, Receiver, Signature, PinnedKey, Window, Replay, Payload, Nonce, Session }

/// <summary>What the receiving side knows when it judges an envelope; a null member is a check it cannot make.</summary>
public sealed record CipReceiving
{
    /// <summary>A receiver that knows nothing: the envelope on its own (parse, fingerprint and signature, payload).</summary>
    public static readonly CipReceiving Anyone = new();

    /// <summary>§2.1 receiver: who the envelope must be addressed to.</summary>
    public Peer? Self { get; init; }
    /// <summary>The key pinned for a sender agent_id (§4: the key it handshook with), or null when none is.</summary>
    public Func<string, byte[]?>? Pinned { get; init; }
    /// <summary>Only pinned senders may send: an agent_id with no pin is refused (a conversation with known parties).</summary>
    public bool PinnedOnly { get; init; }
    /// <summary>§7 replay window: the receiver's clock and how far a timestamp may be from it.</summary>
    public (DateTimeOffset Now, TimeSpan Window)? Clock { get; init; }
    /// <summary>Whether a msg_id key (<see cref="CipAcceptance.MsgKey"/>) was seen already.</summary>
    public Func<string, bool>? SeenMsgId { get; init; }
    /// <summary>Whether a HELLO session_nonce key (<see cref="CipAcceptance.NonceKey"/>) was used already.</summary>
    public Func<string, bool>? SeenNonce { get; init; }
    /// <summary>Whether the sender of a non-HELLO envelope has a session on the connection it came on (§4).</summary>
    public Func<CipEnvelope, bool>? InSession { get; init; }
    /// <summary>The receiver runs §4.2 handshakes: a HELLO whose signature fails breaks CIP-4.2-bad-signature.</summary>
    public bool Handshakes { get; init; }
    /// <summary>Rules this receiver does not enforce (a deliberately broken receiver): their checks pass.</summary>
    public IReadOnlySet<string> Unenforced { get; init; } = new HashSet<string>();
}

/// <summary>
/// The judgement of one envelope: accepted (Error null), or the first check it failed and why. Envelope is set when
/// the text parsed; Payload when the payload was read (it is read only once the checks before it passed).
/// </summary>
public sealed record CipVerdict(CipEnvelope? Envelope, object? Payload, CipCheck? FailedAt, CipError? Error)
{
    public bool Accepted => Error is null;
}

public static class CipAcceptance
{
    /// <summary>The key a sender's msg_id is remembered by (msg_ids are compared without letter case).</summary>
    public static string MsgKey(CipEnvelope e) => e.Sender.AgentId + "/" + e.MsgId.ToLowerInvariant();

    /// <summary>The key a HELLO's session_nonce is remembered by, or null for any other payload.</summary>
    public static string? NonceKey(object? payload) => payload is HelloPayload h ? "nonce/" + Convert.ToBase64String(h.SessionNonce) : null;

    /// <summary>What <paramref name="text"/> earns from a receiver that knows <paramref name="r"/>.</summary>
    public static CipVerdict Judge(string text, CipReceiving r)
    {
        var (e, shapeError) = CipEnvelopes.Parse(text);
        if (e is null) return new(null, null, CipCheck.Parse, shapeError);
        CipVerdict Fail(CipCheck at, CipError why, object? payload = null) => new(e, payload, at, why);

        if (r.Self is { } self && !r.Unenforced.Contains(CipRules.Receiver))
        {
            // The detail names the field that is wrong (evidence for a subject that addressed someone else).
            if (e.Receiver.AgentId != self.AgentId)
                return Fail(CipCheck.Receiver, new(CipRules.Receiver, $"receiver.agent_id is {e.Receiver.AgentId}, not this receiver's {self.AgentId}"));
            if (!string.Equals(e.Receiver.Fingerprint, self.Fingerprint, StringComparison.OrdinalIgnoreCase))
                return Fail(CipCheck.Receiver, new(CipRules.Receiver, $"receiver.fingerprint is {e.Receiver.Fingerprint}, not this receiver's {self.Fingerprint}"));
        }

        if (Signature(e, r) is { } bad)
            // §4.2 "If signature invalid → drop and mark peer untrusted": on a HELLO the handshake rule is the one broken.
            return Fail(CipCheck.Signature, r.Handshakes && e.Type == CipType.Hello && bad.Rule == CipRules.Sign ? new(CipRules.BadSignature, bad.Detail) : bad);

        if (r.Pinned is { } pinned && !r.Unenforced.Contains(CipRules.Pinned))
        {
            var key = pinned(e.Sender.AgentId);
            if (key is null && r.PinnedOnly)
                return Fail(CipCheck.PinnedKey, new(CipRules.Pinned, $"sender.agent_id {e.Sender.AgentId} is not a party this receiver knows"));
            if (key is not null && !key.AsSpan().SequenceEqual(e.PublicKey))
                return Fail(CipCheck.PinnedKey, new(CipRules.Pinned, "sender.pubkey is a different key than the one this agent_id handshook with"));
        }

        // §4.1 "replay protection (nonce + timestamp)" and §7 "Nonce + timestamp protect against replay."
        if (r.Clock is { } clock && (e.Timestamp - clock.Now).Duration() is var skew && skew > clock.Window && !r.Unenforced.Contains(CipRules.TimestampWindow))
            return Fail(CipCheck.Window, new(CipRules.TimestampWindow, $"timestamp {skew.TotalSeconds:0}s away from now (window {clock.Window.TotalSeconds:0}s)"));
        if (r.SeenMsgId?.Invoke(MsgKey(e)) == true && !r.Unenforced.Contains(CipRules.Replay))
            return Fail(CipCheck.Replay, new(CipRules.Replay, $"msg_id {e.MsgId} already seen from {e.Sender.AgentId}"));

        var (payload, payloadError) = CipPayloads.Read(e);
        if (payload is null) return Fail(CipCheck.Payload, payloadError!);
        if (NonceKey(payload) is { } nonce && r.SeenNonce?.Invoke(nonce) == true && !r.Unenforced.Contains(CipRules.Replay))
            return Fail(CipCheck.Nonce, new(CipRules.Replay, "session_nonce already used"), payload);
        if (e.Type != CipType.Hello && r.InSession is { } inSession && !inSession(e) && !r.Unenforced.Contains(CipRules.Session))
            return Fail(CipCheck.Session, new(CipRules.Session, $"{e.Type.Wire()} before a handshake on this connection"), payload);
        return new(e, payload, null, null);
    }

    /// <summary>§4.1 "fingerprint matches pubkey", then Ed25519 over JCS; an unenforced fingerprint still needs a signature.</summary>
    private static CipError? Signature(CipEnvelope e, CipReceiving r)
    {
        if (!r.Unenforced.Contains(CipRules.Fingerprint) && CipSigning.VerifyFingerprint(e) is { } fingerprint) return fingerprint;
        return r.Unenforced.Contains(CipRules.Sign) ? null : CipSigning.VerifySignature(e);
    }
}
