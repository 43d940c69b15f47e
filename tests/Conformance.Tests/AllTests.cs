using Expecto;

namespace Conformance.Tests;

/// <summary>Every test list of the project. Add a new list here.</summary>
public static class AllTests
{
    public static Test[] Lists() =>
    [
        Model.JcsTests.Tests(),
        Model.JcsNumberTests.Tests(),
        Model.CryptoTests.Tests(),
        Model.CodecTests.Tests(),
        Model.LhsMachineTests.Tests(),
        Model.LhsHttpTests.Tests(),
        Model.CipEnvelopeTests.Tests(),
        Model.CipTrustTests.Tests(),
        Model.CipAgentTests.Tests(),
        Model.CipAcceptanceTests.Tests(),
        Model.ShardEdgeTests.Tests(),
        Model.ShardEdgeRunTests.Tests(),
        Model.RegistryShardTests.Tests(),
        Reports.ReportWriterTests.Tests(),
        Reports.ReportSchemaTests.Tests(),
        Reports.BrowserTests.Tests(),
        Reference.ObservationTests.Tests(),
        Shard.RegistryStoreTests.Tests(),
        Shard.EdgeKillTests.Tests(),
        Shard.EdgeAbortTests.Tests(),
        Suite.CatalogTests.Tests(),
        Suite.VerdictTests.Tests(),
        Suite.RealImplementationTests.Tests(),
        Vectors.VectorTests.Tests(),
        Vectors.ReplayTests.Tests(),
        Vectors.ShimRunTests.Tests(),
        Cli.ExitCodeTests.Tests(),
        Cli.RemoteTests.Tests(),
        Cli.GatingTests.Tests(),
        Cli.CompareTests.Tests(),
        Cli.ProgressTests.Tests(),
        Suite.FaultDetectionTests.Tests(),
        Traces.TraceEngineTests.Tests(),
        Traces.TraceDetectionTests.Tests(),
        Traces.ShardNodeTraceTests.Tests(),
        Traces.ShardEdgeTraceTests.Tests(),
        Suite.HttpFaultDetectionTests.Tests(),
        Adapters.WebSocketAdapterTests.Tests(),
        Adapters.HostileIutTests.Tests(),
        Adapters.HttpAdapterTests.Tests(),
        Adapters.StdioAdapterTests.Tests(),
        Adapters.StdioConversationTests.Tests(),
        Adapters.ShimRefusalTests.Tests(),
        Design.OneOracleTests.Tests(),
    ];
}
