/**
 * cpu-heavy: a job whose user step costs more than handing a record to another thread, the case
 * worker threads are for. 1,000,000 access-log lines of about 200 bytes (100,000 with `--quick`),
 * each parsed with `JSON.parse` and turned into a visit by a user step of 1.5 to 2 µs (browser,
 * device kind and path template by regular expression, a SHA-256 pseudonym of address and browser),
 * then totalled per user (visits, bytes, distinct devices and paths) in 4 keyed partitions. The
 * floor is a plain loop; Sluice runs the same job module with `workers` 1 (the main thread alone),
 * 2 and 4 (that many worker threads). With worker threads the main thread only reads the lines and
 * hands them over: parsing and the user step run on the worker threads, and the partitions are
 * spread over them. The rows run the job as a service that runs it again and again does: with a
 * thread pool (`createThreadPool()`), so the cold pass (the first in a fresh process) starts the
 * threads and compiles the steps cold, and later passes take the threads the last one gave back.
 * On a machine of 2 cores, 4 workers share them with the main thread.
 */
import { createThreadPool } from '../../src/index.js';
import { jobModuleUrl } from '../harness/bench-entry.js';
import { DEFAULT_PLANS, defineCase, type ImplementationSpec } from '../harness/bench-case.js';
import { accessLogInput, parseAccess, toVisit, totalsChecksum, userTotals, type UserAccumulator } from './access-log.js';

type AccessLogJobModule = typeof import('./cpu-heavy.job.js');

let jobModule: Promise<AccessLogJobModule> | undefined;

/** The job module, imported by URL at run time: a static import would bundle it into this case's chunk. */
function loadJobModule(): Promise<AccessLogJobModule> {
  jobModule ??= import(jobModuleUrl('cases/cpu-heavy.job')) as Promise<AccessLogJobModule>;
  return jobModule;
}

/**
 * The Sluice row of the job on `workers` threads; rows past one also divide by the one-thread row.
 * The cluster case runs `onThreads(1)` too, as its in-process row.
 */
export function onThreads(workers: number): ImplementationSpec<readonly string[]> {
  return {
    impl: workers === 1 ? 'sluice, 1 worker' : `sluice, ${workers} workers`,
    role: 'sluice',
    ...(workers === 1 ? {} : { compareWith: ['sluice, 1 worker'] }),
    create: (lines) => {
      let totalsPerUser: AccessLogJobModule['totalsPerUser'] | undefined;
      const threads = workers === 1 ? undefined : createThreadPool();
      return {
        async prepare() {
          totalsPerUser ??= (await loadJobModule()).totalsPerUser;
        },
        async run() {
          const totals = await (totalsPerUser as AccessLogJobModule['totalsPerUser'])(lines, workers, threads);
          return totalsChecksum(totals.map(({ key, value }) => [key, value] as const));
        },
        dispose: () => threads?.close(),
      };
    },
  };
}

/** The floor: the job as a plain loop over the lines. The cluster case's floor too. */
export const plainLoop: ImplementationSpec<readonly string[]> = {
  impl: 'plain loop',
  role: 'floor',
  create: (lines) => ({
    run() {
      const users = new Map<string, UserAccumulator>();
      for (const line of lines) {
        const visit = toVisit(parseAccess(line));
        let accumulator = users.get(visit.user);
        if (accumulator === undefined) {
          accumulator = userTotals.create(visit.user);
          users.set(visit.user, accumulator);
        }
        userTotals.add(accumulator, visit, visit.user);
      }
      return totalsChecksum(Array.from(users, ([user, accumulator]) => [user, userTotals.result(accumulator, user)] as const));
    },
  }),
};

/** The cpu-heavy case. */
export const cpuHeavyCase = defineCase({
  name: 'cpu-heavy',
  // Its rows are compared with each other: their children take turns, so the host's slow spells fall on all alike.
  interleaved: true,
  unit: 'lines',
  input: accessLogInput,
  operations: (lines) => lines.length,
  // A full pass takes seconds on one thread, and threads start afresh each pass: two warm-ups are
  // enough, and five timed runs keep the case near two minutes.
  plans: { quick: DEFAULT_PLANS.quick, full: { warmups: 2, runs: 5 } },
  implementations: [plainLoop, onThreads(1), onThreads(2), onThreads(4)],
});
