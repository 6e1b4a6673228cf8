/**
 * The memory-bound case's job module: worker threads import it by its URL, so `npm run bench`
 * builds it as an entry of its own (see `harness/bench-entry.ts`).
 */
import { defineJob, type ThreadPool } from '../../src/index.js';
import { runningSums, SlowSink } from './memory-bound-records.js';

/** The sink of the run going on in this thread, if any: only the main thread's is ever written. */
let current: SlowSink | undefined;

const sums = defineJob(import.meta.url, (args: { readonly records: number }) => runningSums(args.records, (total) => (current as SlowSink).write(total)));

/** Runs the running sums over `records` events on `workers` threads into a slow sink; resolves with its checksum. */
export async function sumsOnThreads(records: number, workers: number, threads?: ThreadPool): Promise<number> {
  const sink = new SlowSink();
  current = sink;
  try {
    await sums.run({ args: { records }, workers, name: 'memory', threads }).done;
  } finally {
    current = undefined;
  }
  return sink.checksum;
}
