// How the reference edge drives the model. The default is the model, unchanged; a fault (Faults/) overrides one
// hook to break one rule around the model — never inside it (BoringSSL's ProtocolBugs, kept outside the rules).
using Conformance.Model.Env;
using Conformance.Model.Lhs;

namespace Conformance.Reference.Lhs;

public delegate LhsStep<LhsServerState> ServerModel(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env);

public class LhsServerBehaviour
{
    public static readonly LhsServerBehaviour Correct = new();

    /// <summary>The environment the model sees (a fault may fix its randomness).</summary>
    public virtual IModelEnvironment Environment(IModelEnvironment env) => env;

    /// <summary>One transition. Faults wrap <paramref name="model"/>: change what goes in or what comes out.</summary>
    public virtual LhsStep<LhsServerState> Step(LhsServerState state, LhsInput input, LhsServerConfig config, IModelEnvironment env, ServerModel model) =>
        model(state, input, config, env);

    /// <summary>The 101's headers for the HTTP Upgrade profile (§5): the mirror and the seal, each base64url.</summary>
    public virtual IReadOnlyList<KeyValuePair<string, string>> UpgradeHeaders(string mirror, string seal) =>
        [new(LhsHttp.MirrorHeader, LhsHttp.Encode(mirror)), new(LhsHttp.SealHeader, LhsHttp.Encode(seal))];

    /// <summary>The reference edge's application: it echoes every flow frame it accepts, unchanged.</summary>
    public virtual byte[] Echo(LhsServerState state, FlowFrameView frame) =>
        LhsServer.Outgoing(state, Model.Lhs.FlowFrame.Frame(frame.LceBytes.Span, frame.Payload.Span));
}
