/**
 * Seeded fault injection: each partition actor throws with a given probability each time it
 * processes a record, to show (and test) that supervision restarts it from its snapshot without
 * changing the output. Seeded per actor, so a run is reproducible.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject } from '../../internal/validate.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import { murmur3 } from '../partitioning/murmur3.js';

/** Options of injected crashes. */
export interface ChaosOptions {
  /** Probability, in [0, 1), that a partition actor throws as it processes a record. */
  crashRate: number;
  /** Seed of the pseudo-random crashes; the same seed crashes the same way. */
  seed: number;
}

/** Thrown by an injected crash. */
export class InjectedCrash extends Error {
  constructor(actor: string) {
    super(`injected crash in ${actor}`);
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

/** A function that throws `InjectedCrash` with probability `crashRate`, seeded by the actor's name. */
export function crasher(chaos: ChaosOptions, actor: string): () => void {
  // Seeded from the run's seed and the actor: the same crashes in every run with that seed.
  const next = mulberry32(murmur3(new TextEncoder().encode(`${chaos.seed}:${actor}`)));
  return () => {
    const random = next();
    if (random < chaos.crashRate) throw new InjectedCrash(actor);
  };
}
