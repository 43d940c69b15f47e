using Conformance.Model.Codec;
using Conformance.Suite.Cip.Play;
using Conformance.Suite.Lhs.Play;

namespace Conformance.Cli.Commands;

/// <summary>Prints the suite's published test identities: what an IUT must be configured to trust. Never for production.</summary>
internal static class KeysCommand
{
    public static int Execute(string[] args, TextWriter stdout)
    {
        new Args(args, new HashSet<string>()).RejectUnknown();
        stdout.WriteLine("Test keys of the conformance suite: anyone can derive the private halves. NEVER use them in production.");
        stdout.WriteLine();
        stdout.WriteLine("LHS — the suite playing the server (a client IUT must trust this seal key):");
        stdout.WriteLine($"  public key (hex)       {Convert.ToHexStringLower(SuiteServer.Key.PublicKey)}");
        stdout.WriteLine($"  public key (base64url) {Base64Url.Encode(SuiteServer.Key.PublicKey)}");
        stdout.WriteLine();
        stdout.WriteLine("Shard — the suite's CCML node (an edge IUT must trust it; a node IUT must sign with it: private seed = SHA-256 of the label):");
        stdout.WriteLine($"  label {Reference.Hosting.TestKeys.SuiteShardNodeLabel}  key_id {Model.Shard.ShardSigning.KeyId(Suite.Shard.Play.ShardClient.NodeKey.PublicKey)}");
        stdout.WriteLine("Shard — the authority whose signed override lets a version build on an invalidated one:");
        stdout.WriteLine($"  label {Reference.Hosting.TestKeys.SuiteShardAuthorityLabel}  key_id {Model.Shard.ShardSigning.KeyId(Suite.Shard.Play.ShardClient.Authority.PublicKey)}");
        stdout.WriteLine();
        stdout.WriteLine("CIP — trust anchors (an agent IUT must trust these fingerprints from first contact):");
        foreach (var a in CipWorld.Anchors)
            stdout.WriteLine($"  {a.AgentId,-16} fingerprint {a.Fingerprint}  pubkey {a.PublicKeyBase64}");
        stdout.WriteLine("CIP — the human authority (an agent IUT must obey its signed trust_override):");
        stdout.WriteLine($"  {CipWorld.Authority.AgentId,-16} fingerprint {CipWorld.Authority.Fingerprint}  pubkey {CipWorld.Authority.PublicKeyBase64}");
        return Cli.Ok;
    }
}
