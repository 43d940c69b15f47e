using System.Text.Json;

namespace Conformance.Model.Codec;

/// <summary>LCE as UTF-8 JSON text.</summary>
public sealed class JsonLceCodec : ILceCodec
{
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = 64 };

    public string Name => LceCodecs.Json;

    public byte[] Encode(JsonElement lce) => JsonSerializer.SerializeToUtf8Bytes(lce);

    public (LceView? View, LceProblem? Problem) Decode(ReadOnlySpan<byte> bytes)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(bytes.ToArray(), Lenient);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e) { return (null, new("LCE is not JSON: " + e.Message, true)); }
        try { Ltp.Jcs.EnsureIJson(root); }
        catch (Ltp.JcsException e) { return (null, new("LCE is JSON but not I-JSON: " + e.Message, false)); }
        if (root.ValueKind != JsonValueKind.Object) return (null, new("LCE is not a JSON object", true));
        if (!root.TryGetProperty("v", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var dv) || dv != 1)
            return (null, new("LCE member \"v\" must be 1", false));
        var intent = Nested(root, "intent", "type");
        if (intent is null) return (null, new("LCE member \"intent.type\" must be a string", false));
        var consent = Nested(root, "policy", "consent");
        if (consent is null) return (null, new("LCE member \"policy.consent\" must be a string", false));
        return (new LceView(intent, consent, root.EnumerateObject().Select(p => p.Name).ToArray()), null);
    }

    private static string? Nested(JsonElement root, string outer, string inner) =>
        root.TryGetProperty(outer, out var o) && o.ValueKind == JsonValueKind.Object
        && o.TryGetProperty(inner, out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
}
