/**
 * Creating Sluice's own tables when they are missing. `CREATE TABLE IF NOT EXISTS` run by two
 * sessions at once can still fail in one of them (both pass the check, one loses the race on the
 * catalog); the loser finds the table there and carries on.
 */
import type { PostgresPool } from '../postgres-pool.js';
import { sqlStateOf } from '../sql-errors.js';
import { quoteIdentifier } from '../sql-names.js';

/** 42P07: the relation exists; 23505 on the catalog: another session created it a moment ago. */
const CREATED_CONCURRENTLY = new Set(['42P07', '23505', '42710']);

/**
 * Runs each `CREATE … IF NOT EXISTS` statement of `statements`, in order.
 * @throws (rejects) what the server answered, unless another session created the same thing at the same time.
 */
export async function ensureTables(pool: PostgresPool, statements: readonly string[]): Promise<void> {
  for (const statement of statements) {
    try {
      await pool.query(statement);
    } catch (error) {
      const state = sqlStateOf(error);
      if (state === undefined || !CREATED_CONCURRENTLY.has(state)) throw error;
    }
  }
}

/**
 * Has the server keep `column` of `table` (a quoted name) out of line and uncompressed (`SET
 * STORAGE EXTERNAL`) when it is still at the default for its type (`EXTENDED`: compressed). Sluice
 * writes msgpack there, already dense: compressing it would cost CPU on every write for little room.
 * A column set otherwise by hand (`MAIN`, `PLAIN`) is left as it is.
 */
export async function storeUncompressed(pool: PostgresPool, table: string, column: string): Promise<void> {
  const { rows } = await pool.query('SELECT attstorage FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2', [table, column]);
  if (rows[0]?.['attstorage'] === 'x') await pool.query(`ALTER TABLE ${table} ALTER COLUMN ${quoteIdentifier(column)} SET STORAGE EXTERNAL`);
}
