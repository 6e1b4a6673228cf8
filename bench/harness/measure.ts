/**
 * Measurement inside a child: warm-up runs, then timed runs, each timed run's rate and checksum
 * kept, so the parent can take the median and check every run (not only the last) against the
 * floor's checksum. The first run of all is timed too, warm-up or not: the child is a fresh
 * process, so it is the cold rate, what a service meets in its first minute. A runner that
 * observes more than its rate has what it said kept the same way, the first run's and each timed
 * run's. A child that takes turns with others waits for its turn before each run, untimed.
 */
import type { Observations, RunPlan, Runner } from './bench-case.js';

/** The rate and checksum of each timed run, in order, and the first run's (the cold one's). */
export interface Measurements {
  readonly rates: number[];
  readonly checksums: number[];
  /** The first run's rate, in a process that had run nothing yet. */
  readonly coldRate: number;
  readonly coldChecksum: number;
  /** What the runner's `observe` said; absent when it has none. */
  readonly observations?: Observations;
}

interface Run {
  readonly rate: number;
  readonly checksum: number;
  readonly observed: Readonly<Record<string, number>> | undefined;
}

/**
 * Runs `runner` `plan.warmups` times untimed, then `plan.runs` times timed; `prepare` is never
 * timed, nor `verify`, nor `observe`, nor `dispose`, called once at the end whether the runs
 * succeeded or threw.
 *
 * @param operations - operations in one run, to turn seconds into a rate.
 * @param awaitTurn - awaited before each run (and its `prepare`), untimed: the child's turn among its case's others.
 * @example
 * ```ts
 * await measure({ run: () => 42 }, 1, { warmups: 1, runs: 3 }); // { rates: [...3], checksums: [42, 42, 42] }
 * ```
 */
export async function measure(runner: Runner, operations: number, plan: RunPlan, awaitTurn?: () => Promise<void>): Promise<Measurements> {
  const timedRun = async (): Promise<Run> => {
    await awaitTurn?.();
    await runner.prepare?.();
    const started = performance.now();
    const returned = await runner.run();
    const rate = operations / ((performance.now() - started) / 1000);
    const checksum = runner.verify === undefined ? returned : await runner.verify();
    return { rate, checksum, observed: runner.observe?.() };
  };
  try {
    let cold: Run | undefined;
    for (let i = 0; i < plan.warmups; i++) {
      const run = await timedRun();
      cold ??= run;
    }
    const rates: number[] = [];
    const checksums: number[] = [];
    const observed: Record<string, number>[] = [];
    for (let i = 0; i < plan.runs; i++) {
      const run = await timedRun();
      cold ??= run;
      rates.push(run.rate);
      checksums.push(run.checksum);
      if (run.observed !== undefined) observed.push(run.observed);
    }
    if (cold === undefined) throw new Error('measure: a plan of no runs at all');
    const measured = { rates, checksums, coldRate: cold.rate, coldChecksum: cold.checksum };
    return cold.observed === undefined ? measured : { ...measured, observations: { cold: cold.observed, runs: byName(observed) } };
  } finally {
    await runner.dispose?.();
  }
}

/** Each name's values over `observed`, in order: the names every run said (so each list has a value per run). */
function byName(observed: readonly Readonly<Record<string, number>>[]): Record<string, number[]> {
  const names = Object.keys(observed[0] ?? {}).filter((name) => observed.every((each) => typeof each[name] === 'number'));
  return Object.fromEntries(names.map((name) => [name, observed.map((each) => each[name] as number)]));
}
