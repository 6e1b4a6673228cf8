/**
 * Measurement inside a child: warm-up runs, then timed runs, each timed run's rate and checksum
 * kept, so the parent can take the median and check every run (not only the last) against the
 * floor's checksum. The first run of all is timed too, warm-up or not: the child is a fresh
 * process, so it is the cold rate, what a service meets in its first minute.
 */
import type { RunPlan, Runner } from './bench-case.js';

/** The rate and checksum of each timed run, in order, and the first run's (the cold one's). */
export interface Measurements {
  readonly rates: number[];
  readonly checksums: number[];
  /** The first run's rate, in a process that had run nothing yet. */
  readonly coldRate: number;
  readonly coldChecksum: number;
}

/**
 * Runs `runner` `plan.warmups` times untimed, then `plan.runs` times timed; `prepare` is never
 * timed, nor `dispose`, called once at the end whether the runs succeeded or threw.
 *
 * @param operations - operations in one run, to turn seconds into a rate.
 * @example
 * ```ts
 * await measure({ run: () => 42 }, 1, { warmups: 1, runs: 3 }); // { rates: [...3], checksums: [42, 42, 42] }
 * ```
 */
export async function measure(runner: Runner, operations: number, plan: RunPlan): Promise<Measurements> {
  const timedRun = async (): Promise<{ rate: number; checksum: number }> => {
    await runner.prepare?.();
    const started = performance.now();
    const checksum = await runner.run();
    return { rate: operations / ((performance.now() - started) / 1000), checksum };
  };
  try {
    let cold: { rate: number; checksum: number } | undefined;
    for (let i = 0; i < plan.warmups; i++) {
      const run = await timedRun();
      cold ??= run;
    }
    const rates: number[] = [];
    const checksums: number[] = [];
    for (let i = 0; i < plan.runs; i++) {
      const run = await timedRun();
      cold ??= run;
      rates.push(run.rate);
      checksums.push(run.checksum);
    }
    if (cold === undefined) throw new Error('measure: a plan of no runs at all');
    return { rates, checksums, coldRate: cold.rate, coldChecksum: cold.checksum };
  } finally {
    await runner.dispose?.();
  }
}
