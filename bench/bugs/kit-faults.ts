/**
 * The faults a user of `sluice/testing` turns on, by kind of pipeline, as docs/testing.md tells
 * them to: a keyed pipeline with state gets throws and crashes; one on event time gets, besides,
 * records out of order within its bound, with `withTimestamp` so the kit may retime pairs to the
 * edges of the bound. The same for every bug of a kind: chosen for the pipeline, never for its bug.
 */
import fc from 'fast-check';
import type { Disorder, FaultOptions } from '../../src/testing/index.js';

/** Faults for a keyed pipeline that keeps state. */
export function keyedStateFaults<TRecord>(): FaultOptions<TRecord> {
  return { throws: true, crashes: true };
}

/** Faults for a keyed pipeline on event time, whose source may deliver out of order within `disorder.bound`. */
export function eventTimeFaults<TRecord>(disorder: Disorder<TRecord>): FaultOptions<TRecord> {
  return { throws: true, crashes: true, disorder };
}

/** Partition counts a check varies, as `params`. */
export const partitionCounts: fc.Arbitrary<number> = fc.integer({ min: 1, max: 3 });
