/**
 * memory-bound: a keyed running sum over N generated records into a sink slower than the source,
 * at a base size and at ten times it, each implementation in a child process of its own so that
 * its peak RSS is its own. Bounded mailboxes mean Sluice's peak should not grow with the record
 * count. The floor: the same sums in a plain loop, into the same slow sink. A row on 2 worker
 * threads holds the same bound across threads: credits on every link, each thread's mailboxes.
 */
import { createThreadPool } from '../../src/index.js';
import { jobModuleUrl } from '../harness/bench-entry.js';
import { defineCase, type BenchCase, type ImplementationSpec } from '../harness/bench-case.js';
import { events, runningSums, SlowSink } from './memory-bound-records.js';

type MemoryJobModule = typeof import('./memory-bound.job.js');

/**
 * The same pipeline as a job module on `workers` worker threads (kept in a pool between passes, as
 * a service that runs it again keeps them): the main thread reads the source and writes the slow
 * sink, the threads run the partitions. Issue 20's bound: under 150 MB peak with 2 workers.
 */
function onThreads(workers: number): ImplementationSpec<number> {
  return {
    impl: `sluice job, 4 partitions, ${workers} workers, slow sink`,
    role: 'sluice',
    create: (records) => {
      let sums: MemoryJobModule['sumsOnThreads'] | undefined;
      const threads = createThreadPool();
      return {
        async prepare() {
          sums ??= ((await import(jobModuleUrl('cases/memory-bound.job'))) as MemoryJobModule).sumsOnThreads;
        },
        run: () => (sums as MemoryJobModule['sumsOnThreads'])(records, workers, threads),
        dispose: () => threads.close(),
      };
    },
  };
}

/**
 * The memory-bound case at `multiplier` times the base size of 1,000,000 records (50,000 with
 * `--quick`, to keep the 10x run within the quick run's minute), named `memory-bound-<multiplier>x`.
 */
export function memoryBoundCase(multiplier: number): BenchCase {
  return defineCase({
    name: `memory-bound-${multiplier}x`,
    unit: 'records',
    input: (scale) => (scale === 'quick' ? 50_000 : 1_000_000) * multiplier,
    operations: (records) => records,
    // Peak RSS is the point here, and one run at 10,000,000 records takes seconds: fewer runs.
    plans: { quick: { warmups: 1, runs: 3 }, full: { warmups: 1, runs: 3 } },
    implementations: [
      {
        impl: 'plain loop, slow sink',
        role: 'floor',
        create: (records) => ({
          async run() {
            const sink = new SlowSink();
            const totals = new Map<string, number>();
            for (const event of events(0, records)) {
              const total = (totals.get(event.user) ?? 0) + event.amount;
              totals.set(event.user, total);
              await sink.write(total);
            }
            return sink.checksum;
          },
        }),
      },
      {
        impl: 'sluice pipeline, 4 partitions, slow sink',
        role: 'sluice',
        create: (records) => ({
          async run() {
            const sink = new SlowSink();
            await runningSums(records, (total) => sink.write(total)).run({ name: 'memory' }).done;
            return sink.checksum;
          },
        }),
      },
      onThreads(2),
    ],
  });
}
