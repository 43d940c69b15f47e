// The reference shim's answers (adapters/SHIM.md): each op computed by the model from the request's inputs alone —
// it never sees a vector file — and, with a fault, through that fault's behaviour.
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Model.Cip;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Model.Merkle;
using Conformance.Model.Shard;
using Conformance.Reference.Faults;
using Conformance.Reference.Hosting;
using Conformance.Reference.Lhs;

namespace Conformance.Cli.Shim;

internal sealed class ReferenceShim(Fault? fault) : IDisposable
{
    public static readonly string[] Ops =
    [
        "jcs.canonicalize", "ed25519.sign", "ed25519.verify", "lhs.negotiate", "lhs.seal.verify",
        "merkle.root", "merkle.payload", "merkle.inclusion.verify", "shard.version-id", "cip.envelope.verify",
        "cip.trust-fsm", "cip.knowledge", "shard.header", "cip.replay",
        "lhs.transcript.server", "lhs.transcript.client", "shard.transcript",
    ];

    // The seal key is never used by a hello; the model's server config needs one.
    private readonly Ed25519Signer _sealKey = new(new byte[32]);

    public string Name => "conformance reference shim (the model)" + (fault is null ? "" : $" with fault {fault.Name}");

    /// <summary>The answer to one request line, without its id; throws on a request it cannot read.</summary>
    public JsonObject Answer(string op, JsonElement r) => op switch
    {
        "jcs.canonicalize" => Canonicalize(Str(r, "input")),
        "ed25519.sign" => Sign(Hex(r, "seed"), Hex(r, "msg")),
        "ed25519.verify" => Verdict(Ed25519.Verify(Hex(r, "publicKey"), Hex(r, "msg"), Hex(r, "sig"))),
        "lhs.negotiate" => Negotiate(r.GetProperty("serverCapabilities"), Str(r, "hello")),
        "lhs.seal.verify" => VerifySeal(r),
        "merkle.root" => Tree([.. r.GetProperty("leaves").EnumerateArray().Select(l => MerkleTree.LeafHash(Convert.FromHexString(l.GetString()!)))]),
        "merkle.payload" => Payload(Hex(r, "payload"), r.GetProperty("chunkSize").GetInt32()),
        "merkle.inclusion.verify" => Inclusion(r),
        "shard.version-id" => VersionId(Str(r, "versionId")),
        "cip.envelope.verify" => Envelope(Str(r, "envelope")),
        "cip.trust-fsm" => TrustFsmOp.Answer(r, fault),
        "cip.knowledge" => KnowledgeOp.Answer(r, fault),
        "shard.header" => ShardHeaderOp.Answer(r, fault),
        "cip.replay" => ReplayOp.Answer(r, fault),
        "lhs.transcript.server" => LhsTranscriptOps.Server(r, fault),
        "lhs.transcript.client" => LhsTranscriptOps.Client(r),
        "shard.transcript" => ShardTranscriptOp.Answer(r, fault),
        _ => new JsonObject { ["unimplemented"] = true },
    };

    private static JsonObject Canonicalize(string input)
    {
        try { return Valid(("outputHex", Convert.ToHexStringLower(Jcs.Canonicalize(input)))); }
        catch (JcsException) { return Invalid(); }
    }

    private static JsonObject Sign(byte[] seed, byte[] msg)
    {
        if (seed.Length != 32) return Invalid();
        using var key = new Ed25519Signer(seed);
        return Valid(("publicKey", Convert.ToHexStringLower(key.PublicKey)), ("sig", Convert.ToHexStringLower(key.Sign(msg))));
    }

    /// <summary>The server's answer to a hello as the first frame of a connection: through the fault's behaviour, if any.</summary>
    private JsonObject Negotiate(JsonElement caps, string hello)
    {
        var capabilities = new ServerCapabilities(caps.GetProperty("lri_version").GetString()!,
            [.. caps.GetProperty("encodings").EnumerateArray().Select(e => e.GetString()!)],
            [.. caps.GetProperty("features").EnumerateArray().Select(e => e.GetString()!)],
            caps.GetProperty("max_frame_bytes").GetInt32());
        var behaviour = fault.Or(LhsServerBehaviour.Correct);
        var config = new LhsServerConfig(capabilities, _sealKey, TimeSpan.FromHours(1));
        var step = behaviour.Step(LhsServerState.Initial, new LhsInput.Text(hello), config, behaviour.Environment(SystemEnvironment.Instance), LhsServer.Step);
        var sent = step.Outputs.OfType<LhsOutput.SendText>().Select(s => JsonNode.Parse(s.Value)).FirstOrDefault();
        if (sent is JsonObject frame && (string?)frame["step"] == "mirror") return Valid(("mirror", frame));
        if (sent is JsonObject error && (string?)error["step"] == "error") return Invalid(("errorFrame", error));
        // A server that answers a hello with neither (silence, or another frame) rejected it without saying why.
        return Invalid();
    }

    private static JsonObject VerifySeal(JsonElement r)
    {
        byte[] payload;
        try
        {
            payload = SealSignature.Payload(Parse(Str(r, "hello")), Parse(Str(r, "mirror")), Parse(Str(r, "bind")), Str(r, "nonce"));
        }
        catch (Exception e) when (e is JsonException or JcsException) { return Invalid(); }
        return Verdict(SealSignature.Verify(Str(r, "signature"), payload, Hex(r, "serverPublicKey")) is null);
    }

    private static JsonObject Tree(byte[][] leafHashes)
    {
        var root = MerkleTree.Root(leafHashes);
        return Valid(("leafHashes", new JsonArray([.. leafHashes.Select(h => (JsonNode)Convert.ToHexStringLower(h))])),
            ("root", Convert.ToHexStringLower(root)), ("versionId", VersionIds.ForRoot(root)));
    }

    private static JsonObject Payload(byte[] payload, int chunkSize)
    {
        if (chunkSize < 1) return Invalid();
        var answer = Tree([.. payload.Chunk(chunkSize).Select(c => MerkleTree.LeafHash(c))]);
        answer["chunkCount"] = answer["leafHashes"]!.AsArray().Count;
        return answer;
    }

    private static JsonObject Inclusion(JsonElement r)
    {
        try
        {
            var proof = r.GetProperty("proof").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToArray();
            return Verdict(MerkleTree.VerifyInclusion(Hex(r, "leafHash"), r.GetProperty("index").GetInt64(), r.GetProperty("treeSize").GetInt64(), proof, Hex(r, "root")));
        }
        catch (FormatException) { return Invalid(); }
    }

    private JsonObject VersionId(string id)
    {
        if (VersionIds.IsValid(id)) return Valid(("form", VersionIds.IsHashBased(id) ? "hash" : "semver"));
        // A fault that accepts version ids of any form (shard-version-id-unchecked) takes this one.
        return ShimFaults.AnyVersionId(fault) ? Valid(("form", "semver")) : Invalid();
    }

    private JsonObject Envelope(string text)
    {
        // A fault's receiver does not enforce its rule; one that breaks parsing leaves nothing more to check.
        var tolerated = ShimFaults.ToleratedCipRule(fault);
        var (e, _, _, error) = CipAcceptance.Judge(text, CipReceiving.Anyone with { Unenforced = tolerated is null ? new HashSet<string>() : [tolerated] });
        if (e is null) return error!.Rule == tolerated ? Valid() : Invalid(("rule", error.Rule));
        if (error is not null) return Invalid(("rule", error.Rule));
        return Valid(("msgType", e.Type.Wire()), ("publicKey", Convert.ToHexStringLower(e.PublicKey)), ("fingerprint", e.Sender.Fingerprint),
            ("signature", Convert.ToHexStringLower(e.Signature)), ("signingInput", Convert.ToHexStringLower(CipSigning.SigningInput(e.Json))));
    }

    private static JsonObject Verdict(bool ok) => ok ? Valid() : Invalid();

    private static JsonObject Valid(params (string Name, JsonNode? Value)[] outputs) => With("valid", outputs);

    private static JsonObject Invalid(params (string Name, JsonNode? Value)[] outputs) => With("invalid", outputs);

    private static JsonObject With(string result, (string Name, JsonNode? Value)[] outputs)
    {
        var o = new JsonObject { ["result"] = result };
        foreach (var (name, value) in outputs) o[name] = value?.DeepClone();
        return o;
    }

    private static string Str(JsonElement r, string name) => r.GetProperty(name).GetString() ?? throw new FormatException(name + " is null");

    /// <summary>Hex input; not hex is an unreadable request (FormatException → an "error" answer), unlike bytes of a wrong length.</summary>
    private static byte[] Hex(JsonElement r, string name) => Convert.FromHexString(Str(r, name));

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    public void Dispose() => _sealKey.Dispose();
}
