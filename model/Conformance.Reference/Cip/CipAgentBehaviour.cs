// How the reference agent drives the CIP model. The default is the model unchanged; a fault (Faults/Cip*) overrides
// Step to break one rule around the model.
using Conformance.Model.Cip;
using Conformance.Model.Env;

namespace Conformance.Reference.Cip;

public delegate CipStep CipModel(CipAgentState state, CipInput input, CipAgentConfig config, IModelEnvironment env);

public class CipAgentBehaviour
{
    public static readonly CipAgentBehaviour Correct = new();

    public virtual CipStep Step(CipAgentState state, CipInput input, CipAgentConfig config, IModelEnvironment env, CipModel model) =>
        model(state, input, config, env);
}
