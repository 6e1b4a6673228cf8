/**
 * actor-passes: the guard against a slow mode coming back. Issue 18 reported processes that, after
 * about six passes each creating a system (and a definition), fell to a rate 4–5x below the others
 * and stayed there. This probe runs the actor-throughput row that builds a new system and a new
 * definition every pass in several fresh processes (a mode that strikes some processes and not
 * others shows only across processes), and fails the bench when a process's steady rate falls below
 * 0.4x the fastest process's, or below 0.9x its own cold rate.
 *
 * 0.4x is the line because a busy host has moved a whole process by up to 0.57x here (a plain loop
 * timed in the same process slowed with it), while the mode it guards against cost 4–5x (0.2–0.25x).
 */
import { ACTOR_PER_PASS } from '../cases/actor-throughput.js';
import type { ChildReport, ChildTask } from '../harness/child-protocol.js';
import { median } from '../harness/median.js';
import type { Probe, ProbeFinding } from '../harness/probe.js';
import type { Scale } from '../harness/bench-case.js';
import { runInChild } from '../harness/run-in-child.js';

/** Fresh processes per probe run. */
const PROCESSES = { full: 6, quick: 3 } as const;

/** A process whose steady rate is below this share of the fastest process's is in a slow mode. */
export const SLOW_MODE_SHARE = 0.4;

/** A process's steady rate must be at least this share of its own cold rate. */
export const STEADY_TO_COLD = 0.9;

/** One process's passes: its first (cold) rate and the rates of its timed passes after warm-up. */
export interface ProcessPasses {
  readonly coldRate: number;
  readonly rates: readonly number[];
}

/** What the probe makes of the processes' passes. */
export interface PassesVerdict {
  /** Each process's median rate over its timed passes, in run order. */
  readonly steadyRates: readonly number[];
  readonly coldRates: readonly number[];
  /** The slowest process's steady rate over the fastest's. */
  readonly slowestShare: number;
  /** The lowest steady-to-cold ratio of any process. */
  readonly worstSteadyToCold: number;
  /** Why the probe fails, one reason per process at fault; empty when it passes. */
  readonly faults: readonly string[];
}

/**
 * Judges the passes of several processes.
 * @throws RangeError when there are no processes, or a process without timed passes.
 * @example
 * ```ts
 * judgeActorPasses([{ coldRate: 12e6, rates: [33e6, 34e6] }, { coldRate: 6e6, rates: [7e6, 7e6] }]).faults;
 * // ['process 2: steady 7.0 M/s, 0.21x the fastest process (33.5 M/s): a slow mode']
 * ```
 */
export function judgeActorPasses(processes: readonly ProcessPasses[]): PassesVerdict {
  if (processes.length === 0) throw new RangeError('judgeActorPasses: no processes');
  const steadyRates = processes.map(({ rates }, index) => {
    if (rates.length === 0) throw new RangeError(`judgeActorPasses: process ${index + 1} has no timed passes`);
    return median(rates);
  });
  const coldRates = processes.map(({ coldRate }) => coldRate);
  const fastest = Math.max(...steadyRates);
  const faults: string[] = [];
  steadyRates.forEach((steady, index) => {
    const name = `process ${index + 1}`;
    if (steady < SLOW_MODE_SHARE * fastest) {
      faults.push(`${name}: steady ${millions(steady)}, ${(steady / fastest).toFixed(2)}x the fastest process (${millions(fastest)}): a slow mode`);
    }
    const cold = coldRates[index] as number;
    if (steady < STEADY_TO_COLD * cold) {
      faults.push(`${name}: steady ${millions(steady)} below ${STEADY_TO_COLD}x its cold rate (${millions(cold)})`);
    }
  });
  return {
    steadyRates,
    coldRates,
    slowestShare: Math.min(...steadyRates) / fastest,
    worstSteadyToCold: Math.min(...steadyRates.map((steady, index) => steady / (coldRates[index] as number))),
    faults,
  };
}

function millions(rate: number): string {
  return `${(rate / 1e6).toFixed(1)} M/s`;
}

/** Runs one process of the row and returns its passes. */
export type RunProcess = (scale: Scale) => Promise<ProcessPasses>;

/** One fresh child process running the row, as the table's children do. */
async function runRowInChild(scale: Scale): Promise<ProcessPasses> {
  const task: ChildTask = { kind: 'case', case: 'actor-throughput', impl: ACTOR_PER_PASS, scale };
  const report: ChildReport = await runInChild(task, 120_000);
  if (report.kind !== 'case') throw new Error(`a process of ${ACTOR_PER_PASS} failed: ${report.kind === 'error' ? report.message : report.kind}`);
  return { coldRate: report.coldRate, rates: report.rates };
}

/**
 * Runs the row in fresh processes one after another, judges them, and throws (failing the bench)
 * with every fault when there is one.
 */
export async function measureActorPasses(scale: Scale, runProcess: RunProcess = runRowInChild): Promise<ProbeFinding> {
  const processes: ProcessPasses[] = [];
  for (let i = 0; i < PROCESSES[scale]; i++) processes.push(await runProcess(scale));
  const verdict = judgeActorPasses(processes);
  if (verdict.faults.length > 0) throw new Error(`${ACTOR_PER_PASS}: ${verdict.faults.join('; ')}`);
  const low = Math.min(...verdict.steadyRates);
  const high = Math.max(...verdict.steadyRates);
  return {
    summary:
      `${ACTOR_PER_PASS}, ${processes.length} fresh processes: steady ${millions(low)} to ${millions(high)} ` +
      `(slowest ${verdict.slowestShare.toFixed(2)}x the fastest), cold ${millions(Math.min(...verdict.coldRates))} to ${millions(Math.max(...verdict.coldRates))}, ` +
      `steady at least ${verdict.worstSteadyToCold.toFixed(2)}x cold: no slow mode`,
    values: {
      processes: processes.length,
      slowestShare: verdict.slowestShare,
      worstSteadyToCold: verdict.worstSteadyToCold,
      minSteadyRate: low,
      maxSteadyRate: high,
    },
  };
}

/** The actor-passes probe, run with the actor-throughput case. */
export const actorPassesProbe: Probe = {
  name: 'actor-passes',
  cases: ['actor-throughput'],
  run: (scale) => measureActorPasses(scale),
};
