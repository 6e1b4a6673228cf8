/**
 * threads-speedup: what a second worker thread buys on the cpu-heavy job, measured in pairs. The
 * table's rows each run in a fresh process, and on a shared host a whole process can run 1.5x
 * slower than the next (another tenant's memory traffic slows every function in it alike), which
 * swings the 2-workers/1-worker ratio of two rows between 1.5x and 2.2x from one run to the next.
 * Here one process runs both, one pass of each per round, the order alternating, so whatever slows
 * the host slows both passes of a round; the ratio of each round is kept and the median taken.
 * Issue 20's target: 2 workers at least 1.7x one.
 *
 * Two workers keep both cores of a 2-core machine busy, so a host that hands the process less than
 * two whole CPUs slows that pass and not the one-thread pass beside it (a single thread moves to
 * whichever core is free). The finding says how much CPU the 2-worker passes got: the CPUs the
 * process used on average, and, where Linux counts it, how long their busy threads were ready to run
 * but waiting for a CPU.
 */
import { accessLogInput } from '../cases/access-log.js';
import { onThreads } from '../cases/cpu-heavy.js';
import type { Runner, Scale } from '../harness/bench-case.js';
import { median } from '../harness/median.js';
import type { Probe, ProbeFinding } from '../harness/probe.js';
import { readThreadTimes, waitedForCpu } from '../harness/thread-times.js';

/** Two workers should run the job at least this many times as fast as one (issue 20). */
export const THREADS_SPEEDUP_TARGET = 1.7;

/** Untimed passes of each row, then timed rounds of one pass each. */
const PLAN = { full: { warmups: 1, rounds: 8 }, quick: { warmups: 1, rounds: 3 } } as const;

/** One round: the rate of a pass on one worker and of one on two, in lines a second. */
export interface SpeedupRound {
  readonly oneWorker: number;
  readonly twoWorkers: number;
  /** The CPUs the process used on average during the 2-worker pass (its CPU time over its wall time). */
  readonly twoWorkersCpus?: number | undefined;
  /** The share of the 2-worker pass its busy threads were ready to run but waiting for a CPU, where counted. */
  readonly twoWorkersWaited?: number | undefined;
}

/** The median of the values that were measured; undefined when none was. */
function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const measured = values.filter((value): value is number => value !== undefined);
  return measured.length === 0 ? undefined : median(measured);
}

/** What the 2-worker passes got of the machine, as a clause of the summary ('' when nothing was measured). */
function cpuClause(cpus: number | undefined, waited: number | undefined): string {
  if (cpus === undefined) return '';
  const waiting = waited === undefined ? '' : `, their busy threads waiting for a CPU ${(waited * 100).toFixed(0)}% of the time`;
  return `; the 2-worker passes ran on ${cpus.toFixed(2)} CPUs${waiting}`;
}

/**
 * The probe's finding: the median of the rounds' ratios with their range, each row's median rate,
 * and whether the median meets {@link THREADS_SPEEDUP_TARGET}.
 * @throws RangeError when there is no round.
 * @example
 * ```ts
 * summarizeSpeedup([{ oneWorker: 200e3, twoWorkers: 350e3 }]).values.ratio; // 1.75
 * ```
 */
export function summarizeSpeedup(rounds: readonly SpeedupRound[]): ProbeFinding {
  if (rounds.length === 0) throw new RangeError('summarizeSpeedup: no rounds');
  const ratios = rounds.map((round) => round.twoWorkers / round.oneWorker);
  const ratio = median(ratios);
  const oneWorker = median(rounds.map((round) => round.oneWorker));
  const twoWorkers = median(rounds.map((round) => round.twoWorkers));
  const cpus = medianOf(rounds.map((round) => round.twoWorkersCpus));
  const waited = medianOf(rounds.map((round) => round.twoWorkersWaited));
  const verdict = ratio >= THREADS_SPEEDUP_TARGET ? 'met' : 'not met';
  const thousands = (rate: number): string => `${(rate / 1e3).toFixed(0)} K`;
  return {
    summary:
      `cpu-heavy, 2 workers against 1 in the same process, ${rounds.length} alternating rounds: ${ratio.toFixed(2)}x ` +
      `(target ≥ ${THREADS_SPEEDUP_TARGET}x: ${verdict}; ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}), ` +
      `1 worker ${thousands(oneWorker)} lines/s, 2 workers ${thousands(twoWorkers)} lines/s` +
      cpuClause(cpus, waited),
    values: {
      ratio,
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      oneWorker,
      twoWorkers,
      rounds: rounds.length,
      ...(cpus === undefined ? {} : { twoWorkersCpus: cpus }),
      ...(waited === undefined ? {} : { twoWorkersWaited: waited }),
    },
  };
}

/** One pass of `runner` over `lines`: its rate in lines a second, and what it got of the machine. */
interface Pass {
  readonly rate: number;
  readonly cpus: number;
  readonly waited: number | undefined;
}

async function timedPass(runner: Runner, lines: number): Promise<Pass> {
  await runner.prepare?.();
  const threadsBefore = readThreadTimes();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await runner.run();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    rate: lines / (wallMs / 1000),
    cpus: (cpu.user + cpu.system) / 1000 / wallMs,
    waited: waitedForCpu(threadsBefore, readThreadTimes(), wallMs),
  };
}

/** A round from its two passes. */
function roundOf(one: Pass, two: Pass): SpeedupRound {
  return { oneWorker: one.rate, twoWorkers: two.rate, twoWorkersCpus: two.cpus, twoWorkersWaited: two.waited };
}

/** Runs the rounds of `scale` in this process. */
export async function measureSpeedup(scale: Scale): Promise<SpeedupRound[]> {
  const lines = accessLogInput(scale);
  const one = onThreads(1).create(lines);
  const two = onThreads(2).create(lines);
  try {
    const plan = PLAN[scale];
    for (let i = 0; i < plan.warmups; i++) {
      await timedPass(one, lines.length);
      await timedPass(two, lines.length);
    }
    const rounds: SpeedupRound[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      if (round % 2 === 0) {
        const onePass = await timedPass(one, lines.length);
        rounds.push(roundOf(onePass, await timedPass(two, lines.length)));
      } else {
        const twoPass = await timedPass(two, lines.length);
        rounds.push(roundOf(await timedPass(one, lines.length), twoPass));
      }
    }
    return rounds;
  } finally {
    await one.dispose?.();
    await two.dispose?.();
  }
}

/** The probe, run with the cpu-heavy case. */
export const threadsSpeedupProbe: Probe = {
  name: 'threads-speedup',
  cases: ['cpu-heavy'],
  run: async (scale) => summarizeSpeedup(await measureSpeedup(scale)),
};
