/**
 * A PostgreSQL server as errors and logs name it: `user@host:port/database`, from a connection
 * string or separate options, with the `PG*` environment variables filling the gaps as node-postgres
 * fills them, and never a password.
 */
import { userInfo } from 'node:os';
import type { PostgresConnectOptions } from './postgres-pool.js';

/**
 * Where `options` connect, as `user@host:port/database`.
 * @example
 * ```ts
 * describePostgres({ connectionString: 'postgresql://app:secret@db:6432/orders' }); // 'app@db:6432/orders'
 * ```
 */
export function describePostgres(options: PostgresConnectOptions): string {
  const fromUrl = parseConnectionString(options.connectionString);
  const env = process.env;
  const user = options.user ?? fromUrl.user ?? env['PGUSER'] ?? currentUser();
  const host = options.host ?? fromUrl.host ?? env['PGHOST'] ?? 'localhost';
  const port = options.port ?? fromUrl.port ?? (env['PGPORT'] === undefined ? 5432 : Number(env['PGPORT']));
  const database = options.database ?? fromUrl.database ?? env['PGDATABASE'] ?? user;
  const hostPart = host.startsWith('/') ? `${host} (socket)` : host.includes(':') ? `[${host}]` : host;
  return `${user}@${hostPart}:${port}/${database}`;
}

interface UrlParts {
  readonly user?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly database?: string | undefined;
}

function parseConnectionString(connectionString: string | undefined): UrlParts {
  if (connectionString === undefined) return {};
  const url = parseUrl(connectionString);
  if (url === undefined) return {};
  const decode = (part: string): string | undefined => (part === '' ? undefined : decodeURIComponent(part));
  const socket = url.searchParams.get('host');
  return {
    user: decode(url.username) ?? url.searchParams.get('user') ?? undefined,
    host: socket ?? (/^[a-z]+:\/\/(?:[^@/]*@)?[/?]/i.test(connectionString) ? undefined : decode(url.hostname.replace(/^\[|\]$/g, ''))),
    port: url.port === '' ? undefined : Number(url.port),
    database: decode(url.pathname.slice(1)),
  };
}

/**
 * `connectionString` as a URL, or undefined when it is not one. A URL without a host
 * (`postgresql://app@/orders?host=/run/postgresql`, a Unix socket) is read with a stand-in host.
 */
export function parseUrl(connectionString: string): URL | undefined {
  try {
    return new URL(connectionString.replace(/^([a-z]+:\/\/(?:[^@/]*@)?)(?=[/?]|$)/i, '$1localhost'));
  } catch {
    return undefined;
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
