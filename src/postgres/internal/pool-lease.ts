/**
 * A pool held for as long as a connector runs: borrowed (released by doing nothing) or its own
 * (released by ending it), so every path that stops a connector ends with one `release`.
 */
import { connectPostgres } from '../connect-postgres.js';
import type { PostgresConnectionChoice, PostgresPool } from '../postgres-pool.js';
import { describePostgres } from '../postgres-where.js';

/** A pool, where it goes, and how to let go of it. */
export interface PoolLease {
  readonly pool: PostgresPool;
  /** The server as `user@host:port/database`, or `the given pool` when it was borrowed. */
  readonly where: string;
  /** Ends the pool if the lease opened it; idempotent. */
  release(): Promise<void>;
}

/**
 * Where `choice` connects, as a lease will name it, known before anything is opened: the server as
 * `user@host:port/database`, or `the given pool` for a borrowed pool.
 */
export function whereOf(choice: PostgresConnectionChoice): string {
  if (choice.pool !== undefined) return 'the given pool';
  const { pool: _none, ...options } = choice;
  return describePostgres(options);
}

/**
 * The pool `choice` names, opened (and checked) now when it gives options to connect with.
 * @throws (rejects) as {@link connectPostgres}.
 */
export async function leasePool(choice: PostgresConnectionChoice): Promise<PoolLease> {
  if (choice.pool !== undefined) return { pool: choice.pool, where: whereOf(choice), release: () => Promise.resolve() };
  const { pool: _none, ...options } = choice;
  const { pool, where } = await connectPostgres(options);
  let ending: Promise<void> | undefined;
  return { pool, where, release: () => (ending ??= pool.end().catch(() => undefined)) };
}
