namespace Conformance.Cli;

internal static class Help
{
    public const string Text = """
        conformance — conformance suite and reference implementations for LHS and CIP (Shard Hand-off: not yet)

        conformance run [options]            run the suite; reports land in reports/latest/ (or --out)
          --spec lhs|cip                     spec to test (default: every implemented spec; required with --target)
          --target ws://HOST:PORT/PATH       test an external IUT: an LHS server, or a CIP agent
                                             (default: the embedded reference implementations)
          --server-key KEY                   the IUT's Ed25519 public key (hex or base64url); required with --target
          --agent-id ID                      the CIP agent's agent_id; required with --spec cip --target
          --observe ws://HOST:PORT/PATH      the IUT's observation channel (telemetry hooks, LHS checklist item 5)
          --role server|client               test only this role of the IUT (default: both with no target)
          --listen ws://HOST:PORT/PATH       with --role client: wait for a client IUT here
          --filter GLOB[,GLOB]               run only cases whose ID matches (* and ?); no match is a usage error
          --list                             list the selected cases and exit
          --seed N                           seed for the suite's random choices (default 1)
          --timeout-ms N                     per-step timeout (default 2000)
          --accept-timeout-ms N              how long each client-role case waits for the client (default 10000,
                                             and 30000 for the first connection unless this option is given)
          --fault NAME                       test the embedded reference with this deliberate bug (see list-faults)
          --out DIR                          report folder (default reports/latest)

        conformance serve --spec lhs|cip [--listen ws://127.0.0.1:PORT/PATH] [--fault NAME] [--key-seed TEXT]
          runs the LHS reference edge or the CIP reference agent; prints its URL, observation URL and key

        conformance agent --spec lhs --target ws://... --server-key KEY [--fault NAME] [--loop] [--frames N]
          runs the reference agent (LHS client): handshake, verify the seal, send N flow frames, close;
          --loop reconnects after each connection until the target goes away (for `run --role client`)

        conformance list-faults              the deliberately broken variants and the requirement each must fail
        conformance keys                     the suite's published test identities (what an IUT must trust)

        Exit codes: 0 all must requirements passed · 1 a must requirement failed · 2 usage/configuration · 3 IUT unreachable

        """;
}
