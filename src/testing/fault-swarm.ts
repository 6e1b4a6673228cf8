/**
 * Swarm testing for fault plans: each case first draws a swarm — which of the enabled fault kinds
 * it uses, and whether it concentrates its partition faults on one stage and one partition — then
 * its faults within it. A bug that needs three throws in one partition, or a crash with no throw to
 * mask it, is then found by the cases whose swarm fits it, instead of waiting for a uniform mix to
 * line up; a swarm with no kinds at all is a case without faults, for bugs that need none. Kill
 * points are drawn free, or anchored at a planned checkpoint or the end of the input, where
 * recovery bugs live.
 *
 * Everything stays plain data that fast-check shrinks: the swarm shrinks toward no kinds and no
 * focus, the faults toward fewer and earlier.
 */
import fc from 'fast-check';
import type { Fault, FaultKind, KillAnchor } from './faults.js';

/** Where a case's partition faults go: one stage and one partition, where given. */
interface Focus {
  readonly stage: number | undefined;
  readonly partition: number | undefined;
}

/** What the fault kinds are drawn from. */
export interface SwarmOptions {
  /** Each enabled kind with the arbitrary of one fault of it. */
  readonly kinds: readonly (readonly [FaultKind, fc.Arbitrary<Fault>])[];
  /** Most faults in one case. */
  readonly maxFaults: number;
}

/** Stages and partitions a fault names (taken modulo the pipeline's counts when it strikes). */
export const MAX_STAGE = 3;
export const MAX_PARTITION = 7;

/**
 * A kill point's anchor: none (a free point) most often, else a planned checkpoint or the end of
 * the input. Shrinks toward a free point.
 */
export const killAnchorArb: fc.Arbitrary<KillAnchor | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.constant('checkpoint' as const), weight: 1 },
  { arbitrary: fc.constant('end' as const), weight: 1 },
);

function focused(fault: Fault, swarm: Focus): Fault {
  if (fault.kind !== 'throw' && fault.kind !== 'poison') return fault;
  return { ...fault, stage: swarm.stage ?? fault.stage, partition: swarm.partition ?? fault.partition };
}

/**
 * Fault lists drawn swarm by swarm; with no kinds enabled, always empty.
 *
 * @example
 * ```ts
 * const crashes = fc.record({ kind: fc.constant('crash' as const), afterRecords: fc.nat(64), steps: fc.nat(40) });
 * fc.sample(swarmFaultsArb({ kinds: [['crash', crashes]], maxFaults: 3 }), 2); // e.g. [[], [{ kind: 'crash', afterRecords: 7, steps: 0 }]]
 * ```
 */
export function swarmFaultsArb({ kinds, maxFaults }: SwarmOptions): fc.Arbitrary<Fault[]> {
  if (kinds.length === 0) return fc.constant([]);
  // Up to maxFaults faults of each kind, at least one: a kind the swarm takes always contributes.
  const perKind = fc.tuple(...kinds.map(([, arbitrary]) => fc.array(arbitrary, { minLength: 1, maxLength: maxFaults })));
  const swarm = fc.record({
    kinds: fc.subarray(
      kinds.map((_, index) => index),
      { minLength: 1 },
    ),
    // A focus most of the time: concentrated faults are what the swarm is for.
    stage: fc.option(fc.nat({ max: MAX_STAGE }), { nil: undefined, freq: 2 }),
    partition: fc.option(fc.nat({ max: MAX_PARTITION }), { nil: undefined, freq: 2 }),
  });
  const faulty = fc.tuple(swarm, perKind).map(([chosen, lists]) =>
    interleave(chosen.kinds.map((index) => lists[index] as Fault[]))
      .slice(0, maxFaults)
      .map((fault) => focused(fault, chosen)),
  );
  // One case in eight has no faults, for bugs that need none; shrinking tries it first.
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant<Fault[]>([]), weight: 1 }, { arbitrary: faulty, weight: 7 });
}

/** The lists' items taken in turn, the first of each list, then the second of each, and so on. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i] as T);
  return out;
}
