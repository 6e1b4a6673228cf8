/**
 * kit-case-cost: what one case of a `sluice/testing` check costs, in plain runs of the same
 * pipeline (issue 19: a case with throws and crashes on within 2x of a plain run). The pipeline is
 * a keyed running total over 24 records in 3 partitions (`kit-case-pipeline.ts`): plain, it runs
 * once over `fromArray` into a collecting sink; under the kit, a case drawn by fast-check from a
 * fixed seed runs it with its schedule and faults, a crash being a kill and a resume, and compares
 * the output with the model.
 *
 * Measured in one process, in rounds over the same drawn cases: each round times a block of a few
 * plain runs, a block of as many cases with throws and crashes and one with throws only, the order
 * of the blocks rotating; rounds are summed into groups, and the probe reports the median of the
 * groups' ratios with their range. Short blocks interleave the kinds finely, so a neighbour's load
 * that comes and goes weighs on all three alike; each block ends with turns of the event loop, so
 * the work its garbage left there is its own. Wall time, not the process's CPU time: that counts
 * the heap's helper threads, which go on marking one block's garbage while the next block runs.
 */
import fc from 'fast-check';
import type { Scale } from '../harness/bench-case.js';
import { median } from '../harness/median.js';
import type { Probe, ProbeFinding } from '../harness/probe.js';
import { plainRun, RECORDS, totalsCheck, type Payment } from './kit-case-pipeline.js';
import type { PipelineCase } from '../../src/testing/index.js';

/** A kit case with throws and crashes may cost at most this many plain runs (issue 19). */
export const KIT_COST_TARGET = 2;

/** Cases drawn, cases per block, rounds (each block taking the next cases of the pool) and groups they are summed into. */
const PLAN = { full: { pool: 200, block: 10, rounds: 200, groups: 10 }, quick: { pool: 60, block: 6, rounds: 40, groups: 4 } } as const;

/** The fast-check seed the cases are drawn from. */
const SEED = 19;

/** One group of rounds: milliseconds of each kind of block, each over the same cases. */
export interface KitCostGroup {
  /** One plain run per case, over the case's input. */
  readonly plainMs: number;
  /** The cases with throws and crashes. */
  readonly kitMs: number;
  /** The cases with throws only. */
  readonly throwsMs: number;
}

/** What the probe measured. */
export interface KitCostSample {
  /** Cases of each kind in a group. */
  readonly cases: number;
  readonly groups: readonly KitCostGroup[];
  /** Runs the kit started per case with throws and crashes (a crash adds one: kill, then resume). */
  readonly runsPerCase: number;
  /** Runs per case with throws only. */
  readonly throwsRunsPerCase: number;
}

const ratio = (values: readonly number[]): string => `${median(values).toFixed(2)}x`;
const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

/**
 * The probe's finding: a kit case's cost in plain runs, median and range over the groups, and
 * whether the median meets {@link KIT_COST_TARGET}.
 * @throws RangeError when there is no group.
 * @example
 * ```ts
 * summarizeKitCost({ cases: 2, groups: [{ plainMs: 1, kitMs: 1.8, throwsMs: 1.2 }], runsPerCase: 2.3, throwsRunsPerCase: 1 }).summary;
 * // 'keyed running total, 24 records, 3 partitions: a kit case with throws and crashes costs 1.80x a plain run …'
 * ```
 */
export function summarizeKitCost(sample: KitCostSample): ProbeFinding {
  const { groups, cases } = sample;
  if (groups.length === 0) throw new RangeError('summarizeKitCost: no groups');
  const kit = groups.map((group) => group.kitMs / group.plainMs);
  const throws = groups.map((group) => group.throwsMs / group.plainMs);
  const plainMs = median(groups.map((group) => group.plainMs / cases));
  const kitMs = median(groups.map((group) => group.kitMs / cases));
  const verdict = median(kit) <= KIT_COST_TARGET ? 'met' : 'not met';
  return {
    summary:
      `keyed running total, ${RECORDS} records, 3 partitions: a kit case with throws and crashes costs ${ratio(kit)} a plain run ` +
      `(target ≤ ${KIT_COST_TARGET}x: ${verdict}; ${range(kit)} over ${groups.length} groups of ${cases} interleaved cases), ` +
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

/**
 * Turns of the event loop each block ends with, timed with it. The heap posts work to the event
 * loop (marking steps, finalization): a kind of run that never yields to it, as a kit case does
 * not, would leave that to whatever runs next and look cheaper than it is.
 */
const LOOP_TURNS = 2;

const giveTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the rounds of `scale` and returns what they measured. */
export async function measureKitCost(scale: Scale): Promise<KitCostSample> {
  const plan = PLAN[scale];
  let builds = 0;
  const counted = (): void => void builds++;
  const kit = totalsCheck({ throws: true, crashes: true }, counted);
  const throwsOnly = totalsCheck({ throws: true }, counted);
  const kitCases = fc.sample(kit.cases, { seed: SEED, numRuns: plan.pool });
  const throwsCases = fc.sample(throwsOnly.cases, { seed: SEED, numRuns: plan.pool });
  const plain = async (testCase: PipelineCase<Payment>): Promise<void> => {
    const written = await plainRun(testCase.input);
    if (written !== RECORDS) throw new Error(`kit-case-cost: a plain run wrote ${written} totals, expected ${RECORDS}`);
  };
  const kinds = [
    { run: plain, cases: kitCases },
    { run: kit.check, cases: kitCases },
    { run: throwsOnly.check, cases: throwsCases },
  ];
  // Untimed, once over the pool: the first cases of each kind compile what they run.
  for (const kind of kinds) for (const testCase of kind.cases) await kind.run(testCase);
  const runs = [0, 0, 0];
  const groups = Array.from({ length: plan.groups }, () => [0, 0, 0]);
  // Each kind goes first, second and third equally often, so none always runs on a heap another left.
  const orders = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [0, 2, 1],
    [2, 1, 0],
    [1, 0, 2],
  ];
  for (let round = 0; round < plan.rounds; round++) {
    const group = groups[Math.floor((round * plan.groups) / plan.rounds)] as number[];
    const from = (round * plan.block) % plan.pool;
    for (const index of orders[round % orders.length] as number[]) {
      const kind = kinds[index] as (typeof kinds)[number];
      builds = 0;
      const start = performance.now();
      for (let i = from; i < from + plan.block; i++) await kind.run(kind.cases[i % plan.pool] as PipelineCase<Payment>);
      // Timed with its block: what the block left the event loop to do (the heap's tasks among it).
      for (let turn = 0; turn < LOOP_TURNS; turn++) await giveTurn();
      group[index] = (group[index] as number) + performance.now() - start;
      runs[index] = (runs[index] as number) + builds;
    }
  }
  const cases = (plan.rounds * plan.block) / plan.groups;
  const perCase = (index: number): number => (runs[index] as number) / (plan.rounds * plan.block);
  return {
    cases,
    groups: groups.map(([plainMs, kitMs, throwsMs]) => ({ plainMs: plainMs as number, kitMs: kitMs as number, throwsMs: throwsMs as number })),
    runsPerCase: perCase(1),
    throwsRunsPerCase: perCase(2),
  };
}

/** Stands alone: `npm run bench -- --case kit-case-cost`. */
export const kitCaseCostProbe: Probe = {
  name: 'kit-case-cost',
  cases: [],
  run: async (scale) => summarizeKitCost(await measureKitCost(scale)),
};
