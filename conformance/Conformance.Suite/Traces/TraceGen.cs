// Trace generation on FsCheck (DESIGN.md "Property-based traces"): each protocol writes its traces as an FsCheck
// generator; these are the pieces they share. A trace is drawn step by step from what the protocol's state enables
// (FsCheck's own state-machine runner generates whole sequences up front, so it cannot follow a live IUT; TOOLCHAIN).
// Trace number i of a run is the generator sampled with an FsCheck Rnd derived from (seed, case, i): the same trace on
// every machine for the same --seed, and any one trace can be drawn again alone.
using System.Buffers.Binary;
using Conformance.Model.Env;
using FsCheck;
using FsCheck.Fluent;

namespace Conformance.Suite.Traces;

/// <summary>One move of a stateful generator: the steps it adds, the state after them, and whether the trace ends there.</summary>
public readonly record struct Move<TState>(TraceStep[] Steps, TState Next, bool Stop = false);

public static class TraceGen
{
    /// <summary>The FsCheck size every trace is drawn at (generators bound their own lengths).</summary>
    public const int Size = 100;

    /// <summary>True with the given probability.</summary>
    public static Gen<bool> Chance(int percent) => Gen.Choose(0, 99).Select(x => x < percent);

    /// <summary>One of <paramref name="items"/>, or <paramref name="otherwise"/> when there is none.</summary>
    public static Gen<T> Pick<T>(IReadOnlyList<T> items, T otherwise) => items.Count == 0 ? Gen.Constant(otherwise) : Gen.Elements<T>((IEnumerable<T>)items);

    /// <summary>A step kind with no variant or number.</summary>
    public static Gen<TraceStep> Step(string kind) => Gen.Constant(new TraceStep(kind));

    /// <summary>
    /// Steps drawn one move at a time from <paramref name="start"/>: each move sees the state and how many steps there are
    /// so far, until a move stops the trace or it reaches its drawn length.
    /// </summary>
    public static Gen<TraceStep[]> Unfold<TState>(Gen<int> length, TState start, Func<TState, int, Gen<Move<TState>>> move) =>
        length.SelectMany(n => Go(start, n, [], move));

    private static Gen<TraceStep[]> Go<TState>(TState state, int length, TraceStep[] sofar, Func<TState, int, Gen<Move<TState>>> move) =>
        sofar.Length >= length ? Gen.Constant(sofar)
        : move(state, sofar.Length).SelectMany(m => m.Stop ? Gen.Constant<TraceStep[]>([.. sofar, .. m.Steps]) : Go(m.Next, length, [.. sofar, .. m.Steps], move));

    /// <summary>Trace <paramref name="id"/> of a run: <paramref name="traces"/> sampled at an FsCheck Rnd derived from the seed, the case and the number.</summary>
    public static TraceStep[] Sample(Gen<TraceStep[]> traces, ulong seed, string caseId, int id)
    {
        // The model's seeded byte stream turns (seed, case, number) into Rnd's 64-bit seed: SplitMix64 inside FsCheck
        // then gives the same draws everywhere (System.Random makes no such promise).
        Span<byte> b = stackalloc byte[8];
        new SeededEnvironment(seed, stream: $"{caseId}/{id}").NextBytes(b);
        return Gen.Sample(traces, Size, new Rnd(BinaryPrimitives.ReadUInt64BigEndian(b)), 1)[0];
    }
}
