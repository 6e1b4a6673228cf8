/**
 * What a postgres case found beyond its table: Sluice's rate over plain node-postgres's, cold and
 * steady, for each Sluice row, the exactly-once row set against the target (at least 0.8x
 * of plain pg with exactly-once on), and how many checkpoint commits a checkpointed pass made.
 * The table's ratio column has the steady ratios only; the cold ones are here. Pure.
 */
import type { MeasuredRow } from '../harness/bench-case.js';
import { median } from '../harness/median.js';

/** The least share of plain pg's rate the exactly-once row should reach. */
export const EXACTLY_ONCE_TARGET = 0.8;

/** The row names of one postgres case, by their part. */
export interface PostgresRowNames {
  readonly plainPg: string;
  readonly atLeastOnce: string;
  readonly exactlyOnce: string;
}

/** What a checkpointed Sluice row observes of each pass: the sink's commits. */
export type SinkPassObservation = {
  readonly commits: number;
};

const ratio = (value: number): string => `${value.toFixed(2)}x`;
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

/** `sluice / pg` steady and cold, or `undefined` for either when a row failed or did not say. */
function ratios(sluice: MeasuredRow, pg: MeasuredRow): { steady: number | undefined; cold: number | undefined } {
  const divide = (a: number | null | undefined, b: number | null | undefined): number | undefined =>
    a === null || a === undefined || b === null || b === undefined || b === 0 ? undefined : a / b;
  return { steady: divide(sluice.opsPerSec, pg.opsPerSec), cold: divide(sluice.coldOpsPerSec, pg.coldOpsPerSec) };
}

function describe(label: string, sluice: MeasuredRow | undefined, pg: MeasuredRow): string {
  if (sluice === undefined || sluice.opsPerSec === null) return `${label}: no ratio (the row failed)`;
  const { steady, cold } = ratios(sluice, pg);
  return `${label} ${steady === undefined ? 'n/a' : ratio(steady)} of plain pg steady, ${cold === undefined ? 'n/a' : ratio(cold)} cold`;
}

/**
 * One line for the case: each Sluice row's ratio to plain pg, steady and cold, whether exactly-once
 * met the target, and the checkpointed row's commits per pass.
 * @example
 * ```ts
 * postgresFindings('postgres-insert', names, rows);
 * // ['postgres-insert: exactly-once 0.83x of plain pg steady, 0.80x cold (target ≥ 0.8x steady: met); at-least-once 0.95x …; exactly-once made 3 checkpoint commits a pass']
 * ```
 */
export function postgresFindings(caseName: string, names: PostgresRowNames, rows: readonly MeasuredRow[]): string[] {
  const find = (impl: string): MeasuredRow | undefined => rows.find((row) => row.impl === impl);
  const pg = find(names.plainPg);
  if (pg === undefined || pg.opsPerSec === null) return [`${caseName}: no ratios (plain pg failed)`];
  const exactlyOnce = find(names.exactlyOnce);
  const { steady } = exactlyOnce === undefined ? { steady: undefined } : ratios(exactlyOnce, pg);
  const verdict = steady === undefined ? '' : ` (target ≥ ${EXACTLY_ONCE_TARGET}x steady: ${steady >= EXACTLY_ONCE_TARGET ? 'met' : 'MISSED'})`;
  const commits = exactlyOnce?.observations?.runs['commits'];
  const perPass = commits === undefined || commits.length === 0 ? '' : `; exactly-once made ${plural(median(commits), 'checkpoint commit')} a pass`;
  return [`${caseName}: ${describe('exactly-once', exactlyOnce, pg)}${verdict}; ${describe('at-least-once', find(names.atLeastOnce), pg)}${perPass}`];
}
