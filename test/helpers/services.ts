/**
 * Tests that need a service (NATS, PostgreSQL) run when it answers and are skipped with a printed
 * reason when it does not, so `npm test` passes on a bare machine. CI sets
 * `SLUICE_REQUIRE_SERVICES=1`, which turns such a skip into a failure.
 */
import { connect } from 'node:net';

/** What a test file finds out about a service before it declares its tests. */
export interface ServiceCheck {
  /** The address to use, when the service answered. */
  readonly url: string | undefined;
  /** Why its tests are skipped, when it did not. */
  readonly skipped: string | undefined;
}

/** Whether a TCP connection to `host:port` opens within `timeoutMs`. */
function answers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Checks the service at `url` (from `envVar` when set). When it does not answer: throws under
 * `SLUICE_REQUIRE_SERVICES=1`, else prints why the tests are skipped.
 */
export async function checkService(name: string, envVar: string, fallback: string, defaultPort: number): Promise<ServiceCheck> {
  const url = process.env[envVar] ?? fallback;
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  if (await answers(host, port === '' ? defaultPort : Number(port), 2_000)) return { url, skipped: undefined };
  const reason = `${name} does not answer at ${host}:${port === '' ? defaultPort : port} (set ${envVar} to another address)`;
  if (process.env['SLUICE_REQUIRE_SERVICES'] === '1') throw new Error(`SLUICE_REQUIRE_SERVICES=1 but ${reason}`);
  console.warn(`skipping the ${name} tests: ${reason}`);
  return { url: undefined, skipped: reason };
}

/** The NATS server the tests use: `SLUICE_NATS_URL`, by default nats://127.0.0.1:4222. */
export function checkNats(): Promise<ServiceCheck> {
  return checkService('NATS', 'SLUICE_NATS_URL', 'nats://127.0.0.1:4222', 4222);
}

/** The PostgreSQL server the tests use: `SLUICE_PG_URL`, by default postgresql://root@127.0.0.1:5432/test. */
export function checkPostgres(): Promise<ServiceCheck> {
  return checkService('PostgreSQL', 'SLUICE_PG_URL', 'postgresql://root@127.0.0.1:5432/test', 5432);
}
