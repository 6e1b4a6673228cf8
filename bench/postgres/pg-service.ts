/**
 * The PostgreSQL server the postgres cases write to (`SLUICE_PG_URL`, by default
 * postgresql://root@127.0.0.1:5432/test, as the tests use), whether the cases can run against it,
 * and a pool for their own untimed work (creating and dropping tables, reading them back). The
 * server may be shared: a case touches nothing but the tables it created and the rows of its own
 * jobs in Sluice's commit and staging tables.
 */
import { nanoid } from 'nanoid';
import { connectPostgres } from '../../src/postgres/connect-postgres.js';
import type { PostgresPool } from '../../src/postgres/postgres-pool.js';

/** The environment variable naming the server. */
export const PG_URL_ENV = 'SLUICE_PG_URL';

/** How long the server has to answer before the cases are skipped. */
const ANSWER_TIMEOUT_MS = 2_000;

/** The server's URL: `SLUICE_PG_URL`, else postgresql://root@127.0.0.1:5432/test. */
export function pgUrl(): string {
  const url = process.env[PG_URL_ENV];
  return url === undefined || url === '' ? 'postgresql://root@127.0.0.1:5432/test' : url;
}

/**
 * A pool of {@link pgUrl} for a case's own queries, opened with Sluice's `connectPostgres` (which
 * proves the server answers and names it, never its password, when it does not).
 * @throws (rejects) PostgresUnreachableError when it does not answer; MissingPeerDependencyError
 *   when `pg` is not installed.
 */
export async function connectBenchPostgres(): Promise<PostgresPool> {
  const { pool } = await connectPostgres({ connectionString: pgUrl(), connectionTimeoutMillis: ANSWER_TIMEOUT_MS, max: 2, applicationName: 'sluice-bench' });
  return pool;
}

/**
 * Why the postgres cases cannot run here: the server does not answer (or refuses us), or `pg` is
 * not installed; `undefined` when they can.
 * @example
 * ```ts
 * await postgresUnavailable();
 * // 'PostgreSQL does not answer (set SLUICE_PG_URL to another address): Cannot connect to PostgreSQL at root@127.0.0.1:5432/test: connection refused …'
 * ```
 */
export async function postgresUnavailable(): Promise<string | undefined> {
  let pool: PostgresPool;
  try {
    pool = await connectBenchPostgres();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    if ((error as { code?: unknown }).code === 'MISSING_PEER_DEPENDENCY') return `the PostgreSQL client is missing: ${why}`;
    // The error names the server (as user@host:port/database, never with its password).
    return `PostgreSQL does not answer (set ${PG_URL_ENV} to another address): ${why}`;
  }
  await pool.end();
  return undefined;
}

/**
 * A table name no other pass uses: `bench_<label>_` and a random lower-case suffix, a valid
 * identifier that needs no quoting.
 * @example
 * ```ts
 * freshTableName('orders'); // 'bench_orders_k3x0q9ab1z'
 * ```
 */
export function freshTableName(label: string): string {
  return `bench_${label}_${nanoid(10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')}`;
}
