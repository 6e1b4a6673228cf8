/**
 * The cpu-heavy case's job module: worker threads import it by its URL, so `npm run bench` builds
 * it as an entry of its own (see `harness/bench-entry.ts`), never into a case's chunk. It imports
 * nothing but the records, the pipeline and the library: each worker thread loads only that.
 */
import { defineJob, type Keyed, type ThreadPool } from '../../src/index.js';
import { JobIo } from '../harness/job-io.js';
import { accessLogPipeline } from './access-log-pipeline.js';
import type { UserTotals } from './access-log.js';

const io = new JobIo<string, Keyed<string, UserTotals>>();

/** Parse, pseudonymise (the head: on the worker threads), then totals per user (see `access-log-pipeline.ts`). */
const accessLogJob = defineJob(import.meta.url, () => accessLogPipeline(io.source(), io.sink()));

/**
 * Runs the job over `lines` on `workers` threads, taken from `threads` when given (and given back
 * there at the end), and resolves with the totals once the run is over.
 */
export async function totalsPerUser(lines: readonly string[], workers: number, threads?: ThreadPool): Promise<Keyed<string, UserTotals>[]> {
  return io.run(lines, () => accessLogJob.run({ workers, name: 'bench', threads }));
}
