/**
 * Steady against cold: issue 18 asks that no Sluice row run slower once warm than in its first
 * pass, which is what a runtime stuck in a slow mode looks like. Every Sluice row whose steady
 * (median) rate is below 0.9x its cold rate is called out, in words, for the terminal and
 * BENCHMARKS.md. It does not fail the run: one row on a busy host can dip that far, and the
 * actor-passes probe is the test that fails when a slow mode returns. Pure.
 */
import type { BenchResult } from './bench-result.js';
import { formatRate } from './result-table.js';

/** The least share of its cold rate a Sluice row's steady rate should keep. */
export const STEADY_SHARE_OF_COLD = 0.9;

/**
 * A line per Sluice row whose steady rate is below {@link STEADY_SHARE_OF_COLD} of its cold rate,
 * and a summary line first.
 *
 * @example
 * ```ts
 * steadyAgainstCold(results);
 * // ['Every Sluice row ran at least 0.9x its cold rate once warm (12 rows).']
 * ```
 */
export function steadyAgainstCold(results: readonly BenchResult[]): string[] {
  const measured = results.filter((row) => row.role === 'sluice' && row.opsPerSec !== null && row.coldOpsPerSec !== null);
  const slower = measured.filter((row) => (row.opsPerSec as number) < STEADY_SHARE_OF_COLD * (row.coldOpsPerSec as number));
  if (slower.length === 0) {
    return [`Every Sluice row ran at least ${STEADY_SHARE_OF_COLD}x its cold rate once warm (${measured.length} row${measured.length === 1 ? '' : 's'}).`];
  }
  return [
    `${slower.length} of ${measured.length} Sluice rows ran below ${STEADY_SHARE_OF_COLD}x their cold rate once warm:`,
    ...slower.map((row) => {
      const steady = row.opsPerSec as number;
      const cold = row.coldOpsPerSec as number;
      return `${row.case} / ${row.impl}: steady ${formatRate(steady)} ${row.unit}/s, cold ${formatRate(cold)} (${(steady / cold).toFixed(2)}x)`;
    }),
  ];
}
