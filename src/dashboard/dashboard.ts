/**
 * `dashboard(handles, options)`: a request handler for `node:http` that serves a live, read-only
 * page of running pipelines — the page's own files, a Server-Sent Events feed of samples, and the
 * latest sample as JSON — under one path, leaving every other request to the host. A plain
 * `(req, res, next?)` function, so it mounts in a bare `createServer`, or in Express, Fastify or
 * Koa through their raw request and response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BearerToken } from './bearer-token.js';
import { checkDashboardOptions, handleSource, type DashboardHandles, type DashboardOptions } from './dashboard-options.js';
import { EventStreamFeeds } from './event-stream.js';
import { answer, plain } from './http-answers.js';
import { DEFAULT_ASSETS, PAGE_ASSETS, PageAssets } from './page-assets.js';
import { DashboardSampler } from './sampler.js';

/** What `dashboard()` returns: the handler, and how to stop it. */
export interface DashboardHandler {
  /**
   * Answers `request` when its path is the dashboard's and returns true; otherwise answers nothing,
   * calls `next` when given, and returns false, so the host can route it elsewhere.
   */
  (request: IncomingMessage, response: ServerResponse, next?: () => void): boolean;
  /**
   * Ends every open feed and stops sampling (the timer and the listening to the jobs' events), so
   * nothing of the dashboard keeps a server or the process alive. The page and the last sample are
   * still served; a feed asked for afterwards gets 503. Idempotent.
   */
  close(): void;
}

/**
 * A handler that serves a live dashboard of `handles` under `options.path`: the page at
 * `path/` (`path` itself redirects there, so the page's relative links resolve), its files at
 * `path/page.css` and `path/page.js`, the feed at `path/feed`, the latest sample at
 * `path/snapshot.json`. Read-only: nothing it serves changes a job.
 *
 * @param handles one run's handle, several, or a function asked at every sample for the current
 *   ones (a job the function stops returning drops off the page; a fixed one stays, finished or
 *   failed, as it ended).
 * @throws InvalidOptionError naming `handles` or the option that is wrong.
 * @example
 * ```ts
 * const board = dashboard(handle, { token: process.env.DASHBOARD_TOKEN });
 * createServer((req, res) => board(req, res, () => api(req, res))).listen(8080, '127.0.0.1');
 * ```
 */
export function dashboard(handles: DashboardHandles, options?: DashboardOptions): DashboardHandler {
  return createDashboard(handles, options, DEFAULT_ASSETS);
}

/**
 * {@link dashboard} with its page read from `assets` (a `file:` URL of a folder, ending in `/`):
 * for tests, which cannot count on the page's contents.
 */
export function createDashboard(handles: DashboardHandles, options: DashboardOptions | undefined, assets: URL): DashboardHandler {
  const listHandles = handleSource(handles);
  const checked = checkDashboardOptions(options);
  const { prefix } = checked;
  const token = checked.token === undefined ? undefined : new BearerToken(checked.token);
  const files = new PageAssets(assets);
  const feeds = new EventStreamFeeds();
  const sampler = new DashboardSampler({ handles: listHandles, intervalMs: checked.intervalMs, title: checked.title });
  sampler.subscribe((sample) => feeds.send(sample));

  function serveFile(response: ServerResponse, head: boolean, name: string): void {
    files.bytes(name).then(
      (bytes) => answer(response, head, 200, PAGE_ASSETS.get(name) as string, bytes),
      () => plain(response, head, 500, `the dashboard's ${name} is missing from this installation of sluice`),
    );
  }

  const handler = (request: IncomingMessage, response: ServerResponse, next?: () => void): boolean => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const search = queryAt < 0 ? '' : url.slice(queryAt);
    if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) {
      next?.();
      return false;
    }
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      plain(response, head, 405, 'the dashboard is read-only: GET or HEAD', { allow: 'GET, HEAD' });
      return true;
    }
    const route = pathname.slice(prefix.length);
    if (route === '') {
      // The page's links are relative: they resolve under `path/` only.
      plain(response, head, 308, 'the dashboard is at its path with a trailing slash', { location: `${prefix}/${search}` });
      return true;
    }
    const file = route.slice(1);
    // The page's own files are public: the same bytes as in the package, no data of any job (and
    // the browser fetches them without the token the page was opened with).
    if (file !== 'page.html' && PAGE_ASSETS.has(file)) {
      serveFile(response, head, file);
      return true;
    }
    if (token !== undefined && !token.admits(request, new URLSearchParams(search))) {
      plain(response, head, 401, 'this dashboard needs its token: Authorization: Bearer <token>, or ?token=<token>', {
        'www-authenticate': 'Bearer realm="sluice dashboard"',
      });
      return true;
    }
    if (route === '/') serveFile(response, head, 'page.html');
    else if (route === '/snapshot.json') answer(response, head, 200, 'application/json; charset=utf-8', JSON.stringify(sampler.latest));
    else if (route === '/feed') {
      if (sampler.closed) plain(response, head, 503, 'the dashboard is closed');
      else if (head) answer(response, true, 200, 'text/event-stream; charset=utf-8', '');
      else feeds.open(response, sampler.history);
    } else plain(response, head, 404, 'not a page of the dashboard');
    return true;
  };
  return Object.assign(handler, {
    close(): void {
      sampler.close();
      feeds.close();
    },
  });
}
