/**
 * Regressions against a previous run: every case/impl whose median rate fell by more than the
 * threshold, or that was a number before and is a FAILURE now. Only rows of the same size (the same
 * operations per run) are compared, so a `--quick` run is never held against a full one; and the
 * same findings in words, for the terminal and BENCHMARKS.md. Pure.
 */
import type { BenchResult } from './bench-result.js';
import { formatRate } from './result-table.js';

/** A drop in rate beyond which a row is called out: timings on a shared machine wobble by ~10%. */
export const REGRESSION_THRESHOLD = 0.15;

/** The fields of a result that a comparison reads: what a previous run's record must hold. */
export type ComparableResult = Pick<BenchResult, 'case' | 'impl' | 'unit' | 'operations' | 'opsPerSec'>;

/** One row that got slower, or failed. */
export interface Regression {
  readonly case: string;
  readonly impl: string;
  readonly unit: string;
  readonly previous: number;
  /** `null`: the row is a FAILURE now. */
  readonly current: number | null;
  /** current / previous − 1 (−0.2 is 20% slower); `null` for a FAILURE. */
  readonly change: number | null;
}

/** What a comparison found. */
export interface Comparison {
  /** Rows measured in both runs at the same size. */
  readonly compared: number;
  /** Rows present in both runs whose sizes differ, so were not compared. */
  readonly differentSize: number;
  readonly regressions: readonly Regression[];
}

/**
 * Compares `current` with `previous`, row by row (matched on case and implementation).
 *
 * @param threshold - the fraction of its rate a row may lose before it is called out.
 * @defaultValue threshold - {@link REGRESSION_THRESHOLD}
 * @example
 * ```ts
 * compareRuns(previousResults, results).regressions; // [{ case: 'wordcount', impl: ..., change: -0.22, ... }]
 * ```
 */
export function compareRuns(previous: readonly ComparableResult[], current: readonly ComparableResult[], threshold: number = REGRESSION_THRESHOLD): Comparison {
  let compared = 0;
  let differentSize = 0;
  const regressions: Regression[] = [];
  for (const now of current) {
    const before = previous.find((candidate) => candidate.case === now.case && candidate.impl === now.impl);
    // A row that is new, or was a FAILURE before, has no rate to fall from.
    if (before === undefined || before.opsPerSec === null) continue;
    const row = { case: now.case, impl: now.impl, unit: now.unit, previous: before.opsPerSec };
    if (now.opsPerSec === null) {
      compared++;
      regressions.push({ ...row, current: null, change: null });
      continue;
    }
    if (now.operations !== before.operations) {
      differentSize++;
      continue;
    }
    compared++;
    const change = now.opsPerSec / before.opsPerSec - 1;
    if (change < -threshold) regressions.push({ ...row, current: now.opsPerSec, change });
  }
  return { compared, differentSize, regressions };
}

/**
 * A comparison in words: a summary sentence and one item per regression, for the terminal and
 * for BENCHMARKS.md alike.
 *
 * @param previous - when and at what scale the earlier run was made; `undefined` when there was none.
 * @example
 * ```ts
 * describeComparison({ date: '2025-01-01T00:00:00.000Z', scale: 'full' }, comparison).items;
 * // ['SLOWER wordcount / rxjs groupBy + reduce: 516.2 K → 400.1 K records/s (-22.5%)']
 * ```
 */
export function describeComparison(
  previous: { readonly date: string; readonly scale: string } | undefined,
  comparison: Comparison | undefined,
  threshold: number = REGRESSION_THRESHOLD,
): { summary: string; items: string[] } {
  if (previous === undefined || comparison === undefined) {
    return { summary: 'No earlier run is recorded here, so there is nothing to compare with yet.', items: [] };
  }
  const skipped =
    comparison.differentSize === 0 ? '' : ` ${comparison.differentSize} not compared because their sizes differ (a --quick run against a full one?).`;
  const verdict =
    comparison.regressions.length === 0
      ? ` None is more than ${threshold * 100}% slower, and none newly fails.`
      : ` ${comparison.regressions.length} got more than ${threshold * 100}% slower or now fail:`;
  return {
    summary: `Compared with the ${previous.scale} run of ${previous.date}: ${comparison.compared} rows at the same size.${skipped}${verdict}`,
    items: comparison.regressions.map((regression) => {
      const row = `${regression.case} / ${regression.impl}`;
      if (regression.current === null || regression.change === null) {
        return `FAILING ${row}: ${formatRate(regression.previous)} ${regression.unit}/s before, a FAILURE now`;
      }
      return (
        `SLOWER ${row}: ${formatRate(regression.previous)} → ${formatRate(regression.current)} ${regression.unit}/s ` +
        `(${(regression.change * 100).toFixed(1)}%)`
      );
    }),
  };
}
