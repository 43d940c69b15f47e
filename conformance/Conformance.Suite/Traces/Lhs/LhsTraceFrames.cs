// Flow frames for LHS traces, either role: a valid LCE under the contract in play, or one mutation of it.
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Model.Lhs;
using Conformance.Suite.Lhs;

namespace Conformance.Suite.Traces.Lhs;

internal static class LhsTraceFrames
{
    /// <summary>
    /// The LCE {"v":1,"intent":{"type":<paramref name="intent"/>},"policy":{"consent":"granted"}} with an N-byte payload,
    /// changed as <paramref name="variant"/> says: extra/sig/lss members, v2, no v, no intent, no consent, the other
    /// encoding, a 4-byte prefix that overruns, a 2-byte frame, or one byte over the contract's max_frame_bytes.
    /// </summary>
    public static byte[] Flow(FlowContract contract, string variant, int n, string intent)
    {
        var lce = JsonNode.Parse($"{{\"v\":1,\"intent\":{{\"type\":\"{intent}\"}},\"policy\":{{\"consent\":\"granted\"}}}}")!.AsObject();
        switch (variant)
        {
            case "sig": lce["sig"] = "ltp:jws:e30..c2ln"; break;
            case "lss": lce["lss"] = new JsonObject { ["coherence"] = 0.5 }; break;
            case "extra": lce["x_trace"] = "kept"; break;
            case "nov": lce.Remove("v"); break;
            case "v2": lce["v"] = 2; break;
            case "nointent": lce.Remove("intent"); break;
            case "noconsent": lce["policy"] = new JsonObject(); break;
            case "short": return [0, 0];
            case "badlen": return [0, 0, 0x10, 0, .. "0123456789"u8];
        }
        var payload = Encoding.UTF8.GetBytes(new string('p', n));
        var encoding = variant == "wrongenc" ? (contract.Encoding == "json" ? "cbor" : "json") : contract.Encoding;
        var frame = FlowFrames.In(encoding, lce.ToJsonString(), payload);
        if (variant != "oversize") return frame;
        // Valid in every other way, at least one byte over the negotiated limit.
        var pad = Encoding.UTF8.GetBytes(new string('p', Math.Max(0, contract.MaxFrameBytes - frame.Length + 1)));
        return FlowFrames.In(encoding, lce.ToJsonString(), [.. payload, .. pad]);
    }
}
