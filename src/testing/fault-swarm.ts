/**
 * Swarm testing for fault plans: each case first draws a swarm — which of the enabled fault kinds
 * it uses, and whether it concentrates its partition faults on one stage and one partition — then
 * its faults within it. A bug that needs three throws in one partition, or a crash with no throw to
 * mask it, is then found by the cases whose swarm fits it, instead of waiting for a uniform mix to
 * line up; a swarm with no kinds at all is a case without faults, for bugs that need none.
 *
 * Kills (crashes, commit crashes, rescales, runs on threads) are drawn apart from partition faults:
 * each kill ends a run and starts another, so a case's cost grows with its kills. Half the faulty
 * swarms take kills (all of them, when no partition fault is on), then one kill most often, two
 * sometimes, each of a kind drawn among the kill kinds on: a case costs about 1.5 runs, and a kill
 * placed where recovery bugs live (a planned checkpoint, the end of the input) needs no second.
 *
 * Everything stays plain data that fast-check shrinks: the swarm shrinks toward no kinds and no
 * focus, the faults toward fewer and earlier.
 */
import fc from 'fast-check';
import type { Fault, FaultKind, KillAnchor } from './faults.js';
import { KILL_KINDS } from './internal/kills.js';

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
 * A kill point's anchor: past a planned checkpoint most often (the resume restores it and replays
 * what came after: where state and sink recovery bugs show), else none (a free point, before any
 * checkpoint as often as not: a resume from the start), a planned checkpoint itself, or the end of
 * the input. Shrinks toward a free point.
 */
export const killAnchorArb: fc.Arbitrary<KillAnchor | undefined> = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: fc.constant('past-checkpoint' as const), weight: 2 },
  { arbitrary: fc.constant('checkpoint' as const), weight: 1 },
  { arbitrary: fc.constant('end' as const), weight: 1 },
);

function focused(fault: Fault, swarm: Focus): Fault {
  if (fault.kind !== 'throw' && fault.kind !== 'poison') return fault;
  return { ...fault, stage: swarm.stage ?? fault.stage, partition: swarm.partition ?? fault.partition };
}

/**
 * The kills of a swarm that takes them: one (three times in four) or two, each of any kill kind.
 * Shrinks toward one kill, of the first kind.
 */
function killsArb(kills: readonly fc.Arbitrary<Fault>[]): fc.Arbitrary<Fault[]> {
  const kill = kills.length === 1 ? (kills[0] as fc.Arbitrary<Fault>) : fc.oneof(...kills);
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.tuple(kill), weight: 3 }, { arbitrary: fc.tuple(kill, kill), weight: 1 });
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
  const partitionKinds = kinds.filter(([kind]) => !KILL_KINDS.has(kind)).map(([, arbitrary]) => arbitrary);
  const killKinds = kinds.filter(([kind]) => KILL_KINDS.has(kind)).map(([, arbitrary]) => arbitrary);
  // Up to maxFaults faults of each partition kind, at least one: a kind the swarm takes always contributes.
  const perKind = fc.tuple(...partitionKinds.map((arbitrary) => fc.array(arbitrary, { minLength: 1, maxLength: maxFaults })));
  const focus = {
    // A focus most of the time: concentrated faults are what the swarm is for.
    stage: fc.option(fc.nat({ max: MAX_STAGE }), { nil: undefined, freq: 2 }),
    partition: fc.option(fc.nat({ max: MAX_PARTITION }), { nil: undefined, freq: 2 }),
  };
  const indexes = partitionKinds.map((_, index) => index);
  // Without kills, at least one partition kind; with them, any subset (none included).
  const partitionSwarm = (minLength: number) => fc.record({ kinds: fc.subarray(indexes, { minLength }), ...focus });
  const faults = (kills: fc.Arbitrary<readonly Fault[]>, minKinds: number): fc.Arbitrary<Fault[]> =>
    fc.tuple(kills, partitionSwarm(minKinds), perKind).map(([killed, chosen, lists]) => [
      ...killed,
      ...interleave(chosen.kinds.map((index) => lists[index] as Fault[]))
        .slice(0, Math.max(0, maxFaults - killed.length))
        .map((fault) => focused(fault, chosen)),
    ]);
  const withKills = killKinds.length === 0 ? undefined : faults(killsArb(killKinds), 0);
  const withoutKills = partitionKinds.length === 0 ? undefined : faults(fc.constant([]), 1);
  // Half the faulty swarms take kills, when there are partition faults to take instead.
  const faulty =
    withKills === undefined
      ? (withoutKills as fc.Arbitrary<Fault[]>)
      : withoutKills === undefined
        ? withKills
        : fc.oneof({ withCrossShrink: true }, { arbitrary: withoutKills, weight: 1 }, { arbitrary: withKills, weight: 1 });
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
