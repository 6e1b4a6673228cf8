/**
 * The results as a table: one row per case and implementation, with its rate, its peak RSS and,
 * on Sluice rows, the ratio to the floor and every peer of the same case. A FAILURE shows as the
 * word, never as a number; {@link failureLines} says why.
 */
import type { BenchResult } from './bench-result.js';
import type { Table } from './table.js';

/**
 * A rate for people: `9.17 M`, `611.4 K`, `950`.
 *
 * @example
 * ```ts
 * formatRate(9_170_000); // '9.17 M'
 * ```
 */
export function formatRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)} M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)} K`;
  return opsPerSec.toFixed(0);
}

/**
 * Sluice's rate divided by each other implementation's in the same case (above 1: Sluice is
 * faster), for a Sluice row that is not a FAILURE; empty for any other row. Other Sluice rows
 * count only when the row names them in `compareWith` (checkpoints on against off, say).
 *
 * @example
 * ```ts
 * ratios(sluiceRow, results); // '0.32x hand-written ring mailbox, 0.02x function-call loop'
 * ```
 */
export function ratios(result: BenchResult, results: readonly BenchResult[]): string {
  if (result.role !== 'sluice' || result.opsPerSec === null) return '';
  const sluice = result.opsPerSec;
  return results
    .filter((other) => other.case === result.case && (other.role !== 'sluice' || (result.compareWith?.includes(other.impl) ?? false)))
    .map((other) => (other.opsPerSec === null ? `n/a ${other.impl}` : `${formatRatio(sluice / other.opsPerSec)}x ${other.impl}`))
    .join(', ');
}

/** Two decimals, or two significant digits below 0.1, so that a small ratio does not print as 0.00. */
function formatRatio(ratio: number): string {
  return ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2);
}

/**
 * The results table: case, implementation, operations per run, cold rate (the first run in a fresh
 * process), median rate (steady, after warm-ups), peak RSS and ratios (of the steady rates).
 *
 * @example
 * ```ts
 * renderTextTable(resultTable(results));
 * ```
 */
export function resultTable(results: readonly BenchResult[]): Table {
  return [
    ['case', 'implementation', 'ops/run', 'cold rate', 'median rate', 'peak RSS (MB)', 'Sluice vs peers'],
    ...results.map((result) => [
      result.case,
      result.impl,
      result.operations === null ? '' : result.operations.toLocaleString('en-US'),
      result.coldOpsPerSec === null ? '' : `${formatRate(result.coldOpsPerSec)} ${result.unit}/s`,
      result.opsPerSec === null ? 'FAILURE' : `${formatRate(result.opsPerSec)} ${result.unit}/s`,
      result.peakRssMb === null ? '' : result.peakRssMb.toFixed(0),
      ratios(result, results),
    ]),
  ];
}

/**
 * One line per FAILURE, saying which row and why; empty when there is none.
 *
 * @example
 * ```ts
 * failureLines(results); // ['FAILURE wordcount / rxjs groupBy + reduce: wrong answer: checksum 1, expected 2 ...']
 * ```
 */
export function failureLines(results: readonly BenchResult[]): string[] {
  return results.filter((result) => result.error !== null).map((result) => `FAILURE ${result.case} / ${result.impl}: ${result.error}`);
}
