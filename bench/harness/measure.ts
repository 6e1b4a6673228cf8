/**
 * Measurement inside a child: warm-up runs, then timed runs, each timed run's rate and checksum
 * kept, so the parent can take the median and check every run (not only the last) against the
 * floor's checksum.
 */
import type { RunPlan, Runner } from './bench-case.js';

/** The rate and checksum of each timed run, in order. */
export interface Measurements {
  readonly rates: number[];
  readonly checksums: number[];
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
  try {
    for (let i = 0; i < plan.warmups; i++) {
      await runner.prepare?.();
      await runner.run();
    }
    const rates: number[] = [];
    const checksums: number[] = [];
    for (let i = 0; i < plan.runs; i++) {
      await runner.prepare?.();
      const started = performance.now();
      const checksum = await runner.run();
      rates.push(operations / ((performance.now() - started) / 1000));
      checksums.push(checksum);
    }
    return { rates, checksums };
  } finally {
    await runner.dispose?.();
  }
}
