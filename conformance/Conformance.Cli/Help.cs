namespace Conformance.Cli;

internal static class Help
{
    public const string Text = """
        conformance — conformance suite and reference implementations for LHS, Shard Hand-off and CIP

        conformance run [options]            run the suite; reports land in reports/latest/ (or --out)
          --spec lhs|shard|cip               spec to test (default: every spec; required with --target or --listen)
          --target ws://HOST:PORT/PATH       test an external IUT: an LHS server, a Shard edge or a CIP agent
                                             (default: the embedded reference implementations)
          --target http://HOST:PORT/PATH     test an LHS server over the HTTP Upgrade profile (§5: LHS-Hello/LHS-Bind
                                             in the request, LHS-Mirror/LHS-Seal in the 101)
          --target "stdio:COMMAND ARGS"      test an IUT of any role behind a protocol 2 shim (adapters/SHIM.md);
                                             its hello gives the keys; --role client for a client behind it
          --adapter websocket|http|stdio     how the IUT is reached (default websocket; with --target/--listen the
                                             scheme decides): http speaks LHS §5 (cases about WebSocket order are
                                             not applicable and are listed); stdio runs each embedded reference as
                                             a shim: `conformance shim --spec ... --role ...`
          --server-key KEY                   the IUT's Ed25519 public key (hex or base64url); required with --target
                                             for lhs and cip
          --agent-id ID                      the CIP agent's agent_id; required with --spec cip --target
          --observe ws://HOST:PORT/PATH      the IUT's observation channel (telemetry hooks, LHS checklist item 5)
          --role server|client               test only this role of the IUT (default: both with no target)
          --listen ws://HOST:PORT/PATH       with --role client: wait for a client IUT (LHS client, CCML node) here
                                             (http://… for an LHS client speaking the HTTP Upgrade profile)
          --filter GLOB[,GLOB]               run only cases whose ID matches (* and ?); no match is a usage error
          --skip FILE                        do not run the cases listed there ("ID-OR-GLOB reason" per line);
                                             they show as skipped, with their reason, in every report
          --expect FILE                      a baseline of expected outcomes: exit 1 on any deviation (an unexpected
                                             pass included), 0 when every case matches it
          --write-expect FILE                write this run's outcomes as a baseline for --expect
          --list                             list the selected cases and exit
          --seed N                           seed for the suite's random choices (default 1)
          --timeout-ms N                     per-step timeout (default 2000)
          --accept-timeout-ms N              how long each client-role case waits for the client (default 10000,
                                             and 30000 for the first connection unless this option is given)
          --fault NAME                       test the embedded reference with this deliberate bug (see list-faults)
          --out DIR                          report folder (default reports/latest)
          --traces N                         property-based traces per spec and role with a generator (lhs server and
                                             client, shard server, cip agent): LHS-S-, LHS-C-, SHARD-E-, CIP-A-traces
                                             (default 200; 0: none)
          --trace-parallel N                 traces at once (default 4; 1 for an IUT that takes one connection at a time;
                                             a cip agent's traces always run one at a time)
          --jobs N                           spec/role groups run at once, each against its own IUT (default 0: all;
                                             1: one after another); reports and exit code are the same either way
          --save-vector FILE                 write the minimal failing trace as a vector file, flag TraceFound: an LHS
                                             server or client trace as lhs transcripts, a Shard edge trace as shard
                                             transcripts (a CIP agent's or CCML node's is not saved; keep it out of
                                             vectors/, which holds generated files); replay it with run --vectors
                                             --vector-file FILE
          A sanity case runs first and last for each spec and role, to tell an IUT that died mid-run from one that
          broke a rule. Progress is redrawn in place on a terminal; with CI=true or redirected output it is plain lines.

        conformance replay --spec lhs|shard|cip [--role server|client] --seed S --trace ID --steps 'SCRIPT' [run's target options]
          runs one trace script (as a failing trace case prints it, with its replay command) and reports it like run;
          against the embedded reference (with --fault) the frames are the same, byte for byte

        conformance run --vectors --target "stdio:COMMAND ARGS" [--filter GLOB] [--timeout-ms N] [--out DIR] [--vector-file FILE]
          check an implementation against the golden vectors through a shim it provides (adapters/SHIM.md);
          --filter matches "spec/topic#tcId" (e.g. "ltp/*", "shard/merkle#1??"); --vector-file checks one file
          instead (a vector run --save-vector wrote)

        conformance shim --vectors [--fault NAME]
          the reference shim on stdin/stdout: answers each vector op from the model (with --fault, through that
          deliberately broken behaviour; faults that reach no vector op are refused)

        conformance shim --spec lhs|shard|cip [--role server|client|edge|node|agent] [--fault NAME] [--store DIR] [--seed N]
          a reference implementation as a protocol 2 shim on stdin/stdout (conversations: adapters/SHIM.md);
          --store keeps a Shard edge's registry in DIR (and lets the suite restart it)

        conformance compare RUN_DIR RUN_DIR... [--out DIR]
          a matrix of requirements × runs (each RUN_DIR holds a report.json) as compare.html and compare.md

        conformance serve --spec lhs|shard|cip [--listen ws://127.0.0.1:PORT/PATH] [--fault NAME] [--key-seed TEXT]
                          [--store DIR]      (shard: the Lattice Registry's directory; default a temporary one)
          runs the LHS reference edge, the Shard reference edge or the CIP reference agent; prints its URL and keys

        conformance agent --spec lhs --target ws://... --server-key KEY [--fault NAME] [--loop] [--frames N]
          runs the reference LHS client: handshake, verify the seal, send N flow frames, close;
          --loop reconnects after each connection until the target goes away (for `run --role client`);
          --target http://... speaks the HTTP Upgrade profile (§5) instead
        conformance agent --spec shard --target ws://... --file F [--chunk-size N] [--ledger FILE] [--loop]
        conformance agent --spec shard --target ws://... --rollback VERSION --shard-id ID [--reason TEXT]
          runs the reference CCML node: uploads F (resuming from its ledger after a drop), or requests a rollback

        conformance list-faults              the deliberately broken variants and the requirement each must fail
        conformance keys                     the suite's published test identities (what an IUT must trust)

        Exit codes: 0 Ratified: every checklist item met (or, with --expect, no deviation) · 1 a must requirement
        failed (or a deviation) · 2 usage/configuration · 3 IUT unreachable · 4 no must failed, but not Ratified:
        a checklist item is not verified (a case unimplemented, skipped, blocked by another failure, or not selected)

        """;
}
