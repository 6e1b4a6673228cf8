/**
 * Fault injection into partition actors: each one may throw as it takes a record (and once per
 * watermark or end marker, after the timers it made due fired), to show (and test) that supervision
 * restarts it from its snapshot without changing the output. Seeded random crashes, or a plan that
 * names the actor and the ordinal to crash at: a run is reproducible either way.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject } from '../../internal/validate.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import { murmur3 } from '../partitioning/murmur3.js';

/** Where an injected crash can strike: one partition actor of one stage. */
export interface ChaosTarget {
  /** The actor's name under the job: `<operator>-<stage>-partition-<partition>`. */
  readonly actor: string;
  /** The stage's operator name. */
  readonly operator: string;
  /** The stage's index, from 0 for the first keyed (or rebalanced) stage, of `stages`. */
  readonly stage: number;
  readonly stages: number;
  /** The partition's index in its stage, of `partitions`. */
  readonly partition: number;
  readonly partitions: number;
}

/** Options of seeded random crashes. */
export interface ChaosOptions {
  /** Probability, in [0, 1), that a partition actor throws as it processes a record. */
  crashRate: number;
  /** Seed of the pseudo-random crashes; the same seed crashes the same way. */
  seed: number;
}

/**
 * Planned crashes, for tests that pick each one (the testing kit's fault plans): asked each time a
 * partition actor takes a record or a marker (watermark, end of input, processing-time tick), with
 * how many it has taken so far in this run — this one included, and counting again what it
 * replays after a restart. The actor throws `InjectedCrash` when it returns true.
 */
export type CrashPlan = (target: ChaosTarget, ordinal: number) => boolean;

/**
 * Thrown by an injected crash. It has no stack frames: where it is thrown is the plan's choice, not
 * a bug's, and a test injecting thousands of crashes would pay to walk the (async) stack of each.
 */
export class InjectedCrash extends Error {
  constructor(actor: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(`injected crash in ${actor}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'InjectedCrash';
  }
}

export function validateChaos(chaos: unknown): ChaosOptions | undefined {
  if (chaos === undefined) return undefined;
  isObject('chaos', chaos);
  const { crashRate, seed } = chaos as Partial<ChaosOptions>;
  if (typeof crashRate !== 'number' || !(crashRate >= 0 && crashRate < 1)) {
    throw new InvalidOptionError('chaos.crashRate', 'a probability in [0, 1)', crashRate);
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new InvalidOptionError('chaos.seed', 'an integer', seed);
  return { crashRate, seed };
}

/**
 * A function that throws `InjectedCrash` when the seeded chaos or the plan says this actor crashes
 * now; undefined when there is neither.
 */
export function crasher(chaos: ChaosOptions | undefined, plan: CrashPlan | undefined, target: ChaosTarget): (() => void) | undefined {
  if (chaos === undefined && plan === undefined) return undefined;
  // Seeded from the run's seed and the actor: the same crashes in every run with that seed.
  const next = chaos === undefined ? undefined : mulberry32(murmur3(new TextEncoder().encode(`${chaos.seed}:${target.actor}`)));
  let ordinal = 0;
  return () => {
    ordinal++;
    if (plan?.(target, ordinal) === true) throw new InjectedCrash(target.actor);
    if (next !== undefined && next() < (chaos as ChaosOptions).crashRate) throw new InjectedCrash(target.actor);
  };
}
