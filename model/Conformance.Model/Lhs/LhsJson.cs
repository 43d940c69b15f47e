using System.Text.Encodings.Web;
using System.Text.Json;

namespace Conformance.Model.Lhs;

/// <summary>How the model writes JSON frames: plain, readable escapes (a quote is \" not \u0022). Frames are
/// wire data, never embedded in HTML, so the HTML-safe default escaping buys nothing and hurts traces.</summary>
public static class LhsJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);
}
