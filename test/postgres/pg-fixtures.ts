/**
 * Tables for the PostgreSQL tests: each test makes its own, under a unique name, and every table a
 * file made is dropped when the file is done, so tests never see each other's rows and a failed
 * run leaves nothing behind. One admin pool per file does the setting up.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { quoteIdentifier } from '../../src/postgres/sql-names.js';

/** A table made for a test. */
export interface TestTable {
  /** Its name, as an option takes it. */
  readonly name: string;
  /** Its name quoted, for SQL. */
  readonly sql: string;
}

/** The admin side of a test file: a pool, and the tables it made. */
export interface PgFixtures {
  readonly pool: pg.Pool;
  /** A unique name starting with `label` (lower case, so it needs no quoting to be typed by hand). */
  uniqueName(label: string): string;
  /** Creates a table (named `name`, or uniquely after `label`) with `columns` (SQL column definitions), to be dropped at `close()`. */
  table(label: string, columns: string, name?: string): Promise<TestTable>;
  /** Inserts `rows` into `table`, one statement, values as parameters. */
  insert(table: TestTable, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /** How many server sessions have `applicationName`. */
  sessions(applicationName: string): Promise<number>;
  /** Waits, a query at a time, until the server has no session named `applicationName` (a pool that was ended). */
  untilNoSessions(applicationName: string): Promise<void>;
  /** Drops every table made, and ends the pool. */
  close(): Promise<void>;
}

export function pgFixtures(url: string): PgFixtures {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  const made: string[] = [];
  const uniqueName = (label: string): string => `t_${label}_${randomBytes(5).toString('hex')}`;
  return {
    pool,
    uniqueName,
    async table(label, columns, name = uniqueName(label)) {
      const sql = quoteIdentifier(name);
      await pool.query(`CREATE TABLE ${sql} (${columns})`);
      made.push(sql);
      return { name, sql };
    },
    async insert(table, columns, rows) {
      if (rows.length === 0) return;
      const values: unknown[] = [];
      const tuples = rows.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(', ')})`);
      await pool.query(`INSERT INTO ${table.sql} (${columns.map(quoteIdentifier).join(', ')}) VALUES ${tuples.join(', ')}`, values);
    },
    async sessions(applicationName) {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
      return rows[0]?.n ?? 0;
    },
    async untilNoSessions(applicationName) {
      for (let tries = 0; tries < 500 && (await this.sessions(applicationName)) > 0; tries++) await new Promise((resolve) => setImmediate(resolve));
      expect(await this.sessions(applicationName)).toBe(0);
    },
    async close() {
      for (const table of made.splice(0)) await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await pool.end();
    },
  };
}

/** A unique application name, so a test can find its source's sessions in `pg_stat_activity`. */
export function uniqueApplicationName(label: string): string {
  return `sluice-test-${label}-${randomBytes(4).toString('hex')}`;
}
