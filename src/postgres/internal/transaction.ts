/**
 * One transaction on one connection of a pool: `BEGIN`, the work, `COMMIT`; on any failure a
 * `ROLLBACK`, so a failed transaction leaves nothing behind. The connection goes back to the pool
 * only when it is known to be clean: one whose rollback failed (the server went away mid-way) is
 * closed instead, and the pool opens a new one when next asked.
 */
import type { PostgresClient, PostgresPool } from '../postgres-pool.js';

/**
 * Runs `work` in a transaction opened with `begin` (e.g. `BEGIN ISOLATION LEVEL REPEATABLE READ
 * READ ONLY`) and commits it.
 * @throws (rejects) what connecting, `work`, `BEGIN` or `COMMIT` threw, after rolling back.
 * @example
 * ```ts
 * await inTransaction(pool, async (client) => {
 *   await client.query('DELETE FROM "t" WHERE "id" = $1', [id]);
 *   await client.query('INSERT INTO "t" ("id") VALUES ($1)', [id]);
 * });
 * ```
 */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  // The connection may die between two statements (a server restart): the next statement fails,
  // which is how the transaction learns of it; the event itself must not end the process.
  const lost = (): void => undefined;
  client.on('error', lost);
  let result: T;
  try {
    await client.query(begin);
    result = await work(client);
    await client.query('COMMIT');
  } catch (error) {
    try {
      await client.query('ROLLBACK');
      client.removeListener('error', lost);
      client.release();
    } catch (rollbackFailure) {
      client.removeListener('error', lost);
      client.release(rollbackFailure instanceof Error ? rollbackFailure : new Error(String(rollbackFailure)));
    }
    throw error;
  }
  client.removeListener('error', lost);
  client.release();
  return result;
}
