/**
 * The word count as a job module, for its rows on worker threads: built by `npm run bench` as an
 * entry of its own, which worker threads import by its URL (see `harness/bench-entry.ts`).
 */
import { defineJob, type Keyed } from '../../src/index.js';
import { JobIo } from '../harness/job-io.js';
import { wordcountPipeline } from './wordcount-pipeline.js';

const io = new JobIo<string, Keyed<string, number>>();

const wordcountJob = defineJob(import.meta.url, () => wordcountPipeline(io.source(), io.sink()));

/** Counts `words` on `workers` threads and resolves with the final counts once its threads have exited. */
export async function countWords(words: readonly string[], workers: number): Promise<Keyed<string, number>[]> {
  return io.run(words, () => wordcountJob.run({ workers, name: 'bench' }));
}
