// Deliberate damage to LHS frames, shared by the faults (a broken reference peer) and the suite (a tester that
// misbehaves on purpose). Each helper changes one thing and says what in its name.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Codec;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;

namespace Conformance.Reference.Lhs;

public static class LhsTamper
{
    /// <summary>The JSON object with member <paramref name="name"/> set (or removed when value is null).</summary>
    public static string WithMember(string json, string name, JsonNode? value, bool remove = false)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (remove) node.Remove(name);
        else node[name] = value;
        return node.ToJsonString();
    }

    public static string WithMember(JsonElement json, string name, JsonNode? value, bool remove = false) =>
        WithMember(json.GetRawText(), name, value, remove);

    /// <summary>The seal with its signature replaced.</summary>
    public static string WithSignature(string sealJson, string signature) => WithMember(sealJson, "signature", JsonValue.Create(signature));

    /// <summary>An LTP seal signature by <paramref name="key"/> over an arbitrary list of JSON values.</summary>
    public static string SignOver(Ed25519Signer key, params string[] jsonValues)
    {
        using var doc = JsonDocument.Parse("[" + string.Join(",", jsonValues) + "]");
        return SealSignature.Sign(key, Jcs.Canonicalize(doc.RootElement));
    }

    public static bool IsStep(LhsInput input, LhsStepName step) =>
        input is LhsInput.Text t && ControlFrame.Parse(t.Value) is { IsOk: true } f && f.Value!.Step == step;

    public static bool IsStep(LhsOutput output, LhsStepName step) =>
        output is LhsOutput.SendText t && ControlFrame.Parse(t.Value) is { IsOk: true } f && f.Value!.Step == step;

    /// <summary>Re-encodes a flow frame's LCE into <paramref name="encoding"/>, from whichever encoding decodes it.</summary>
    public static byte[]? Transcode(ReadOnlyMemory<byte> frame, string encoding)
    {
        if (frame.Length < 4) return null;
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Span);
        if (length > frame.Length - 4) return null;
        var lce = frame.Slice(4, (int)length);
        var payload = frame[(4 + (int)length)..];
        var json = LceAsJson(lce);
        if (json is null) return null;
        using var doc = JsonDocument.Parse(json);
        var target = LceCodecs.Find(encoding);
        return target is null ? null : FlowFrame.Frame(target.Encode(doc.RootElement), payload.Span);
    }

    /// <summary>The flow frame with <paramref name="member"/> added to its LCE, in the same encoding; null when the LCE does not decode.</summary>
    public static byte[]? WithLceMember(ReadOnlyMemory<byte> frame, string encoding, string member, JsonNode value)
    {
        if (frame.Length < 4) return null;
        var length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frame.Span);
        if (length > frame.Length - 4) return null;
        var json = LceAsJson(frame.Slice(4, (int)length));
        if (json is null || JsonNode.Parse(json) is not JsonObject lce) return null;
        lce[member] = value;
        using var doc = JsonDocument.Parse(lce.ToJsonString());
        return LceCodecs.Find(encoding) is { } codec ? FlowFrame.Frame(codec.Encode(doc.RootElement), frame[(4 + (int)length)..].Span) : null;
    }

    /// <summary>The other of the two encodings.</summary>
    public static string Other(string encoding) => encoding == LceCodecs.Json ? LceCodecs.Cbor : LceCodecs.Json;

    private static string? LceAsJson(ReadOnlyMemory<byte> lce)
    {
        try
        {
            using var doc = JsonDocument.Parse(lce);
            if (doc.RootElement.ValueKind == JsonValueKind.Object) return doc.RootElement.GetRawText();
        }
        catch (JsonException) { }
        return CborJson.TryToJson(lce) is { } j && j.StartsWith('{') ? j : null;
    }
}
