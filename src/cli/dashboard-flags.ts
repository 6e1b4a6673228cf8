/**
 * `--dashboard PORT [--dashboard-host ADDR] [--dashboard-token TOKEN]` of `sluice run`: serves the
 * live dashboard of the run on its own small HTTP server, on this machine alone unless asked
 * otherwise, for as long as the run lasts. The flags are checked before anything runs; a port that
 * cannot be listened on is a bad command line too, reported before the job starts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dashboard } from '../dashboard/dashboard.js';
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import { UsageError } from './usage-error.js';

/** The dashboard flags' names, for a command's spec. */
export const DASHBOARD_FLAGS = ['dashboard', 'dashboard-host', 'dashboard-token'] as const;

/** Where to serve the dashboard, as the flags asked. */
export interface DashboardFlags {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
}

/** Where the dashboard listens unless told otherwise: this machine only. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';

/**
 * The dashboard flags of a command line, or undefined without `--dashboard`.
 * @throws UsageError for a port that is not 0 to 65535, an empty host or token, or a host or token
 *   without `--dashboard`.
 */
export function dashboardFlags(command: string, flags: { readonly [K in (typeof DASHBOARD_FLAGS)[number]]?: string }): DashboardFlags | undefined {
  const { dashboard: port, 'dashboard-host': host, 'dashboard-token': token } = flags;
  if (port === undefined) {
    const stray = host !== undefined ? '--dashboard-host' : token !== undefined ? '--dashboard-token' : undefined;
    if (stray !== undefined) throw new UsageError(command, `${stray} needs --dashboard PORT`);
    return undefined;
  }
  const number = Number(port);
  if (!/^\d+$/.test(port) || number > 65535) throw new UsageError(command, `--dashboard must be a port number from 0 to 65535, got ${JSON.stringify(port)}`);
  if (host !== undefined && !/^[A-Za-z0-9.:%_-]+$/.test(host)) {
    throw new UsageError(command, `--dashboard-host must be a host name or an IP address, got ${JSON.stringify(host)}`);
  }
  if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) {
    throw new UsageError(command, '--dashboard-token must be visible ASCII characters without spaces');
  }
  return { port: number, host: host ?? DEFAULT_DASHBOARD_HOST, token };
}

/** A dashboard being served: its URL, and how to stop serving it. */
export interface ServedDashboard {
  readonly url: string;
  /** Ends the feeds, stops sampling and closes the server and its connections. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard of `handles` (asked at every sample) at `/dashboard` on `flags.host` and
 * `flags.port`, and says where on standard error — with a warning when it is open to other hosts
 * with no token.
 * @throws UsageError when the server cannot listen there (the port taken, the address not ours).
 */
export async function serveDashboard(command: string, flags: DashboardFlags, handles: () => Iterable<PipelineHandle>): Promise<ServedDashboard> {
  const board = dashboard(handles, { token: flags.token });
  const server: Server = createServer((request, response) => {
    if (board(request, response)) return;
    if (request.url === '/' || request.url?.startsWith('/?') === true) {
      response.writeHead(302, { location: `/dashboard/${request.url.slice(1)}` }).end();
    } else {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('the dashboard is at /dashboard/\n');
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(flags.port, flags.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    board.close();
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(command, `--dashboard: cannot listen on ${hostInUrl(flags.host)}:${flags.port} (${code})`);
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${hostInUrl(flags.host)}:${port}/dashboard`;
  process.stderr.write(`${command}: dashboard at ${url}\n`);
  if (flags.token === undefined && !isLoopback(flags.host)) {
    process.stderr.write(
      `${command}: warning: the dashboard on ${flags.host} has no token: anyone who can reach it sees the job and its dead letters (give --dashboard-token)\n`,
    );
  }
  return {
    url,
    async close() {
      board.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Whether `host` is this machine only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
