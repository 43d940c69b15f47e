// The model as oracle: what the reference machine would do with the same inputs. Cases ask it for the rejection an
// input earns instead of writing the expected code down, so a rule lives only in the model.
using Conformance.Model.Env;
using Conformance.Model.Lhs;
using Conformance.Model.Ltp;
using Conformance.Reference.Hosting;

namespace Conformance.Suite.Lhs.Play;

public static class Oracle
{
    private static readonly Ed25519Signer OracleKey = TestKeys.FromLabel("conformance-suite/oracle");
    private static readonly LhsServerConfig ServerConfig = LhsServerConfig.Reference(OracleKey);

    /// <summary>The server machine's rejection of these client messages, from a fresh connection.</summary>
    public static LhsError ServerRejects(params LhsInput[] inputs)
    {
        var env = new SeededEnvironment(0, stream: "oracle");
        var state = LhsServerState.Initial;
        foreach (var input in inputs)
        {
            var step = LhsServer.Step(state, input, ServerConfig, env);
            if (step.Rejected is { } e) return e;
            state = step.State;
        }
        throw new InvalidOperationException("oracle: the model accepts this sequence; the case expects a rejection");
    }

    /// <summary>The server machine's rejection of an HTTP Upgrade request carrying these header values (§5).</summary>
    public static LhsError ServerRejectsOverHttp(string? helloHeader, string? bindHeader)
    {
        var env = new SeededEnvironment(0, stream: "oracle");
        return LhsHttp.Serve(helloHeader, bindHeader, (s, i) => LhsServer.Step(s, i, ServerConfig, env)) is LhsHttpAnswer.Reject r
            ? r.Error
            : throw new InvalidOperationException("oracle: the model upgrades this request; the case expects a rejection");
    }

    /// <summary>The client machine's rejection of <paramref name="input"/> in <paramref name="state"/>.</summary>
    public static LhsError ClientRejects(LhsClientState state, LhsInput input, byte[] trustedKey)
    {
        var step = LhsClient.Step(state, input, ShadowConfig(state, trustedKey));
        return step.Rejected ?? throw new InvalidOperationException("oracle: the client model accepts this input; the case expects a rejection");
    }

    /// <summary>A config under which the client model reproduces an observed client's hello (the bind is not rebuilt).</summary>
    public static LhsClientConfig ShadowConfig(LhsClientState state, byte[] trustedKey) =>
        new(state.Hello.LriVersion, state.Hello.Encodings, state.Hello.Features, state.Hello.MaxFrameBytes,
            state.Bind?.Thread ?? "00000000-0000-4000-8000-000000000000", trustedKey);

    public static LhsInput Text(string s) => new LhsInput.Text(s);
    public static LhsInput Binary(byte[] b) => new LhsInput.Binary(b);
}
