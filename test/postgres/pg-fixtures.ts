/**
 * What the PostgreSQL tests share: a pool of their own to look at (and damage) what the stores
 * wrote, names no other test uses, and the tables each test file made, dropped at the end.
 */
import { nanoid } from 'nanoid';
import pg from 'pg';
import { quoteIdentifier } from '../../src/postgres/sql-names.js';

/** A name of `prefix` and a random tail, lower case, unique to this call. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${nanoid(10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')}`;
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
  async connections(applicationName: string): Promise<number> {
    const [row] = await this.query('SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return row?.['n'] as number;
  }

  /**
   * Connections still open under `applicationName` once they are closing: asked again, query after
   * query, while any is left (up to `attempts` times), since the server's process of a closed
   * connection ends a moment after the client has hung up.
   */
  async connectionsLeft(applicationName: string, attempts = 2_000): Promise<number> {
    let left = await this.connections(applicationName);
    for (let attempt = 1; left > 0 && attempt < attempts; attempt++) left = await this.connections(applicationName);
    return left;
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
