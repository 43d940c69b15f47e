// report.json: the whole run as data, for tools (CI dashboards, diffing two runs, browser tests).
// Written by hand with Utf8JsonWriter rather than serializing the records, so the schema is explicit, stable and
// independent of record member order, and so the output is byte-for-byte deterministic for the same RunResult.
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Conformance.Adapters.Trace;
using Conformance.Model.Codec;
using Conformance.Reports.Model;

namespace Conformance.Reports.Writers;

public static class JsonReportWriter
{
    public const string Schema = "https://conformance.local/schema/report-v1.json";

    // Non-ASCII stays readable, but the encoder still escapes HTML-sensitive characters (< > & ' "), so a trace holding
    // "<script>" cannot become markup even if someone pastes report.json into a page.
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n", // same bytes on every OS
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
    };

    public static string Write(RunResult r)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WritePropertyName("manifest");
            WriteManifest(w, r.Manifest);
            w.WriteString("verdict", r.Verdict);
            w.WriteBoolean("ratified", r.Ratified);
            w.WriteNumber("exitCode", r.ExitCode);
            w.WritePropertyName("counts");
            WriteCounts(w, r.Counts);
            w.WriteStartObject("coverage");
            w.WriteNumber("requirementsCovered", r.RequirementsCovered);
            w.WriteNumber("requirementsTotal", r.RequirementsTotal);
            w.WriteEndObject();

            w.WriteStartArray("specs");
            foreach (var s in r.Specs)
            {
                w.WriteStartObject();
                w.WriteString("spec", s.Spec);
                w.WriteBoolean("ratified", s.Ratified);
                w.WriteString("verdict", s.Verdict);
                w.WriteNumber("requirementsCovered", s.RequirementsCovered);
                w.WriteNumber("requirementsTotal", s.RequirementsTotal);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteStrings(w, "notes", r.Notes);
            w.WriteStartArray("deviations");
            foreach (var d in r.Deviations)
            {
                w.WriteStartObject();
                w.WriteString("case", d.CaseId);
                w.WriteString("expected", d.Expected);
                w.WriteString("actual", d.Actual);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("checklist");
            foreach (var c in r.Checklist)
            {
                w.WriteStartObject();
                w.WriteString("spec", c.Spec);
                w.WriteString("role", c.Role);
                w.WriteString("item", c.Item);
                w.WriteString("title", c.Title);
                w.WriteString("quote", c.Quote);
                w.WriteString("status", Name(c.Status));
                WriteStrings(w, "failedRequirements", c.FailedRequirements);
                WriteStrings(w, "untestedRequirements", c.UntestedRequirements);
                w.WriteStartArray("blockedRequirements");
                foreach (var b in c.BlockedRequirements)
                {
                    w.WriteStartObject();
                    w.WriteString("requirement", b.Requirement);
                    WriteStrings(w, "blockedBy", b.BlockedBy);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("requirements");
            foreach (var q in r.Requirements)
            {
                w.WriteStartObject();
                w.WriteString("id", q.Id);
                w.WriteString("spec", q.Spec);
                w.WriteString("level", q.Level.Name());
                w.WriteString("section", q.Section);
                w.WriteString("quote", q.Quote);
                w.WriteString("checklistItem", q.ChecklistItem);
                WriteStrings(w, "roles", q.Roles);
                w.WriteString("status", Name(q.Status));
                WriteStrings(w, "blockedBy", q.BlockedBy);
                WriteStrings(w, "cases", q.Cases);
                w.WriteEndObject();
            }
            w.WriteEndArray();

            w.WriteStartArray("cases");
            foreach (var c in r.Cases) WriteCase(w, c);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>One case's trace alone (traces/{caseId}.json): the same entry shape as in report.json.</summary>
    public static string WriteTrace(IReadOnlyList<TraceEntry> trace)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options)) WriteTraceArray(w, trace);
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string Name(RequirementStatus s) => s switch
    {
        RequirementStatus.Passed => "passed",
        RequirementStatus.Failed => "failed",
        RequirementStatus.NotTested => "not-tested",
        RequirementStatus.Blocked => "blocked",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(ItemStatus s) => s switch
    {
        ItemStatus.Met => "met",
        ItemStatus.NotMet => "not-met",
        ItemStatus.NotVerified => "not-verified",
        ItemStatus.NotApplicable => "not-applicable",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string Name(Direction d) => d switch
    {
        Direction.Sent => "sent",
        Direction.Received => "received",
        Direction.Local => "local",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    public static string Name(FrameKind k) => k switch
    {
        FrameKind.Open => "open",
        FrameKind.Text => "text",
        FrameKind.Binary => "binary",
        FrameKind.Close => "close",
        FrameKind.Timeout => "timeout",
        FrameKind.Oversize => "oversize",
        FrameKind.Error => "error",
        FrameKind.Note => "note",
        _ => throw new ArgumentOutOfRangeException(nameof(k)),
    };

    /// <summary>
    /// The LCE of a flow frame (4-byte big-endian length ‖ LCE ‖ payload) as compact JSON text, or null when the bytes
    /// are not framed like that or the LCE is neither JSON nor CBOR. JSON is tried first: the negotiated encoding is not
    /// in the trace, and a JSON LCE is far more common than CBOR that happens to be valid JSON.
    /// </summary>
    public static string? DecodeLce(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 4) return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(frame);
        if (length > (uint)(frame.Length - 4)) return null; // also the case when the kept bytes were capped mid-LCE
        var lce = frame.Slice(4, (int)length);
        return ParseJson(lce) ?? (CborJson.TryToJson(lce.ToArray()) is { } json ? ParseJson(Encoding.UTF8.GetBytes(json)) : null);
    }

    /// <summary>Compact, re-serialized JSON if the bytes are one well-formed JSON value, else null.</summary>
    private static string? ParseJson(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (reader.BytesConsumed != utf8.Length) return null;
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder })) doc.RootElement.WriteTo(w);
            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void WriteManifest(Utf8JsonWriter w, RunManifest m)
    {
        w.WriteStartObject();
        w.WriteString("suite", m.Suite);
        w.WriteString("suiteVersion", m.SuiteVersion);
        w.WriteString("commit", m.Commit);
        WriteStrings(w, "specs", m.Specs);
        WriteStrings(w, "roles", m.Roles);
        w.WriteString("adapter", m.Adapter);
        w.WriteString("target", m.Target);
        w.WriteNumber("seed", m.Seed);
        w.WriteNumber("stepTimeoutMs", m.StepTimeoutMs);
        w.WriteString("fault", m.Fault);
        w.WriteString("filter", m.Filter);
        w.WriteString("iutIdentity", m.IutIdentity);
        w.WriteString("runId", m.RunId);
        w.WriteString("vectorsManifestSha256", m.VectorsManifestSha256);
        w.WriteString("expectFile", m.ExpectFile);
        w.WriteString("skipFile", m.SkipFile);
        w.WriteString("started", m.Started.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("finished", m.Finished.ToString("O", CultureInfo.InvariantCulture));
        WriteStrings(w, "arguments", m.Arguments);
        w.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter w, RunCounts c)
    {
        w.WriteStartObject();
        w.WriteNumber("total", c.Total);
        w.WriteNumber("pass", c.Pass);
        w.WriteNumber("fail", c.Fail);
        w.WriteNumber("nonStrict", c.NonStrict);
        w.WriteNumber("unimplemented", c.Unimplemented);
        w.WriteNumber("informational", c.Informational);
        w.WriteNumber("error", c.Error);
        w.WriteNumber("timeout", c.Timeout);
        w.WriteNumber("skipped", c.Skipped);
        w.WriteNumber("flaky", c.Flaky);
        w.WriteEndObject();
    }

    private static void WriteCase(Utf8JsonWriter w, CaseResult c)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("spec", c.Spec);
        w.WriteString("role", c.Role);
        w.WriteString("section", c.Section);
        w.WriteString("title", c.Title);
        w.WriteString("description", c.Description);
        w.WriteString("level", c.Level.Name());
        WriteStrings(w, "requirements", c.Requirements);
        w.WriteString("outcome", c.Outcome.Name());
        w.WriteString("summary", c.Summary);
        w.WriteString("sanity", c.Sanity);
        WriteMs(w, "durationMs", c.DurationMs);
        w.WriteStartArray("checks");
        foreach (var k in c.Checks)
        {
            w.WriteStartObject();
            w.WriteString("requirement", k.Requirement);
            w.WriteString("level", k.Level.Name());
            w.WriteBoolean("passed", k.Passed);
            w.WriteString("expected", k.Expected);
            w.WriteString("actual", k.Actual);
            w.WriteBoolean("timedOut", k.TimedOut);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("blocked");
        foreach (var b in c.Blocked)
        {
            w.WriteStartObject();
            w.WriteString("requirement", b.Requirement);
            w.WriteString("level", b.Level.Name());
            w.WriteString("blockedBy", b.BlockedBy);
            w.WriteString("expected", b.Expected);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WritePropertyName("trace");
        WriteTraceArray(w, c.Trace);
        if (c.Traces is { } t) WriteTraceRun(w, t);
        w.WriteEndObject();
    }

    private static void WriteTraceRun(Utf8JsonWriter w, TraceRun t)
    {
        w.WriteStartObject("traces");
        w.WriteNumber("seed", t.Seed);
        w.WriteNumber("count", t.Count);
        w.WriteNumber("steps", t.Steps);
        if (t.FailingTrace is { } id) w.WriteNumber("failingTrace", id); else w.WriteNull("failingTrace");
        w.WriteString("generated", t.Generated);
        w.WriteString("minimal", t.Minimal);
        w.WriteNumber("shrinkRuns", t.ShrinkRuns);
        w.WriteBoolean("flaky", t.Flaky);
        w.WriteString("replay", t.Replay);
        w.WriteEndObject();
    }

    private static void WriteTraceArray(Utf8JsonWriter w, IReadOnlyList<TraceEntry> trace)
    {
        w.WriteStartArray();
        foreach (var e in trace)
        {
            w.WriteStartObject();
            WriteMs(w, "atMs", e.AtMs);
            w.WriteString("direction", Name(e.Direction));
            w.WriteString("kind", Name(e.Kind));
            w.WriteNumber("length", e.Length);
            // The trace keeps at most MaxKeptBytes of a frame; say so rather than let a reader take a prefix for the whole.
            if (e.Bytes.Length < e.Length) w.WriteBoolean("truncated", true);
            if (e.Bytes.Length > 0)
            {
                if (e.Kind == FrameKind.Binary)
                {
                    w.WriteString("hex", Convert.ToHexStringLower(e.Bytes));
                    if (DecodeLce(e.Bytes) is { } decoded)
                    {
                        // Embedded as a JSON value, not a string, so consumers need no second parse.
                        using var doc = JsonDocument.Parse(decoded);
                        w.WritePropertyName("decoded");
                        doc.RootElement.WriteTo(w);
                    }
                }
                else if (e.Kind is FrameKind.Text or FrameKind.Close) // a close frame's bytes are its UTF-8 reason
                {
                    w.WriteString("text", Encoding.UTF8.GetString(e.Bytes));
                }
                else
                {
                    w.WriteString("hex", Convert.ToHexStringLower(e.Bytes));
                }
            }
            if (e.Note is not null) w.WriteString("note", e.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> items)
    {
        w.WriteStartArray(name);
        foreach (var s in items) w.WriteStringValue(s);
        w.WriteEndArray();
    }

    // JSON has no NaN or Infinity; a broken clock must not make the whole report unwritable.
    private static void WriteMs(Utf8JsonWriter w, string name, double ms)
    {
        if (double.IsFinite(ms)) w.WriteNumber(name, ms);
        else w.WriteNull(name);
    }
}
