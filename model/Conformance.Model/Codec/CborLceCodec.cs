// LCE as CBOR (RFC 8949). Encoding is canonical (sorted keys, minimal integers); decoding is Strict
// (well-formed, no duplicate keys) but does not insist on canonical order, since peers need not sort.
using System.Formats.Cbor;
using System.Text.Json;

namespace Conformance.Model.Codec;

public sealed class CborLceCodec : ILceCodec
{
    public string Name => LceCodecs.Cbor;

    public byte[] Encode(JsonElement lce)
    {
        var w = new CborWriter(CborConformanceMode.Canonical);
        Write(w, lce);
        return w.Encode();
    }

    /// <summary>JSON data model → CBOR: integral numbers that fit in 64 bits become CBOR integers.</summary>
    public static void Write(CborWriter w, JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Object:
                // Canonical CBOR (RFC 8949 §4.2.1) needs definite lengths.
                w.WriteStartMap(v.GetPropertyCount());
                foreach (var p in v.EnumerateObject()) { w.WriteTextString(p.Name); Write(w, p.Value); }
                w.WriteEndMap();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray(v.GetArrayLength());
                foreach (var i in v.EnumerateArray()) Write(w, i);
                w.WriteEndArray();
                break;
            case JsonValueKind.String: w.WriteTextString(v.GetString()!); break;
            case JsonValueKind.Number:
                if (v.TryGetInt64(out var l)) w.WriteInt64(l); else w.WriteDouble(v.GetDouble());
                break;
            case JsonValueKind.True: w.WriteBoolean(true); break;
            case JsonValueKind.False: w.WriteBoolean(false); break;
            default: w.WriteNull(); break;
        }
    }

    public (LceView? View, LceProblem? Problem) Decode(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var r = new CborReader(bytes.ToArray(), CborConformanceMode.Strict);
            if (r.PeekState() != CborReaderState.StartMap) return (null, new("LCE is not a CBOR map", true));
            string? intent = null, consent = null;
            var hasV = false;
            var members = new List<string>();
            r.ReadStartMap();
            while (r.PeekState() != CborReaderState.EndMap)
            {
                if (r.PeekState() != CborReaderState.TextString) return (null, new("LCE map keys must be text strings", false));
                var key = r.ReadTextString();
                members.Add(key);
                switch (key)
                {
                    case "v": hasV = IsOne(r); break;
                    case "intent": intent = ReadNestedText(r, "type"); break;
                    case "policy": consent = ReadNestedText(r, "consent"); break;
                    default: r.SkipValue(); break;
                }
            }
            r.ReadEndMap();
            if (r.BytesRemaining != 0) return (null, new("bytes follow the LCE map", true));
            if (!hasV) return (null, new("LCE member \"v\" must be 1", false));
            if (intent is null) return (null, new("LCE member \"intent.type\" must be a text string", false));
            if (consent is null) return (null, new("LCE member \"policy.consent\" must be a text string", false));
            return (new LceView(intent, consent, members), null);
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException)
        {
            return (null, new("LCE is not well-formed CBOR: " + e.Message, true));
        }
    }

    private static bool IsOne(CborReader r)
    {
        switch (r.PeekState())
        {
            case CborReaderState.UnsignedInteger: return r.ReadUInt64() == 1;
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                return r.ReadDouble() == 1;
            default: r.SkipValue(); return false;
        }
    }

    private static string? ReadNestedText(CborReader r, string inner)
    {
        if (r.PeekState() != CborReaderState.StartMap) { r.SkipValue(); return null; }
        string? found = null;
        r.ReadStartMap();
        while (r.PeekState() != CborReaderState.EndMap)
        {
            if (r.PeekState() != CborReaderState.TextString) { r.SkipValue(); r.SkipValue(); continue; }
            var key = r.ReadTextString();
            if (key == inner && r.PeekState() == CborReaderState.TextString) found = r.ReadTextString();
            else r.SkipValue();
        }
        r.ReadEndMap();
        return found;
    }
}
