/**
 * What the PostgreSQL tests share: pools of their own to set up, look at (and damage) what the
 * connectors wrote, names no other test uses, the server sessions a connector left open, and the
 * tables each test file made, dropped at the end so tests never see each other's rows.
 */
import { nanoid } from 'nanoid';
import pg from 'pg';
import { expect } from 'vitest';
import { quoteIdentifier } from '../../src/postgres/sql-names.js';

/** A name of `prefix` and a random tail, lower case, unique to this call. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${nanoid(10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')}`;
}

/** How many server sessions have `applicationName`. */
async function sessionCount(pool: pg.Pool, applicationName: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return rows[0]?.n ?? 0;
}

/**
 * Sessions still open under `applicationName` once they are closing: asked again, query after
 * query, while any is left (up to `attempts` times), since the server's process of a closed
 * connection ends a moment after the client has hung up.
 */
async function sessionsLeft(pool: pg.Pool, applicationName: string, attempts = 2_000): Promise<number> {
  let left = await sessionCount(pool, applicationName);
  for (let attempt = 1; left > 0 && attempt < attempts; attempt++) left = await sessionCount(pool, applicationName);
  return left;
}

/** A pool for the tests themselves: every table it was told of is dropped by `end()`. */
export class TestDatabase {
  readonly pool: pg.Pool;
  readonly #tables = new Set<string>();

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, application_name: 'sluice-tests' });
    this.pool.on('error', () => undefined);
  }

  /** A fresh table name, dropped by `end()`. */
  table(prefix: string): string {
    return this.track(uniqueName(prefix));
  }

  /** Has `end()` drop the table `name` (taken whole, as the stores take it). */
  track(name: string): string {
    this.#tables.add(name);
    return name;
  }

  async query(text: string, values?: unknown[]): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(text, values)).rows as Record<string, unknown>[];
  }

  /** Connections open now under `applicationName`. */
  connections(applicationName: string): Promise<number> {
    return sessionCount(this.pool, applicationName);
  }

  /** Connections still open under `applicationName` once they are closing (see `sessionsLeft`). */
  connectionsLeft(applicationName: string, attempts = 2_000): Promise<number> {
    return sessionsLeft(this.pool, applicationName, attempts);
  }

  /** Drops every table it was told of, then ends its pool. */
  async end(): Promise<void> {
    try {
      for (const table of this.#tables) await this.pool.query(`DROP TABLE IF EXISTS ${quoteIdentifier(table)}`);
    } finally {
      await this.pool.end();
    }
  }
}

/** SQL for the bytea `column` with the byte at `offset` (from 0) changed, whatever it was. */
export function flippedByte(column: string, offset: number): string {
  return `set_byte(${column}, ${offset}, 255 - get_byte(${column}, ${offset}))`;
}

/** What `action` threw, or undefined when it returned. */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

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
  return {
    pool,
    uniqueName: (label) => uniqueName(`t_${label}`),
    async table(label, columns, name = uniqueName(`t_${label}`)) {
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
    sessions: (applicationName) => sessionCount(pool, applicationName),
    async untilNoSessions(applicationName) {
      expect(await sessionsLeft(pool, applicationName, 500)).toBe(0);
    },
    async close() {
      for (const table of made.splice(0)) await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await pool.end();
    },
  };
}

/** A unique application name, so a test can find its source's sessions in `pg_stat_activity`. */
export function uniqueApplicationName(label: string): string {
  return uniqueName(`sluice-test-${label}`);
}
