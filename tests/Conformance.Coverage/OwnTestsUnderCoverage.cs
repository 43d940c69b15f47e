// The whole Expecto suite as one xunit fact: coverlet instruments what it runs in this process (the CLI's `serve` and
// `agent` child processes are not instrumented, so code reached only there counts as uncovered).
using Xunit;

namespace Conformance.Coverage;

public class OwnTestsUnderCoverage
{
    [Fact]
    public void Every_own_test_passes()
    {
        var exit = Conformance.Tests.Program.Main(["--no-spinner", "--colours", "0"]);
        Assert.Equal(0, exit);
    }
}
