// Deliberately broken variants of the reference implementations (BoringSSL's ProtocolBugs, as whole variants).
// Each breaks exactly one rule (but `two-defects`, which shows one defect does not hide another) by wrapping the model — changing what goes in or what comes out — and names the
// requirement the suite must then fail. `conformance ... --fault NAME` selects one; --list-faults lists them.
using Conformance.Reference.Lhs;

namespace Conformance.Reference.Faults;

public enum FaultSide { Server, Client, Agent }

public sealed record Fault(string Name, FaultSide Side, string Summary, string ExpectedRequirement, Func<object> Create)
{
    /// <summary>The spec whose reference implementation this variant breaks.</summary>
    public string Spec { get; init; } = Side == FaultSide.Agent ? "cip" : "lhs";

    /// <summary>The adapter over which the broken behaviour shows (a §5 fault shows only over http); runs default to it.</summary>
    public string Adapter { get; init; } = "websocket";

    /// <summary>
    /// Not a bug: the variant takes the other side of a `model`-level reading (SPEC-NOTES). The suite must report it
    /// (the requirement informational) and never fail it; such variants are listed apart (<see cref="LhsFaults.Readings"/>).
    /// </summary>
    public bool Reading { get; init; }

    /// <summary>The vector op this variant changes when the reference shim runs it (`conformance shim --fault`), or null.</summary>
    public ShimReach? Shim { get; init; }

    /// <summary>A fresh behaviour of type <typeparamref name="T"/> if this fault breaks that kind of host, else <paramref name="correct"/>.</summary>
    public T As<T>(T correct) where T : class => Create() as T ?? correct;

    /// <summary>A fresh behaviour for one connection (faults may keep per-connection state).</summary>
    public LhsServerBehaviour ServerBehaviour() =>
        Side == FaultSide.Server ? (LhsServerBehaviour)Create() : LhsServerBehaviour.Correct;

    public LhsClientBehaviour ClientBehaviour() =>
        Side == FaultSide.Client ? (LhsClientBehaviour)Create() : LhsClientBehaviour.Correct;
}

public static class FaultBehaviour
{
    /// <summary>The behaviour a possibly absent fault gives a host of type <typeparamref name="T"/>: its own when it breaks that kind of host, else <paramref name="correct"/>.</summary>
    public static T Or<T>(this Fault? fault, T correct) where T : class => fault?.As(correct) ?? correct;
}

public static class LhsFaults
{
    public static readonly IReadOnlyList<Fault> All =
    [
        Server<NonceReused>("nonce-reused", "the edge draws its nonce from a fixed source: every connection gets the same mirror nonce", "LHS-3.2-nonce-unique") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<SealOverWrongBytes>("seal-over-wrong-bytes", "the edge signs JCS([hello, mirror, bind]) and leaves the nonce out", "LHS-3.4-seal-covers") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<SealNotCanonical>("seal-not-canonical", "the edge signs the frames' raw text instead of their JCS form", "LHS-3.4-seal-canonical") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<BindBeforeHello>("bind-before-hello", "the edge accepts a bind as the first frame, inventing a hello for it", "LHS-1-order"),
        Server<SecondHelloAccepted>("second-hello-accepted", "the edge restarts the handshake when a second hello arrives on one connection", "LHS-1-single-shot") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<MissingFieldsAccepted>("missing-fields-accepted", "the edge fills a hello's missing required fields with defaults", "LHS-3.1-required") with { Shim = new ShimReach.Runs("lhs.negotiate") },
        Server<VersionMajorUnchecked>("version-major-unchecked", "the edge answers a hello of any major as if it were its own", "LHS-3.1-version") with { Shim = new ShimReach.Runs("lhs.negotiate") },
        Server<FeaturesWidened>("features-widened", "the edge's mirror enables every feature it has, requested or not", "LHS-3.2-features-subset") with { Shim = new ShimReach.Runs("lhs.negotiate") },
        Server<InvalidThreadAccepted>("invalid-thread-accepted", "the edge seals a bind whose thread is neither a UUID nor a ULID", "LHS-3.3-thread") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<EncodingIgnored>("encoding-ignored", "the edge accepts flow frames in either encoding, whatever was negotiated", "LHS-6-encoding-enforced") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<FrameLimitIgnored>("frame-limit-ignored", "the edge echoes flow frames larger than the negotiated max_frame_bytes", "LHS-1-frame-limit") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<WrongEncodingSent>("wrong-encoding-sent", "the edge echoes flow frames in the other encoding", "LHS-6-frames-sent"),
        Server<NoErrorFrame>("no-error-frame", "the edge closes on a violation without sending an error frame", "LHS-4-error-frame"),
        Server<FlowAfterError>("flow-after-error", "the edge sends the error frame but stays open and keeps serving", "LHS-4-no-flow") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<TelemetrySilent>("telemetry-silent", "the edge never publishes the bind telemetry hook", "LHS-7-telemetry-bind") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<GarbageIgnored>("garbage-ignored", "the edge silently ignores text frames that are not JSON control frames", "LHS-3-json"),
        Server<MirrorWithoutNonce>("mirror-without-nonce", "the edge's mirror leaves out the nonce (the seal still covers it)", "LHS-3.2-mirror-fields") with { Shim = new ShimReach.Runs("lhs.negotiate") },
        Server<EncodingNotOffered>("encoding-not-offered", "the edge always chooses json, even when the hello did not offer it", "LHS-3.2-negotiation") with { Shim = new ShimReach.Runs("lhs.negotiate") },
        Server<FeaturesNotEnforced>("features-not-enforced", "the edge echoes flow frames that use features it never granted", "LHS-3.2-features-enforced") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<TextInFlowIgnored>("text-in-flow-ignored", "the edge silently drops text messages after the seal", "LHS-6-lce-only") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<FlowRejected>("flow-rejected", "the edge rejects every flow frame, valid or not", "LHS-6-flow-accepted") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<OwnSigWithoutLtp>("own-sig-without-ltp", "the edge's own flow frames carry an LTP sig member when ltp was not negotiated", "LHS-6-frames-sent"),
        // The one variant with two defects: it shows that the first does not hide the second (both must be reported).
        Server<MirrorLimitMissingAndIgnored>("two-defects", "the edge's mirror leaves out max_frame_bytes, and it echoes flow frames over the limit", "LHS-3.2-mirror-fields"),
        Server<ErrorWithoutClose>("error-without-close", "the edge sends its error frame, then goes deaf but never closes", "LHS-4-close") with { Shim = new ShimReach.Runs("lhs.transcript.server") },
        Server<SealHeaderMissing>("http-seal-header-missing", "the edge's 101 (HTTP Upgrade profile) carries LHS-Mirror but not LHS-Seal", "LHS-5-upgrade-headers") with { Adapter = "http" },
        Client<ClientAcceptsBadSeal>("client-accepts-bad-seal", "the agent proceeds to flow whatever the seal's signature", "LHS-3.4-client-aborts"),
        Client<ClientFlowBeforeSeal>("client-flow-before-seal", "the agent sends a flow frame right after its bind, before the seal", "LHS-1-order"),
        Client<ClientMirrorUnchecked>("client-mirror-unchecked", "the agent accepts a mirror that picks an encoding it never offered", "LHS-3.2-mirror-checked"),
        Client<ClientEncodingIgnored>("client-encoding-ignored", "the agent accepts flow frames in either encoding", "LHS-6-encoding-enforced"),
        Client<ClientFrameLimitIgnored>("client-frame-limit-ignored", "the agent silently accepts flow frames over max_frame_bytes", "LHS-1-frame-limit"),
        Client<ClientNoErrorFrame>("client-no-error-frame", "the agent closes on a violation without sending an error frame", "LHS-4-error-frame"),
        Client<ClientFlowAfterError>("client-flow-after-error", "the agent sends the error frame but stays open and keeps going", "LHS-4-no-flow"),
        Client<ClientHelloIncomplete>("client-hello-incomplete", "the agent's hello leaves out max_frame_bytes", "LHS-3.1-hello-sent"),
        Client<ClientBadThread>("client-bad-thread", "the agent binds with the thread \"thread-1\", neither a UUID nor a ULID", "LHS-3.3-bind-sent"),
        Client<ClientMirrorFieldsUnchecked>("client-mirror-fields-unchecked", "the agent accepts a mirror without a nonce", "LHS-3.2-mirror-validated"),
        Client<ClientSealNotCanonical>("client-seal-not-canonical", "the agent verifies the seal over the frames' raw text, not their JCS form", "LHS-3.4-seal-verified"),
    ];

    /// <summary>
    /// Variants that take the other reading of a model-level rule: an implementation may legitimately behave so, and the
    /// suite must say so without failing it (the lenient side of each false positive the project removed).
    /// </summary>
    public static readonly IReadOnlyList<Fault> Readings =
    [
        Server<SessionUnchecked>("session-unchecked", "the edge takes a hello whose optional session is not an object", "LHS-3.1-session-shape") with { Reading = true },
        Server<DuplicatesAccepted>("duplicates-accepted", "the edge reads a control frame with a duplicated member name, the last one winning", "LHS-3-duplicate-members") with { Reading = true },
        Server<FeatureMembersEchoed>("feature-members-echoed", "the edge accepts and echoes LCEs with lss or telemetry members it never granted", "LHS-3.2-feature-members") with { Reading = true },
        Server<OwnEncodingPreference>("own-encoding-preference", "the edge picks cbor whenever the hello offers it, whatever the client's order", "LHS-3.2-encoding-preference") with { Reading = true },
        Server<MinorVersionRejected>("minor-version-rejected", "the edge rejects a hello of its own major but another minor version", "LHS-3.1-minor-compatible") with { Reading = true },
        Client<ClientSessionString>("client-session-string", "the agent's hello carries the optional session as a string, not an object", "LHS-3.1-session-shape") with { Reading = true },
    ];

    public static Fault? Find(string name) => Everything.Concat(AllReadings).FirstOrDefault(f => f.Name == name);

    /// <summary>Every reading variant of every spec.</summary>
    public static IEnumerable<Fault> AllReadings => Readings.Concat(CipFaults.Readings);

    /// <summary>Every broken variant of every spec.</summary>
    public static IEnumerable<Fault> Everything => All.Concat(ShardFaults.All).Concat(CipFaults.All);

    private static Fault Server<T>(string name, string summary, string requirement) where T : LhsServerBehaviour, new() =>
        new(name, FaultSide.Server, summary, requirement, () => new T());

    private static Fault Client<T>(string name, string summary, string requirement) where T : LhsClientBehaviour, new() =>
        new(name, FaultSide.Client, summary, requirement, () => new T());
}
