// §2.1 Envelope JSON (normative) and §2.2 field notes. Parse validates every field's presence and type; the payload is
// validated per type in CipPayloads. The envelope keeps its JSON exactly as parsed: the signature covers its JCS form.
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Model.Ltp;

namespace Conformance.Model.Cip;

public sealed record Peer(string AgentId, string Fingerprint);

public sealed record Signal(Presence Presence, int Lri, IReadOnlyList<string> KernelSignals, string? Intent);

public sealed record CipEnvelope(
    JsonElement Json,
    string MsgId,
    CipType Type,
    DateTimeOffset Timestamp,
    Peer Sender,
    IReadOnlyList<string> Capabilities,
    byte[] PublicKey,
    Peer Receiver,
    TrustState SenderView,
    string ReceiverView,
    Signal State,
    JsonElement Payload,
    string Algo,
    byte[] Signature);

public static partial class CipEnvelopes
{
    /// <summary>Largest envelope the model reads (SPEC-NOTES.md "Sizes").</summary>
    public const int MaxBytes = 256 * 1024;

    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    public static (CipEnvelope? Envelope, CipError? Error) Parse(string text)
    {
        // The limit is on UTF-8 bytes; a UTF-16 length over it is over in bytes too, and cheaper to test first.
        if (text.Length > MaxBytes || System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
            return (null, new(CipRules.Size, $"envelope exceeds {MaxBytes} bytes of UTF-8"));
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(text, Strict);
            root = doc.RootElement.Clone();
            Jcs.EnsureIJson(root); // the signature is over JCS: the envelope must be I-JSON
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or JcsException)
        {
            return (null, new(CipRules.Shape, "not an I-JSON document: " + e.Message));
        }
        if (root.ValueKind != JsonValueKind.Object) return (null, new(CipRules.Shape, "the envelope is not a JSON object"));
        try { return (Read(root), null); }
        catch (EnvelopeException e) { return (null, new(e.Rule, e.Message)); }
    }

    private sealed class EnvelopeException(string rule, string message) : Exception(message)
    {
        public string Rule { get; } = rule;
    }

    private static CipEnvelope Read(JsonElement root)
    {
        var cip = Str(root, "cip");
        if (cip != "1.0") throw new EnvelopeException(CipRules.Shape, $"cip is \"{cip}\", not \"1.0\"");
        var msgId = Str(root, "msg_id");
        // §2.2 "msg_id: UUID v4, unique per message."
        if (!UuidV4().IsMatch(msgId)) throw new EnvelopeException(CipRules.MsgId, $"msg_id \"{Clip(msgId)}\" is not a UUID v4");
        var typeText = Str(root, "type");
        if (!CipNames.TryType(typeText, out var type)) throw new EnvelopeException(CipRules.Shape, $"unknown type \"{Clip(typeText)}\"");
        // §2.2 "timestamp: UTC RFC3339."
        var ts = Str(root, "timestamp");
        if (ParseUtc(ts) is not { } timestamp)
            throw new EnvelopeException(CipRules.Timestamp, $"timestamp \"{Clip(ts)}\" is not an RFC 3339 UTC time");

        var sender = Obj(root, "sender");
        var senderPeer = new Peer(Str(sender, "agent_id"), Str(sender, "fingerprint"));
        if (!Hex64().IsMatch(senderPeer.Fingerprint)) throw new EnvelopeException(CipRules.Shape, "sender.fingerprint is not 64 lowercase hex digits");
        var capabilities = Strings(sender, "capabilities");
        var pubkeyText = Str(sender, "pubkey");
        byte[] pubkey;
        try { pubkey = Convert.FromBase64String(pubkeyText); } catch (FormatException) { pubkey = []; }
        if (pubkey.Length != 32) throw new EnvelopeException(CipRules.Shape, "sender.pubkey is not a base64 32-byte Ed25519 key");

        var receiver = Obj(root, "receiver");
        var receiverPeer = new Peer(Str(receiver, "agent_id"), Str(receiver, "fingerprint"));

        var trust = Obj(root, "trust");
        var senderViewText = Str(trust, "sender_view");
        if (!CipNames.TryTrust(senderViewText, out var senderView)) throw new EnvelopeException(CipRules.Shape, $"trust.sender_view \"{Clip(senderViewText)}\" is not a trust state");
        var receiverView = Str(trust, "receiver_view");
        if (receiverView != "unknown" && !CipNames.TryTrust(receiverView, out _)) throw new EnvelopeException(CipRules.Shape, $"trust.receiver_view \"{Clip(receiverView)}\" is not unknown or a trust state");

        var state = Obj(root, "state");
        var presenceText = Str(state, "presence");
        if (!CipNames.TryPresence(presenceText, out var presence)) throw new EnvelopeException(CipRules.Shape, $"state.presence \"{Clip(presenceText)}\" is not a presence");
        // §2.2 "lri: 0–100 normalized load index."
        if (!state.TryGetProperty("lri", out var lriEl) || lriEl.ValueKind != JsonValueKind.Number || !lriEl.TryGetDouble(out var lriD)
            || lriD != Math.Floor(lriD) || lriD < 0 || lriD > 100)
            throw new EnvelopeException(CipRules.Lri, "state.lri must be an integer from 0 to 100");
        var kernel = Strings(state, "kernel_signals");
        string? intent = null;
        if (state.TryGetProperty("intent", out var intentEl))
            intent = intentEl.ValueKind == JsonValueKind.String ? intentEl.GetString() : throw new EnvelopeException(CipRules.Shape, "state.intent must be a string");

        var payload = Obj(root, "payload");
        // An envelope without a usable "sign" is an unsigned one: a signature failure, not a shape error.
        if (!root.TryGetProperty("sign", out var sign) || sign.ValueKind != JsonValueKind.Object)
            throw new EnvelopeException(CipRules.Sign, "the envelope is not signed (\"sign\" is missing or not an object)");
        // Everything wrong inside "sign" is a signature failure.
        var algo = sign.TryGetProperty("algo", out var algoEl) && algoEl.ValueKind == JsonValueKind.String ? algoEl.GetString()! : "";
        if (algo != "ed25519") throw new EnvelopeException(CipRules.Sign, $"sign.algo is \"{Clip(algo)}\", not \"ed25519\"");
        byte[] signature = [];
        if (sign.TryGetProperty("signature", out var sigEl) && sigEl.ValueKind == JsonValueKind.String)
            try { signature = Convert.FromBase64String(sigEl.GetString()!); } catch (FormatException) { }
        if (signature.Length != 64) throw new EnvelopeException(CipRules.Sign, "sign.signature is not a base64 64-byte Ed25519 signature");

        return new CipEnvelope(root, msgId, type, timestamp.ToUniversalTime(), senderPeer, capabilities, pubkey, receiverPeer, senderView,
            receiverView, new Signal(presence, (int)lriD, kernel, intent), payload, algo, signature);
    }

    private static string Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
        : throw new EnvelopeException(CipRules.Shape, $"\"{name}\" is missing or not a string");

    private static JsonElement Obj(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v
        : throw new EnvelopeException(CipRules.Shape, $"\"{name}\" is missing or not an object");

    private static IReadOnlyList<string> Strings(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
            throw new EnvelopeException(CipRules.Shape, $"\"{name}\" is missing or not an array");
        return [.. v.EnumerateArray().Select(i => i.ValueKind == JsonValueKind.String ? i.GetString()! : throw new EnvelopeException(CipRules.Shape, $"\"{name}\" must hold only strings"))];
    }

    private static string Clip(string s) => s.Length <= 64 ? s : s[..64] + "…";

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}\\z")]
    private static partial Regex UuidV4();

    /// <summary>
    /// An RFC 3339 date-time in UTC (SPEC-NOTES.md "Timestamp"): offset Z, +00:00 or -00:00 (§4.3: all three are UTC),
    /// T and Z in either case (§5.6), any number of fraction digits, and second 60 only as 23:59:60 (§5.7), read as 23:59:59.
    /// </summary>
    public static DateTimeOffset? ParseUtc(string ts)
    {
        var m = Rfc3339Utc().Match(ts);
        if (!m.Success) return null;
        var second = m.Groups["s"].Value;
        if (second == "60" && !ts.AsSpan(11, 5).SequenceEqual("23:59")) return null;
        // .NET reads at most seven fraction digits and no second 60; the digits beyond a tick change no decision here.
        var fraction = m.Groups["f"].Success ? m.Groups["f"].Value[..Math.Min(8, m.Groups["f"].Value.Length)] : "";
        var text = ts[..17] + (second == "60" ? "59" : second) + fraction + "Z";
        return DateTimeOffset.TryParseExact(text.ToUpperInvariant(), fraction.Length > 0 ? $"yyyy-MM-dd'T'HH:mm:ss.{new string('f', fraction.Length - 1)}'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'",
            CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:(?<s>\d{2})(?<f>\.\d+)?([Zz]|[+-]00:00)\z")]
    private static partial Regex Rfc3339Utc();

    [GeneratedRegex("^[0-9a-f]{64}\\z")]
    private static partial Regex Hex64();
}
