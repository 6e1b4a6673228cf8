import { describe, expect, it } from 'vitest';
import type { MeasuredRow } from '../../../bench/harness/bench-case.js';
import { postgresFindings, type PostgresRowNames } from '../../../bench/postgres/postgres-findings.js';

const NAMES: PostgresRowNames = { plainPg: 'pg', atLeastOnce: 'sluice, at-least-once', exactlyOnce: 'sluice, exactly-once' };

/** A row at `steady` rows a second (its median), `cold` in its first pass, with the exactly-once row's commits a pass when given. */
function row(impl: string, steady: number | null, cold: number | null, commits?: readonly number[]): MeasuredRow {
  const observations = commits === undefined ? undefined : { cold: { commits: commits[0] ?? 0 }, runs: { commits } };
  return { impl, operations: 200_000, opsPerSec: steady, coldOpsPerSec: cold, samples: steady === null ? [] : [steady], observations };
}

describe('postgresFindings', () => {
  it('gives each Sluice row over plain pg, steady and cold, the exactly-once row against the 0.8x target, and its commits a pass', () => {
    const rows = [row('pg', 100_000, 80_000), row(NAMES.atLeastOnce, 70_000, 20_000), row(NAMES.exactlyOnce, 85_000, 60_000, [1, 3, 1])];
    expect(postgresFindings('postgres-insert', NAMES, rows)).toEqual([
      'postgres-insert: exactly-once 0.85x of plain pg steady, 0.75x cold (target ≥ 0.8x steady: met); ' +
        'at-least-once 0.70x of plain pg steady, 0.25x cold; exactly-once made 1 checkpoint commit a pass',
    ]);
  });

  it('says MISSED when exactly-once is below 0.8x of plain pg once warm', () => {
    const rows = [row('pg', 100_000, 100_000), row(NAMES.atLeastOnce, 90_000, 90_000), row(NAMES.exactlyOnce, 79_000, 95_000)];
    expect(postgresFindings('postgres-upsert', NAMES, rows)[0]).toMatch(
      /^postgres-upsert: exactly-once 0\.79x of plain pg steady, 0\.95x cold \(target ≥ 0\.8x steady: MISSED\); /,
    );
  });

  it('gives no ratio for a failed row, and none at all when plain pg failed', () => {
    const failed = [row('pg', 100_000, 100_000), row(NAMES.atLeastOnce, 90_000, null), row(NAMES.exactlyOnce, null, null)];
    expect(postgresFindings('postgres-insert', NAMES, failed)).toEqual([
      'postgres-insert: exactly-once: no ratio (the row failed); at-least-once 0.90x of plain pg steady, n/a cold',
    ]);
    expect(postgresFindings('postgres-insert', NAMES, [row('pg', null, null), row(NAMES.exactlyOnce, 1, 1)])).toEqual([
      'postgres-insert: no ratios (plain pg failed)',
    ]);
  });
});
