/**
 * A fresh orders table for every pass of a postgres runner, made in its untimed `prepare` and read
 * back in its untimed `verify`; the last pass's table is dropped, with its job's rows in Sluice's
 * commit and staging tables, before the next is made, and the last one by `dispose`. So no pass
 * meets another's rows, no pass pays for the clean-up, and a run leaves nothing on the server.
 */
import type { PostgresPool } from '../../src/postgres/postgres-pool.js';
import { sqlStateOf } from '../../src/postgres/sql-errors.js';
import { createOrdersTable, ordersChecksum, prefillHalf } from './orders.js';
import { connectBenchPostgres, freshTableName } from './pg-service.js';

/** Sluice's default commit and staging tables, where a checkpointed `toPostgres` keeps its bookkeeping. */
const SLUICE_TABLES = ['sluice_commits', 'sluice_staged'] as const;

/** How a pass's table starts. */
export interface PassTablesOptions {
  /** Prefix of the tables' names (after `bench_`). */
  readonly label: string;
  /** Fill the table with an earlier version of every other one of this many orders (see `prefillHalf`); empty when undefined. */
  readonly prefill?: number | undefined;
}

export class PassTables {
  readonly #options: PassTablesOptions;
  #pool: Promise<PostgresPool> | undefined;
  #current: string | undefined;

  constructor(options: PassTablesOptions) {
    this.#options = options;
  }

  /**
   * Drops the last pass's table (and its job's bookkeeping), then creates the next one.
   * @returns the new table's name, which is also the name its Sluice job must run under.
   */
  async next(): Promise<string> {
    const pool = await this.#open();
    await this.#dropCurrent(pool);
    const table = freshTableName(this.#options.label);
    await createOrdersTable(pool, table);
    this.#current = table;
    if (this.#options.prefill !== undefined) await prefillHalf(pool, table, this.#options.prefill);
    return table;
  }

  /**
   * The current pass's table.
   * @throws Error before the first {@link next}, or after {@link remove}.
   */
  get current(): string {
    if (this.#current === undefined) throw new Error('No table: call next() first (a runner does in prepare())');
    return this.#current;
  }

  /** The checksum of the current table's rows (see `ordersChecksum`). */
  async checksum(): Promise<number> {
    return ordersChecksum(await this.#open(), this.current);
  }

  /** Drops the current table and its job's bookkeeping, and closes the pool. */
  async remove(): Promise<void> {
    const opened = this.#pool;
    this.#pool = undefined;
    if (opened === undefined) return;
    const pool = await opened;
    try {
      await this.#dropCurrent(pool);
    } finally {
      await pool.end();
    }
  }

  #open(): Promise<PostgresPool> {
    this.#pool ??= connectBenchPostgres();
    return this.#pool;
  }

  async #dropCurrent(pool: PostgresPool): Promise<void> {
    const table = this.#current;
    if (table === undefined) return;
    this.#current = undefined;
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    for (const bookkeeping of SLUICE_TABLES) {
      // A pass without checkpoints never creates them: nothing to delete.
      await pool.query(`DELETE FROM ${bookkeeping} WHERE job = $1`, [table]).catch((error: unknown) => {
        if (sqlStateOf(error) !== '42P01') throw error;
      });
    }
  }
}
