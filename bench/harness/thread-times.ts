/**
 * Where a process's threads spent a stretch of wall time: running, or ready to run but waiting for a
 * CPU. Linux counts both per thread in `/proc/self/task/<tid>/schedstat` (nanoseconds on a CPU,
 * nanoseconds waiting in a run queue); elsewhere there is nothing to read and the readings are empty.
 * A thread that waits for a CPU while the process uses fewer CPUs than the machine has is waiting on
 * the host (another tenant, another process), not on the process's own work.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One thread's totals so far, in milliseconds. */
export interface ThreadTime {
  readonly runMs: number;
  readonly waitMs: number;
}

/** The process's threads' totals, by thread id; empty where the system does not count them. */
export type ThreadTimes = ReadonlyMap<string, ThreadTime>;

/** Where Linux lists this process's threads. */
export const TASKS = '/proc/self/task';

/** The totals of every thread of this process now (of the threads listed in `tasks`, a test's stand-in). */
export function readThreadTimes(tasks: string = TASKS): ThreadTimes {
  const times = new Map<string, ThreadTime>();
  let tids: string[];
  try {
    tids = readdirSync(tasks);
  } catch {
    return times;
  }
  for (const tid of tids) {
    try {
      const [run, wait] = readFileSync(`${tasks}/${tid}/schedstat`, 'utf8').split(' ');
      times.set(tid, { runMs: Number(run) / 1e6, waitMs: Number(wait) / 1e6 });
    } catch {
      // The thread ended between the listing and the read: it ran nothing more.
    }
  }
  return times;
}

/**
 * How long the busy threads of a stretch waited for a CPU, as a share of its wall time: the mean over
 * the threads that ran at least `busyShare` of it. Undefined when no thread was that busy or the
 * readings are empty.
 * @example
 * ```ts
 * const before = readThreadTimes();
 * const started = performance.now();
 * work();
 * waitedForCpu(before, readThreadTimes(), performance.now() - started); // 0.12: ready but not running 12% of the time
 * ```
 */
export function waitedForCpu(before: ThreadTimes, after: ThreadTimes, wallMs: number, busyShare = 0.3): number | undefined {
  let waited = 0;
  let busy = 0;
  for (const [tid, now] of after) {
    const then = before.get(tid) ?? { runMs: 0, waitMs: 0 };
    if (now.runMs - then.runMs < wallMs * busyShare) continue;
    waited += (now.waitMs - then.waitMs) / wallMs;
    busy++;
  }
  return busy === 0 ? undefined : waited / busy;
}
