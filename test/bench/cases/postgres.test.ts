/**
 * The postgres cases at a tiny size, as `npm run bench -- --case postgres` runs them: every row
 * to the floor's checksum, read back from the server, and nothing left behind (tables, the jobs'
 * bookkeeping, checkpoint folders). Needs PostgreSQL; skipped with a printed reason without it.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { postgresCase, postgresRowNames } from '../../../bench/cases/postgres.js';
import { measure } from '../../../bench/harness/measure.js';
import type { ChildReport } from '../../../bench/harness/child-protocol.js';
import { selectCases } from '../../../bench/harness/selection.js';
import { PG_URL_ENV, postgresUnavailable } from '../../../bench/postgres/pg-service.js';
import { loadCases } from '../../../bench/registry.js';
import { judgeCase } from '../../../bench/report/bench-result.js';
import { connectPostgres } from '../../../src/postgres/index.js';
import { checkPostgres } from '../../helpers/services.js';

const postgres = await checkPostgres();
const ORDERS = 3_000;
/** What the test's tables are called after `bench_`, apart from a bench that may be running beside it. */
const LABEL = 'casetest';

describe('postgresCase', () => {
  it('has the rows read by name from outside: plain pg as the floor, then Sluice without and with checkpoints', () => {
    for (const mode of ['insert', 'upsert'] as const) {
      const names = postgresRowNames(mode);
      expect(postgresCase(mode).implementations).toEqual([
        { impl: names.plainPg, role: 'floor' },
        { impl: names.atLeastOnce, role: 'sluice' },
        { impl: names.exactlyOnce, role: 'sluice', compareWith: [names.atLeastOnce] },
      ]);
    }
    expect(postgresRowNames('insert')).toEqual({
      plainPg: 'pg insert loop, 1,000-row prepared statements, a transaction per 10,000 rows',
      atLeastOnce: 'sluice toPostgres insert, no checkpoints (at-least-once)',
      exactlyOnce: 'sluice toPostgres insert, checkpoints every 1 s (exactly-once)',
    });
  });

  it('is what `--case postgres` selects: the insert case and the upsert case', async () => {
    expect(selectCases(await loadCases(), 'postgres').map((benchCase) => benchCase.name)).toEqual(['postgres-insert', 'postgres-upsert']);
  });

  it('is unavailable, saying where it looked and what to set, when PostgreSQL does not answer', async () => {
    const previous = process.env[PG_URL_ENV];
    // Port 1 on this host: nothing listens there.
    process.env[PG_URL_ENV] = 'postgresql://bench:secret@127.0.0.1:1/orders';
    try {
      const why = await postgresUnavailable();
      expect(why).toMatch(
        /^PostgreSQL does not answer \(set SLUICE_PG_URL to another address\): Cannot connect to PostgreSQL at bench@127\.0\.0\.1:1\/orders: /,
      );
      expect(why).not.toContain('secret');
      expect(await postgresCase('insert').unavailable()).toBe(why);
    } finally {
      if (previous === undefined) delete process.env[PG_URL_ENV];
      else process.env[PG_URL_ENV] = previous;
    }
  });
});

describe.skipIf(postgres.url === undefined)(`postgresCase at ${ORDERS.toLocaleString('en-US')} orders, against PostgreSQL`, () => {
  it.each(['insert', 'upsert'] as const)(
    'writes the same table with every row (%s), finds each ratio to plain pg, and leaves no table, job row or folder behind',
    async (mode) => {
      const previous = process.env[PG_URL_ENV];
      process.env[PG_URL_ENV] = postgres.url as string;
      try {
        const tiny = postgresCase(mode, {
          orders: { quick: ORDERS, full: ORDERS },
          plans: { quick: { warmups: 1, runs: 1 }, full: { warmups: 1, runs: 1 } },
          label: LABEL,
        });
        expect(await tiny.unavailable()).toBeUndefined();
        const reports = new Map<string, ChildReport>();
        for (const { impl } of tiny.implementations) {
          const { operations, runner } = tiny.load(impl, 'quick');
          expect(operations).toBe(ORDERS);
          reports.set(impl, { kind: 'case', operations, peakRssMb: 0, ...(await measure(runner, operations, tiny.plan('quick'))) });
        }
        const rows = judgeCase(tiny, reports);
        expect(rows.map(({ impl, error }) => ({ impl, error }))).toEqual(tiny.implementations.map(({ impl }) => ({ impl, error: null })));
        for (const row of rows) expect(row.opsPerSec).toBeGreaterThan(0);
        // A checksum of the whole table: not a constant that every implementation returns.
        expect(rows[0]?.checksum).not.toBe(0);

        const names = postgresRowNames(mode);
        const exactlyOnce = rows.find((row) => row.impl === names.exactlyOnce);
        expect(exactlyOnce?.observations?.runs['commits']?.[0]).toBeGreaterThanOrEqual(1);
        expect(tiny.findings(rows)).toEqual([
          expect.stringMatching(
            new RegExp(
              `^postgres-${mode}: exactly-once \\d+\\.\\d\\dx of plain pg steady, \\d+\\.\\d\\dx cold \\(target ≥ 0\\.8x steady: (met|MISSED)\\); ` +
                'at-least-once \\d+\\.\\d\\dx of plain pg steady, \\d+\\.\\d\\dx cold; exactly-once made \\d+ checkpoint commits? a pass$',
            ),
          ),
        ]);

        const { pool } = await connectPostgres({ connectionString: postgres.url as string });
        try {
          const pattern = `bench\\_${LABEL}\\_%`;
          const { rows: tables } = await pool.query(`SELECT tablename FROM pg_tables WHERE tablename LIKE $1`, [pattern]);
          expect(tables).toEqual([]);
          for (const bookkeeping of ['sluice_commits', 'sluice_staged']) {
            const { rows: left } = await pool.query(`SELECT count(*)::int AS n FROM ${bookkeeping} WHERE job LIKE $1`, [pattern]);
            expect({ bookkeeping, left: left[0]?.['n'] }).toEqual({ bookkeeping, left: 0 });
          }
        } finally {
          await pool.end();
        }
        expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith(`sluice-bench-postgres-${LABEL}_${mode}-`))).toEqual([]);
      } finally {
        if (previous === undefined) delete process.env[PG_URL_ENV];
        else process.env[PG_URL_ENV] = previous;
      }
    },
    120_000,
  );
});
