// How the reference agent drives the client model; faults override one hook (see LhsServerBehaviour).
using Conformance.Model.Lhs;

namespace Conformance.Reference.Lhs;

public delegate LhsStep<LhsClientState> ClientModel(LhsClientState state, LhsInput input, LhsClientConfig config);

public class LhsClientBehaviour
{
    public static readonly LhsClientBehaviour Correct = new();

    /// <summary>The configuration the model sees (a fault may swap the trusted key).</summary>
    public virtual LhsClientConfig Configure(LhsClientConfig config) => config;

    public virtual LhsStep<LhsClientState> Start(LhsClientConfig config) => LhsClient.Start(config);

    /// <summary>The bind the agent sends in LHS-Bind over the HTTP Upgrade profile, where it goes out before the mirror.</summary>
    public virtual string HttpBind(LhsClientConfig config) => config.BindText();

    public virtual LhsStep<LhsClientState> Step(LhsClientState state, LhsInput input, LhsClientConfig config, ClientModel model) =>
        model(state, input, config);

    /// <summary>A flow frame the agent's application sends, checked against the contract.</summary>
    public virtual byte[] Outgoing(LhsClientState state, byte[] frame)
    {
        var contract = state.Contract ?? throw new InvalidOperationException("no flow before the seal");
        var check = FlowFrame.Check(contract, frame);
        return check.IsOk ? frame : throw new InvalidOperationException("outgoing flow frame breaks the contract: " + check.Error);
    }
}
