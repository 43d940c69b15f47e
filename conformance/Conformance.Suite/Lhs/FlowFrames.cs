// Flow frames built without a negotiated contract, for cases that send flow where none is allowed.
using System.Text.Json;
using Conformance.Model.Codec;
using Conformance.Model.Lhs;

namespace Conformance.Suite.Lhs;

internal static class FlowFrames
{
    public const string PingJson = "{\"v\":1,\"intent\":{\"type\":\"ping\"},\"policy\":{\"consent\":\"granted\"}}";

    /// <summary>4-byte length ‖ {"v":1,"intent":{"type":"ping"},"policy":{"consent":"granted"}} ‖ "early".</summary>
    public static byte[] JsonPing() => FlowFrame.Frame(System.Text.Encoding.UTF8.GetBytes(PingJson), "early"u8);

    /// <summary>The LCE <paramref name="json"/> in encoding <paramref name="encoding"/>, framed with <paramref name="payload"/>.</summary>
    public static byte[] In(string encoding, string json, ReadOnlySpan<byte> payload)
    {
        using var doc = JsonDocument.Parse(json);
        return FlowFrame.Frame(LceCodecs.Find(encoding)!.Encode(doc.RootElement), payload);
    }
}
