/**
 * How a PostgreSQL connector gets its connections: a pool the application already has (`pool`,
 * borrowed and left open), or the options to open one of its own with (closed when the connector
 * is done). The connectors use only the few methods of `pg.Pool` named here, so any pool of
 * node-postgres fits, and Sluice's types do not depend on `@types/pg`.
 */
import { InvalidOptionError } from '../errors.js';
import { isObject } from '../internal/validate.js';
import { redactUrl } from '../internal/redact-url.js';
import { parseUrl } from './postgres-where.js';

/** What a query answers, as far as the connectors read it. */
export interface PostgresQueryResult {
  readonly rows: readonly Record<string, unknown>[];
  readonly rowCount: number | null;
}

/**
 * A statement with its parameters; with a `name`, the server keeps its plan on the connection and
 * the next use of the same name skips parsing and planning.
 */
export interface PostgresQueryConfig {
  readonly name?: string | undefined;
  readonly text: string;
  readonly values?: unknown[] | undefined;
}

/** One connection taken from a pool: `pg.PoolClient`. */
export interface PostgresClient {
  query(textOrConfig: string | PostgresQueryConfig, values?: unknown[]): Promise<PostgresQueryResult>;
  /** Gives the connection back; with an error (or `true`), the pool closes it instead. */
  release(destroy?: boolean | Error): void;
  /**
   * A connection lost while taken from the pool is reported as an `error` event (the query under
   * way, if any, fails too); without a listener, that event would end the process.
   */
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A statement whose rows are to come as arrays of values, in the order of the columns
 * (`rowMode: 'array'`): for a reader that adds columns of its own after the caller's and must keep
 * them apart whatever the caller's columns are named.
 */
export interface PostgresArrayQuery {
  readonly text: string;
  readonly values?: unknown[] | undefined;
  readonly rowMode: 'array';
}

/** What a {@link PostgresArrayQuery} answers: each row's values, in the order of `fields`. */
export interface PostgresArrayResult {
  readonly rows: readonly (readonly unknown[])[];
  readonly fields: readonly { readonly name: string }[];
}

/** A pool of connections: `pg.Pool`. */
export interface PostgresPool {
  connect(): Promise<PostgresClient>;
  query(query: PostgresArrayQuery): Promise<PostgresArrayResult>;
  query(textOrConfig: string | PostgresQueryConfig, values?: unknown[]): Promise<PostgresQueryResult>;
  end(): Promise<void>;
}

/** TLS settings of a connection, as node-postgres takes them (`ssl`). */
export interface PostgresTlsOptions {
  /** The CA certificate(s) that signed the server's certificate, PEM. */
  readonly ca?: string | Buffer | undefined;
  /** A client certificate, PEM, for servers that authenticate clients by certificate. */
  readonly cert?: string | Buffer | undefined;
  /** The client certificate's private key, PEM. */
  readonly key?: string | Buffer | undefined;
  /** Whether the server's certificate must verify. @defaultValue true */
  readonly rejectUnauthorized?: boolean | undefined;
}

/**
 * Options of a pool a connector opens for itself. Unset fields fall back as node-postgres does:
 * the `PG*` environment variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, …), then its defaults.
 */
export interface PostgresConnectOptions {
  /** `postgresql://user[:password]@host[:port]/database[?sslmode=…]`. */
  readonly connectionString?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  /** Never printed: errors and logs name the server as `user@host:port/database`. */
  readonly password?: string | undefined;
  readonly database?: string | undefined;
  readonly ssl?: boolean | PostgresTlsOptions | undefined;
  /** Connections the pool opens at most. @defaultValue 4 */
  readonly max?: number | undefined;
  /** How long opening one connection may take, in milliseconds. @defaultValue 10000 */
  readonly connectionTimeoutMillis?: number | undefined;
  /** Shown in `pg_stat_activity`. @defaultValue 'sluice' */
  readonly applicationName?: string | undefined;
}

/**
 * The connection part of a connector's options: `{ pool }`, a `pg.Pool` the connector uses and
 * leaves open (give it an `error` listener, as node-postgres asks of every pool); or
 * {@link PostgresConnectOptions} (`connectionString`, `host`, `ssl`, …), with which the connector
 * opens a pool of its own when it starts and closes it when it stops.
 *
 * @example
 * ```ts
 * const shared = { pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) };
 * const own = { connectionString: 'postgresql://sluice@db.internal:5432/app', ssl: { ca: readFileSync('ca.pem') } };
 * ```
 */
export type PostgresConnectionChoice = { readonly pool: PostgresPool } | (PostgresConnectOptions & { readonly pool?: undefined });

const CONNECT_KEYS: readonly (keyof PostgresConnectOptions)[] = [
  'connectionString',
  'host',
  'port',
  'user',
  'password',
  'database',
  'ssl',
  'max',
  'connectionTimeoutMillis',
  'applicationName',
];

/**
 * Checks the connection part of `options` at construction.
 * @throws InvalidOptionError naming `options` when it is not an object, `pool` when it is not a
 *   pool or comes with options to open one, or the connection option that has the wrong type.
 */
export function checkPostgresConnection(options: unknown): void {
  isObject('options', options);
  const record = options as Record<string, unknown>;
  const { pool } = record;
  if (pool !== undefined) {
    const candidate = pool as Partial<Record<'connect' | 'query' | 'end', unknown>> | null;
    if (typeof candidate !== 'object' || candidate === null || [candidate.connect, candidate.query, candidate.end].some((f) => typeof f !== 'function')) {
      throw new InvalidOptionError('pool', 'a pg.Pool', pool);
    }
    const alongside = CONNECT_KEYS.find((key) => record[key] !== undefined);
    if (alongside !== undefined) throw new InvalidOptionError('pool', `given alone: either a pool or \`${alongside}\` to open one with, not both`, pool);
    return;
  }
  const { connectionString } = record;
  if (typeof connectionString === 'string' && (!/^postgres(?:ql)?:\/\//i.test(connectionString) || parseUrl(connectionString) === undefined)) {
    throw new InvalidOptionError('connectionString', 'a URL postgresql://user@host:port/database', redactUrl(connectionString));
  }
  for (const key of ['connectionString', 'host', 'user', 'database', 'applicationName'] as const) {
    const value = record[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new InvalidOptionError(key, 'a non-empty string', value);
  }
  if (record['password'] !== undefined && typeof record['password'] !== 'string') throw new InvalidOptionError('password', 'a string', '(hidden)');
  for (const key of ['port', 'max', 'connectionTimeoutMillis'] as const) {
    const value = record[key];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) throw new InvalidOptionError(key, 'a positive integer', value);
  }
  const { ssl } = record;
  if (ssl !== undefined && typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null))
    throw new InvalidOptionError('ssl', 'a boolean or TLS options', ssl);
}

/**
 * The connection part of a connector's `options` alone (`pool`, or the options to open one with),
 * so the connector's own options (a table name, a job) never reach node-postgres.
 * @example
 * ```ts
 * connectionOf({ connectionString: url, table: 'snapshots' }); // { connectionString: url }
 * ```
 */
export function connectionOf(options: PostgresConnectionChoice): PostgresConnectionChoice {
  if (options.pool !== undefined) return { pool: options.pool };
  const picked: Record<string, unknown> = {};
  for (const key of CONNECT_KEYS) if (options[key] !== undefined) picked[key] = options[key];
  return picked as PostgresConnectOptions;
}
