// CBOR → JSON text for the JSON-compatible subset (maps with text keys, arrays, text, numbers, booleans, null);
// byte strings become base64url text and tags are dropped. Used to show CBOR frames in traces and to transcode LCEs.
using System.Formats.Cbor;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Conformance.Model.Ltp;

namespace Conformance.Model.Codec;

public static class CborJson
{
    /// <summary>The JSON rendering of one CBOR item, or null if the bytes are not one well-formed item.</summary>
    public static string? TryToJson(ReadOnlyMemory<byte> cbor)
    {
        try
        {
            var r = new CborReader(cbor, CborConformanceMode.Lax);
            var sb = new StringBuilder();
            Write(r, sb, 0);
            return r.BytesRemaining == 0 ? sb.ToString() : null;
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            return null;
        }
    }

    private static void Write(CborReader r, StringBuilder sb, int depth)
    {
        if (depth > 64) throw new FormatException("CBOR nested too deeply");
        switch (r.PeekState())
        {
            case CborReaderState.StartMap:
                r.ReadStartMap();
                sb.Append('{');
                var first = true;
                while (r.PeekState() != CborReaderState.EndMap)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    var key = r.PeekState() == CborReaderState.TextString ? r.ReadTextString() : KeyText(r);
                    sb.Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(r, sb, depth + 1);
                }
                r.ReadEndMap();
                sb.Append('}');
                break;
            case CborReaderState.StartArray:
                r.ReadStartArray();
                sb.Append('[');
                var firstItem = true;
                while (r.PeekState() != CborReaderState.EndArray)
                {
                    if (!firstItem) sb.Append(',');
                    firstItem = false;
                    Write(r, sb, depth + 1);
                }
                r.ReadEndArray();
                sb.Append(']');
                break;
            case CborReaderState.TextString: sb.Append(JsonSerializer.Serialize(r.ReadTextString())); break;
            case CborReaderState.ByteString: sb.Append(JsonSerializer.Serialize(Base64Url.Encode(r.ReadByteString()))); break;
            case CborReaderState.UnsignedInteger: sb.Append(r.ReadUInt64().ToString(CultureInfo.InvariantCulture)); break;
            case CborReaderState.NegativeInteger: sb.Append(r.ReadInt64().ToString(CultureInfo.InvariantCulture)); break;
            case CborReaderState.HalfPrecisionFloat or CborReaderState.SinglePrecisionFloat or CborReaderState.DoublePrecisionFloat:
                // The JSON data model's numbers are doubles (I-JSON): the ECMAScript form reads back as the same double,
                // which "R" does not always do. Half and single floats widen exactly.
                var d = r.ReadDouble();
                sb.Append(double.IsFinite(d) ? Jcs.FormatNumber(d) : "null");
                break;
            case CborReaderState.Boolean: sb.Append(r.ReadBoolean() ? "true" : "false"); break;
            case CborReaderState.Null or CborReaderState.Undefined: r.SkipValue(); sb.Append("null"); break;
            case CborReaderState.Tag: r.ReadTag(); Write(r, sb, depth + 1); break;
            default: throw new FormatException("unsupported CBOR item " + r.PeekState());
        }
    }

    private static string KeyText(CborReader r)
    {
        var sb = new StringBuilder();
        Write(r, sb, 0);
        return sb.ToString();
    }
}
