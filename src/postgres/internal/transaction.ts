/**
 * One transaction on one connection of a pool: BEGIN, the work, COMMIT; on any failure a ROLLBACK
 * and the connection handed back to be closed rather than reused (it may be broken, or hold an
 * aborted transaction), and the failure rethrown.
 */
import type { PostgresClient, PostgresPool } from '../postgres-pool.js';

/**
 * Runs `work` in a transaction on a connection of `pool`.
 * @throws (rejects) what connecting, `work` or COMMIT threw; the transaction was rolled back.
 */
export async function inTransaction<T>(pool: PostgresPool, work: (client: PostgresClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The connection may die between two statements (a server restart): the next statement fails,
  // which is how the transaction learns of it; the event itself must not end the process.
  const lost = (): void => undefined;
  client.on('error', lost);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.removeListener('error', lost);
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.removeListener('error', lost);
    client.release(error instanceof Error ? error : true);
    throw error;
  }
}
