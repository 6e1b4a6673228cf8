/**
 * kit-case-cost: what one case of a `sluice/testing` check costs, in plain runs of the same
 * pipeline (issue 19: a case with throws and crashes on within 2x of a plain run). The pipeline is
 * a keyed running total over 24 records in 3 partitions (`kit-case-pipeline.ts`): plain, it runs
 * once over `fromArray` into a collecting sink; under the kit, a case drawn by fast-check from a
 * fixed seed runs it with its schedule and faults, a crash being a kill and a resume, and compares
 * the output with the model.
 *
 * Measured in one process, in rounds: each round times a block of plain runs, a block of cases with
 * throws and crashes and a block with throws only, over the same drawn cases every round, the order
 * of the blocks rotating, and reports the median of the rounds' ratios with their range. Blocks
 * rather than alternating single runs: a run's garbage is then collected within its own block,
 * not charged to the next run of the other kind. CPU time (the process's, GC threads included)
 * rather than wall time: a neighbour's load that takes the core away for a while moves neither.
 */
import fc from 'fast-check';
import type { Scale } from '../harness/bench-case.js';
import { median } from '../harness/median.js';
import type { Probe, ProbeFinding } from '../harness/probe.js';
import { plainRun, RECORDS, totalsCheck, type Payment } from './kit-case-pipeline.js';
import type { PipelineCase } from '../../src/testing/index.js';

/** A kit case with throws and crashes may cost at most this many plain runs (issue 19). */
export const KIT_COST_TARGET = 2;

/** Cases per block, untimed warm-up rounds and timed rounds. */
const PLAN = { full: { cases: 200, warmups: 2, rounds: 10 }, quick: { cases: 80, warmups: 1, rounds: 4 } } as const;

/** The fast-check seed the cases are drawn from. */
const SEED = 19;

/** One timed round: CPU milliseconds of each block, each over the same number of cases. */
export interface KitCostRound {
  /** One plain run per case, over the case's input. */
  readonly plainMs: number;
  /** The cases with throws and crashes. */
  readonly kitMs: number;
  /** The cases with throws only. */
  readonly throwsMs: number;
}

/** What the probe measured. */
export interface KitCostSample {
  /** Cases in each block. */
  readonly cases: number;
  readonly rounds: readonly KitCostRound[];
  /** Runs the kit started per case with throws and crashes (a crash adds one: kill, then resume). */
  readonly runsPerCase: number;
  /** Runs per case with throws only. */
  readonly throwsRunsPerCase: number;
}

const ratio = (values: readonly number[]): string => `${median(values).toFixed(2)}x`;
const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

/**
 * The probe's finding: a kit case's cost in plain runs, median and range over the rounds, and
 * whether the median meets {@link KIT_COST_TARGET}.
 * @throws RangeError when there is no round.
 * @example
 * ```ts
 * summarizeKitCost({ cases: 2, rounds: [{ plainMs: 1, kitMs: 1.8, throwsMs: 1.2 }], runsPerCase: 2.3, throwsRunsPerCase: 1 }).summary;
 * // 'keyed running total, 24 records, 3 partitions: a kit case with throws and crashes costs 1.80x a plain run …'
 * ```
 */
export function summarizeKitCost(sample: KitCostSample): ProbeFinding {
  const { rounds, cases } = sample;
  if (rounds.length === 0) throw new RangeError('summarizeKitCost: no rounds');
  const kit = rounds.map((round) => round.kitMs / round.plainMs);
  const throws = rounds.map((round) => round.throwsMs / round.plainMs);
  const plainMs = median(rounds.map((round) => round.plainMs / cases));
  const kitMs = median(rounds.map((round) => round.kitMs / cases));
  const verdict = median(kit) <= KIT_COST_TARGET ? 'met' : 'not met';
  return {
    summary:
      `keyed running total, ${RECORDS} records, 3 partitions: a kit case with throws and crashes costs ${ratio(kit)} a plain run ` +
      `(target ≤ ${KIT_COST_TARGET}x: ${verdict}; ${range(kit)} over ${rounds.length} interleaved rounds of ${cases} cases, CPU time), ` +
      `${sample.runsPerCase.toFixed(2)} runs a case; with throws only ${ratio(throws)} (${range(throws)}), ` +
      `${sample.throwsRunsPerCase.toFixed(2)} runs a case; a plain run ${plainMs.toFixed(3)} ms, a kit case ${kitMs.toFixed(3)} ms`,
    values: {
      ratio: median(kit),
      ratioMin: Math.min(...kit),
      ratioMax: Math.max(...kit),
      throwsRatio: median(throws),
      runsPerCase: sample.runsPerCase,
      throwsRunsPerCase: sample.throwsRunsPerCase,
      plainMs,
      kitMs,
    },
  };
}

/** CPU milliseconds this process has used, on every thread. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Runs the rounds of `scale` and returns what they measured. */
export async function measureKitCost(scale: Scale): Promise<KitCostSample> {
  const plan = PLAN[scale];
  let builds = 0;
  const counted = (): void => void builds++;
  const kit = totalsCheck({ throws: true, crashes: true }, counted);
  const throwsOnly = totalsCheck({ throws: true }, counted);
  const kitCases = fc.sample(kit.cases, { seed: SEED, numRuns: plan.cases });
  const throwsCases = fc.sample(throwsOnly.cases, { seed: SEED, numRuns: plan.cases });
  const runs = { kit: 0, throws: 0 };

  const plainBlock = async (): Promise<void> => {
    for (const testCase of kitCases) {
      const written = await plainRun(testCase.input);
      if (written !== RECORDS) throw new Error(`kit-case-cost: a plain run wrote ${written} totals, expected ${RECORDS}`);
    }
  };
  const kitBlock = (check: (testCase: PipelineCase<Payment>) => Promise<void>, cases: readonly PipelineCase<Payment>[], into: 'kit' | 'throws') => async () => {
    builds = 0;
    for (const testCase of cases) await check(testCase);
    runs[into] = builds / cases.length;
  };
  const blocks = [plainBlock, kitBlock(kit.check, kitCases, 'kit'), kitBlock(throwsOnly.check, throwsCases, 'throws')];
  // Each block goes first, second and third equally often, so none always runs on a heap another left.
  const orders = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [2, 1, 0],
    [1, 0, 2],
  ];
  const rounds: KitCostRound[] = [];
  for (let round = 0; round < plan.warmups + plan.rounds; round++) {
    const ms = [0, 0, 0];
    for (const block of orders[round % orders.length] as number[]) {
      const start = cpuMs();
      await (blocks[block] as () => Promise<void>)();
      ms[block] = cpuMs() - start;
    }
    if (round >= plan.warmups) rounds.push({ plainMs: ms[0] as number, kitMs: ms[1] as number, throwsMs: ms[2] as number });
  }
  return { cases: plan.cases, rounds, runsPerCase: runs.kit, throwsRunsPerCase: runs.throws };
}

/** Stands alone: `npm run bench -- --case kit-case-cost`. */
export const kitCaseCostProbe: Probe = {
  name: 'kit-case-cost',
  cases: [],
  run: async (scale) => summarizeKitCost(await measureKitCost(scale)),
};
