/**
 * A stand-in for the dashboard handler: it serves the page's assets from src/dashboard/assets/ on
 * the handler's routes, under the handler's CSP, and pushes the scripted samples as the handler's
 * Server-Sent Events feed. The browser tests drive only the `DashboardUnderTest` interface, so the
 * real handler watching a real job can replace this file without touching them.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { DashboardSample } from '../../src/dashboard/dashboard-view.js';
import { scriptedSample } from './scripted-samples.js';

/** What the browser tests need of a dashboard: where the page is, and ways to end or cut its feed. */
export interface DashboardUnderTest {
  /** The page's address, with its token. */
  readonly pageUrl: string;
  /** Every feed request's path and query, as the server saw them. */
  readonly feedRequests: readonly string[];
  /** Ends the job (it finishes, or fails): a last sample says so, then the server closes every open feed. */
  finish(outcome?: 'finished' | 'failed'): Promise<void>;
  /** Takes the server down: the port closed and every connection cut. */
  goDown(): Promise<void>;
  /** Brings the server back on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

export interface ScriptedOptions {
  /** Time between samples; the page must cope with the handler's 1 s and faster. */
  readonly intervalMs?: number;
  /** Samples already in the history when the page connects, so its charts start full. */
  readonly historyLength?: number;
  readonly token?: string;
}

const assets = new URL('../../src/dashboard/assets/', import.meta.url);
const mount = '/dashboard';
const csp = "default-src 'self'";
const types: Record<string, string> = {
  'page.html': 'text/html; charset=utf-8',
  'page.css': 'text/css; charset=utf-8',
  'page.js': 'text/javascript; charset=utf-8',
  'icon.svg': 'image/svg+xml',
};

/** Starts the scripted dashboard on a free loopback port; its job ticks every `intervalMs`. */
export async function startScriptedDashboard(options: ScriptedOptions = {}): Promise<DashboardUnderTest> {
  const intervalMs = options.intervalMs ?? 250;
  const token = options.token ?? 'let-me-watch';
  const history: DashboardSample[] = [];
  const feeds = new Set<ServerResponse>();
  const feedRequests: string[] = [];
  let tick = 0;
  let status: 'running' | 'finished' | 'failed' = 'running';

  const step = (): void => {
    tick += 1;
    const sample = scriptedSample(tick, Date.now(), status);
    history.push(sample);
    if (history.length > 120) history.shift();
    for (const feed of feeds) feed.write(`event: sample\ndata: ${JSON.stringify(sample)}\n\n`);
  };
  const start = Date.now() - (options.historyLength ?? 0) * 1_000;
  for (let k = 0; k < (options.historyLength ?? 0); k++) {
    tick += 1;
    history.push(scriptedSample(tick, start + k * 1_000, 'running'));
  }
  step();
  let timer: NodeJS.Timeout | undefined = setInterval(step, intervalMs);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname === mount || url.pathname === `${mount}/` ? 'page.html' : url.pathname.slice(mount.length + 1);
    if (url.pathname === `${mount}/feed`) {
      feedRequests.push(`${url.pathname}${url.search}`);
      if (url.searchParams.get('token') !== token) {
        res.writeHead(401, { 'content-security-policy': csp }).end('token required');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'content-security-policy': csp });
      // A short retry keeps the reconnect tests quick; the handler may choose its own.
      res.write(`retry: 300\n\nevent: history\ndata: ${JSON.stringify(history)}\n\n`);
      feeds.add(res);
      res.on('close', () => feeds.delete(res));
      return;
    }
    const type = types[name];
    if (!url.pathname.startsWith(mount) || type === undefined) {
      res.writeHead(404, { 'content-security-policy': csp }).end('not found');
      return;
    }
    const body = await readFile(new URL(name, assets));
    res.writeHead(200, { 'content-type': type, 'content-security-policy': csp, 'cache-control': 'no-store' }).end(body);
  };

  let server = await listen(handle, 0);
  const port = (server.address() as { port: number }).port;
  return {
    pageUrl: `http://127.0.0.1:${port}${mount}/?token=${encodeURIComponent(token)}`,
    feedRequests,
    async finish(outcome = 'finished') {
      status = outcome;
      clearInterval(timer);
      timer = undefined;
      step();
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      for (const feed of feeds) feed.end();
    },
    async goDown() {
      await shut(server);
    },
    async comeBack() {
      server = await listen(handle, port);
    },
    async close() {
      clearInterval(timer);
      await shut(server);
    },
  };
}

function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Closes the port and cuts every connection, the open feeds included. */
function shut(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
