/**
 * What a fast-check user varies in a run of a keyed pipeline besides its input, knowing only the
 * public API: partition counts and batch sizes, the documented `chaos` crashes (seeded, so a
 * failing case replays), and a stop with a checkpoint after some records, resumed from the folder
 * with another partition count — the faults docs/pipelines.md and docs/checkpoints.md promise
 * the output survives.
 */
import fc from 'fast-check';

/** A stop with a checkpoint, and the resume that follows it. */
export interface StopAndResume {
  /** Records the first run reads before it is stopped, modulo the input's length plus one. */
  readonly after: number;
  /** The partition count of the resumed run. */
  readonly partitions: number;
}

/** How one case of a plain property runs its pipeline. */
export interface JobKnobs {
  readonly partitions: number;
  readonly batchSize: number;
  /** Seeded crashes of partition actors (`run({ chaos })`), or none. */
  readonly chaos: { readonly crashRate: number; readonly seed: number } | undefined;
  /** A stop with a checkpoint and a resume, or one run from start to end. */
  readonly stop: StopAndResume | undefined;
}

const partitions = fc.integer({ min: 1, max: 3 });

/**
 * Knobs of a run, each fault present in about half the cases. The crash rate stays at most 0.1:
 * docs/pipelines.md asks for a rate times the batch size below about one, or a replayed batch may
 * crash again and again.
 */
export const jobKnobs: fc.Arbitrary<JobKnobs> = fc.record({
  partitions,
  batchSize: fc.integer({ min: 1, max: 8 }),
  chaos: fc.option(fc.record({ crashRate: fc.double({ min: 0.01, max: 0.1, noNaN: true }), seed: fc.integer() }), { nil: undefined, freq: 2 }),
  stop: fc.option(fc.record({ after: fc.nat({ max: 30 }), partitions }), { nil: undefined, freq: 2 }),
});
