/**
 * The cpu-heavy case's job module: worker threads import it by its URL, so `npm run bench` builds
 * it as an entry of its own (see `harness/bench-entry.ts`), never into a case's chunk. It imports
 * nothing but the records and the library: each worker thread loads only that.
 */
import { defineJob, pipeline, type Keyed } from '../../src/index.js';
import { JobIo } from '../harness/job-io.js';
import { parseAccess, toVisit, userTotals, type UserTotals } from './access-log.js';

/** Keyed partitions of the per-user totals, placed on the threads by key-group ranges. */
export const PARTITIONS = 4;

const io = new JobIo<string, Keyed<string, UserTotals>>();

/** Parse, pseudonymise (the head: on the worker threads), then totals per user in {@link PARTITIONS} partitions. */
const accessLogJob = defineJob(import.meta.url, () =>
  pipeline(io.source())
    .map(parseAccess, 'parse')
    .map(toVisit, 'pseudonymise')
    .keyBy((visit) => visit.user, { partitions: PARTITIONS })
    .aggregate(userTotals, { emit: 'final', name: 'per-user' })
    .to(io.sink()),
);

/**
 * Runs the job over `lines` on `workers` threads and resolves with the totals once its threads
 * have exited.
 */
export async function totalsPerUser(lines: readonly string[], workers: number): Promise<Keyed<string, UserTotals>[]> {
  return io.run(lines, () => accessLogJob.run({ workers, name: 'bench' }));
}
