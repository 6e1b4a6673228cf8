/**
 * The faults a user of `sluice/testing` turns on, by kind of pipeline, as docs/testing.md's table
 * tells them to: a keyed pipeline with state gets throws and crashes, and, since every pipeline
 * here takes its partition count from configuration, rescales (kills resumed with another count,
 * given to `build` as `io.partitions`); one on event time gets, besides, records out of order within
 * its bound, with `withTimestamp` so the kit may retime pairs to the edges of the bound. The same
 * for every bug of a kind: chosen for the pipeline, never for its bug.
 */
import fc from 'fast-check';
import type { Disorder, FaultOptions, PipelineIO, RunnablePipeline } from '../../src/testing/index.js';

/** The most partitions a check gives a run, first or resumed. */
const MAX_PARTITIONS = 3;

/** Faults for a keyed pipeline that keeps state, with its partition count from configuration. */
export function keyedStateFaults<TRecord>(): FaultOptions<TRecord> {
  return { throws: true, crashes: true, rescale: { maxPartitions: MAX_PARTITIONS } };
}

/**
 * Faults for a keyed job module that runs on worker threads: a keyed pipeline's, and resumes on
 * 2 or 3 threads (`workers`), where records cross threads through their codecs.
 */
export function threadedJobFaults<TRecord>(): FaultOptions<TRecord> {
  return { ...keyedStateFaults<TRecord>(), workers: { maxWorkers: 3 } };
}

/** Faults for a keyed pipeline on event time, whose source may deliver out of order within `disorder.bound`. */
export function eventTimeFaults<TRecord>(disorder: Disorder<TRecord>): FaultOptions<TRecord> {
  return { ...keyedStateFaults<TRecord>(), disorder };
}

/**
 * A build that takes its partition count as a parameter, sized for the kit: the run's count when
 * the kit gives one (rescale faults), else the case's params.
 */
export function sizedByKit<TRecord, TOut>(
  build: (io: PipelineIO<TRecord, TOut>, partitions: number) => RunnablePipeline,
): (io: PipelineIO<TRecord, TOut>, partitions: number) => RunnablePipeline {
  return (io, partitions) => build(io, io.partitions ?? partitions);
}

/** Partition counts a check varies, as `params`. */
export const partitionCounts: fc.Arbitrary<number> = fc.integer({ min: 1, max: MAX_PARTITIONS });
