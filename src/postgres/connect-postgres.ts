/**
 * Opening a pool of PostgreSQL connections with Sluice's defaults, and proving at once that the
 * server answers and accepts us: a wrong address or password fails here, with an error that names
 * the server (never the password), not at the first write minutes later.
 */
import { PostgresUnreachableError } from '../errors.js';
import { describePostgres } from './postgres-where.js';
import { pgClient } from './postgres-peer.js';
import type { PostgresConnectOptions, PostgresPool } from './postgres-pool.js';
import { isAuthenticationFailure, sqlStateOf } from './sql-errors.js';

/** A pool a connector opened, and where it goes, for messages. */
export interface OpenedPool {
  readonly pool: PostgresPool;
  /** The server as `user@host:port/database`. */
  readonly where: string;
}

/**
 * Opens a pool with `options` (4 connections at most, a 10 s connection time-out, application name
 * `sluice`, unless they say otherwise; idle connections never keep the process alive), checks it with one query, and returns it. An idle
 * connection the server drops (a restart) is discarded by the pool, which opens a new one when
 * next asked; the process is not brought down by it.
 * @throws (rejects) PostgresUnreachableError naming the server when it does not answer or refuses
 *   the connection; MissingPeerDependencyError when `pg` is not installed.
 * @example
 * ```ts
 * const { pool } = await connectPostgres({ connectionString: 'postgresql://root@127.0.0.1:5432/test' });
 * ```
 */
export async function connectPostgres(options: PostgresConnectOptions): Promise<OpenedPool> {
  const pg = await pgClient();
  const where = describePostgres(options);
  const { applicationName, ...rest } = options;
  const pool = new pg.Pool({
    max: 4,
    connectionTimeoutMillis: 10_000,
    // Idle connections do not keep the process alive: a host that forgets to close is not held open.
    allowExitOnIdle: true,
    ...withoutUndefined(rest),
    application_name: applicationName ?? 'sluice',
  });
  // Without a listener, an idle connection's error (the server restarting) would be thrown as an
  // 'error' event and end the process; the pool has already discarded that connection.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw unreachable(where, error);
  }
  return { pool: pool satisfies PostgresPool, where };
}

/** `error` (from connecting to the server at `where`) as a {@link PostgresUnreachableError}, without secrets. */
export function unreachable(where: string, error: unknown): PostgresUnreachableError {
  const state = sqlStateOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused (is the server running, and listening there?)'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'the host name does not resolve'
        : isAuthenticationFailure(error)
          ? `the server refused the login: ${message}`
          : message || String(code ?? 'unknown error');
  return new PostgresUnreachableError(where, reason, state, error);
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
