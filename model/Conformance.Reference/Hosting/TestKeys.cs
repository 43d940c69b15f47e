using System.Security.Cryptography;
using System.Text;
using Conformance.Model.Ltp;

namespace Conformance.Reference.Hosting;

/// <summary>
/// Fixed, published test keys (README, "Test keys"). NEVER for production: anyone can derive the private halves.
/// Each is SHA-256 of a label, used as an Ed25519 seed.
/// </summary>
public static class TestKeys
{
    /// <summary>The suite's own key when it plays the LHS server: configure a client IUT to trust it.</summary>
    public const string SuiteLhsServerLabel = "conformance-suite/lhs-server/v1";

    public static Ed25519Signer FromLabel(string label) => new(SHA256.HashData(Encoding.UTF8.GetBytes(label)));

    public static Ed25519Signer SuiteLhsServer() => FromLabel(SuiteLhsServerLabel);

    /// <summary>The suite's CIP peers that a CIP agent under test must trust from first contact (its trust anchors).</summary>
    public static readonly IReadOnlyList<string> SuiteCipAnchorLabels = ["conformance-suite/cip/anchor-1/v1", "conformance-suite/cip/anchor-2/v1", "conformance-suite/cip/anchor-3/v1"];

    /// <summary>The key the suite's CCML node signs shard headers with, and a Confluence Edge under test must trust.</summary>
    public const string SuiteShardNodeLabel = "conformance-suite/shard/ccml-node/v1";

    /// <summary>The suite's shard authority: its signed overrides let a new version build on an invalidated one.</summary>
    public const string SuiteShardAuthorityLabel = "conformance-suite/shard/authority/v1";

    /// <summary>The suite's CIP "human authority": its signed overrides reinstate blacklisted peers.</summary>
    public const string SuiteCipAuthorityLabel = "conformance-suite/cip/authority/v1";
}
