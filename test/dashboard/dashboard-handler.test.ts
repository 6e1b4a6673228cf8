/**
 * The dashboard's handler over a real `node:http` server: its routes and the host's fall-through,
 * 404 and 405, the token (header or query, refused without), the security headers on every answer,
 * the feed's framing (history first, then a sample per interval), `close()` ending the feeds and
 * leaving nothing that keeps the process alive, and a job that ends staying in the feed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDashboard, dashboard, type DashboardHandler } from '../../src/dashboard/dashboard.js';
import type { DashboardSample } from '../../src/dashboard/dashboard-view.js';
import type { DashboardOptions } from '../../src/dashboard/dashboard-options.js';
import { fromArray, pipeline, toArray } from '../../src/index.js';
import type { PipelineHandle } from '../../src/streams/pipeline-handle.js';
import { projectRoot } from '../docs/markdown.js';
import { fakeHandle, metrics } from './fake-handle.js';
import { openFeed, request, serve, type Answer, type Served } from './http-client.js';

const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;

let assetsDir = '';
const files = new Map<string, Buffer>();
beforeAll(async () => {
  assetsDir = await mkdtemp(join(tmpdir(), 'sluice-dashboard-assets-'));
  for (const name of ['page.html', 'page.css', 'page.js']) {
    const bytes = randomBytes(2000);
    files.set(name, bytes);
    await writeFile(join(assetsDir, name), bytes);
  }
});
afterAll(async () => {
  await rm(assetsDir, { recursive: true, force: true });
});

const open: { board: DashboardHandler; served: Served }[] = [];
afterEach(async () => {
  for (const { board, served } of open.splice(0)) {
    board.close();
    served.server.closeAllConnections();
    await served.close();
  }
});

async function start(
  handles: PipelineHandle | (() => PipelineHandle[]),
  options: DashboardOptions = {},
  assets = `${assetsDir}/`,
): Promise<Served & { board: DashboardHandler }> {
  const board = createDashboard(handles, options, pathToFileURL(assets));
  const served = await serve(board);
  open.push({ board, served });
  return { ...served, board };
}

function expectSecurityHeaders(answer: Pick<Answer, 'headers'>): void {
  expect(answer.headers['cache-control']).toBe('no-store');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['referrer-policy']).toBe('no-referrer');
  const policy = answer.headers['content-security-policy'] ?? '';
  expect(policy).toContain("default-src 'none'");
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
}

describe('the dashboard handler', () => {
  it('serves the page, its files and the snapshot under its path, and leaves every other path to the host', async () => {
    const { base } = await start(fakeHandle(metrics('orders', 2)), { title: 'Orders' });
    const page = await request(`${base}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body.equals(files.get('page.html') as Buffer)).toBe(true);
    for (const [name, type] of [
      ['page.css', 'text/css; charset=utf-8'],
      ['page.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const file = await request(`${base}/dashboard/${name}`);
      expect(file.status, name).toBe(200);
      expect(file.headers['content-type']).toBe(type);
      expect(file.body.equals(files.get(name) as Buffer)).toBe(true);
      expectSecurityHeaders(file);
    }
    const head = await request(`${base}/dashboard/`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: Buffer.alloc(0) });
    expect(head.headers['content-length']).toBe('2000');

    const bare = await request(`${base}/dashboard?token=x`);
    expect(bare.status).toBe(308);
    expect(bare.headers.location).toBe('/dashboard/?token=x');

    const snapshot = await request(`${base}/dashboard/snapshot.json`);
    expect(snapshot.status).toBe(200);
    expect(snapshot.headers['content-type']).toBe('application/json; charset=utf-8');
    const sample = JSON.parse(snapshot.body.toString('utf8')) as DashboardSample;
    expect(sample.title).toBe('Orders');
    expect(sample.jobs.map((job) => [job.name, job.status, job.stages.length])).toEqual([['orders', 'running', 3]]);

    for (const answer of [page, head, bare, snapshot]) expectSecurityHeaders(answer);

    expect((await request(`${base}/dashboard/page.html`)).status).toBe(404);
    expect((await request(`${base}/dashboard/nothing`)).status).toBe(404);
    expectSecurityHeaders(await request(`${base}/dashboard/nothing`));
    const post = await request(`${base}/dashboard/feed`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expectSecurityHeaders(post);
    for (const other of ['/', '/dashboardx', '/api/dashboard/', '/x?/dashboard/']) {
      expect((await request(`${base}${other}`)).status, other).toBe(418);
    }
  });

  it('returns false for a path not its own, without next, and answers nothing', () => {
    const board = createDashboard(fakeHandle(metrics('x', 1)), { path: '/ops/board' }, pathToFileURL(`${assetsDir}/`));
    try {
      const untouched = new Proxy({}, { get: () => expect.unreachable('the response was touched') }) as ServerResponse;
      expect(board({ url: '/ops', method: 'GET' } as IncomingMessage, untouched)).toBe(false);
      expect(board({ url: '/ops/boards', method: 'POST' } as IncomingMessage, untouched)).toBe(false);
      let nexts = 0;
      expect(board({ url: '/elsewhere', method: 'GET' } as IncomingMessage, untouched, () => nexts++)).toBe(false);
      expect(nexts).toBe(1);
    } finally {
      board.close();
    }
  });

  it('mounts at another path', async () => {
    const { base } = await start(fakeHandle(metrics('x', 1)), { path: '/ops/board' });
    expect((await request(`${base}/ops/board/`)).status).toBe(200);
    expect((await request(`${base}/ops/board/snapshot.json`)).status).toBe(200);
    expect((await request(`${base}/dashboard/`)).status).toBe(418);
  });

  it('asks for the token, in the Authorization header or the query, for the page and its data', async () => {
    const { base } = await start(fakeHandle(metrics('x', 1)), { token: 'open-sesame' });
    for (const path of ['/dashboard/', '/dashboard/snapshot.json', '/dashboard/feed', '/dashboard/nothing']) {
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic open-sesame' }]) {
        const refused = await request(`${base}${path}`, { headers });
        expect(refused.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="sluice dashboard"');
        expectSecurityHeaders(refused);
      }
      expect((await request(`${base}${path}?token=wrong`)).status).toBe(401);
      expect((await request(`${base}${path}?token=open-sesame-and-more`)).status).toBe(401);
    }
    expect((await request(`${base}/dashboard/`, { headers: { authorization: 'Bearer open-sesame' } })).status).toBe(200);
    expect((await request(`${base}/dashboard/snapshot.json`, { headers: { authorization: 'bearer  open-sesame' } })).status).toBe(200);
    expect((await request(`${base}/dashboard/?token=open-sesame`)).status).toBe(200);
    expect((await request(`${base}/dashboard/snapshot.json?token=open-sesame`)).status).toBe(200);
    expect((await request(`${base}/dashboard/nothing?token=open-sesame`)).status).toBe(404);
    const feed = await openFeed(`${base}/dashboard/feed?token=open-sesame`);
    expect(feed.response.statusCode).toBe(200);
    expect((await feed.nextEvent()).event).toBe('history');
    feed.close();
    // The page's own files carry no data, and the browser asks for them without the page's query.
    expect((await request(`${base}/dashboard/page.css`)).status).toBe(200);
    expect((await request(`${base}/dashboard/page.js`)).status).toBe(200);
  });

  it('feeds the recent history first, then a sample per interval, as Server-Sent Events', async () => {
    const handle = fakeHandle(metrics('feed', 2));
    const { base } = await start(handle, { intervalMs: 100 });
    const feed = await openFeed(`${base}/dashboard/feed`);
    expect(feed.response.statusCode).toBe(200);
    expect(feed.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expectSecurityHeaders(feed.response);
    expect((await feed.next()).event).toBe('retry');
    const history = await feed.next();
    expect(history.event).toBe('history');
    const samples = JSON.parse(history.data) as DashboardSample[];
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples[0]?.jobs[0]?.name).toBe('feed');
    const first = await feed.nextEvent();
    const second = await feed.nextEvent();
    expect([first.event, second.event]).toEqual(['sample', 'sample']);
    const [a, b] = [JSON.parse(first.data), JSON.parse(second.data)] as DashboardSample[];
    expect(a?.jobs[0]?.stages[1]?.partitions).toHaveLength(2);
    expect((b?.at ?? 0) - (a?.at ?? 0)).toBeGreaterThanOrEqual(90);
    // A feed opened later gets what was sampled meanwhile as its history.
    const late = await openFeed(`${base}/dashboard/feed`);
    await late.next();
    expect((JSON.parse((await late.next()).data) as DashboardSample[]).length).toBeGreaterThanOrEqual(3);
    feed.close();
    late.close();
  });

  it('close() ends every feed and stops sampling: the server then closes, and no timer is left', async () => {
    const made = new Set<unknown>();
    const cleared = new Set<unknown>();
    const setSpy = vi.spyOn(globalThis, 'setInterval').mockImplementation(((...args: Parameters<typeof setInterval>) => {
      const timer = realSetInterval(...args);
      made.add(timer);
      return timer;
    }) as typeof setInterval);
    const clearSpy = vi.spyOn(globalThis, 'clearInterval').mockImplementation((timer) => {
      cleared.add(timer);
      realClearInterval(timer);
    });
    try {
      const board = createDashboard(fakeHandle(metrics('x', 1)), { intervalMs: 100 }, pathToFileURL(`${assetsDir}/`));
      const served = await serve(board);
      const feeds = await Promise.all([openFeed(`${served.base}/dashboard/feed`), openFeed(`${served.base}/dashboard/feed`)]);
      await Promise.all(feeds.map((feed) => feed.nextEvent()));
      // The sampling timer and the feeds' heartbeat.
      expect(made.size).toBe(2);
      board.close();
      await Promise.all(feeds.map((feed) => feed.ended));
      expect([...made].every((timer) => cleared.has(timer))).toBe(true);
      expect((await request(`${served.base}/dashboard/feed`)).status).toBe(503);
      expect((await request(`${served.base}/dashboard/snapshot.json`)).status).toBe(200);
      board.close();
      // Resolves only once every connection has ended: no feed holds the server open.
      await served.close();
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it('answers 500 when the page is missing from the installation', async () => {
    const { base } = await start(fakeHandle(metrics('x', 1)), {}, join(assetsDir, 'nowhere/'));
    const answer = await request(`${base}/dashboard/`);
    expect(answer.status).toBe(500);
    expect(answer.body.toString()).toContain('page.html');
  });

  it('goes on feeding a job that ended, as finished', { timeout: 20_000 }, async () => {
    const handle = pipeline(fromArray([1, 2, 3]))
      .keyBy((n) => n % 2, { partitions: 2 })
      .reduce(
        (sum: number, n: number) => sum + n,
        () => 0,
      )
      .to(toArray())
      .run({ name: 'short' });
    const { base } = await start(handle, { intervalMs: 100 });
    const feed = await openFeed(`${base}/dashboard/feed`);
    expect((await feed.nextEvent()).event).toBe('history');
    await handle.done;
    let sample: DashboardSample;
    do sample = JSON.parse((await feed.nextEvent()).data) as DashboardSample;
    while (sample.jobs[0]?.status !== 'finished');
    expect(sample.jobs[0]).toMatchObject({ name: 'short', recordsRead: 3, recordsWritten: 3 });
    const after = JSON.parse((await feed.nextEvent()).data) as DashboardSample;
    expect(after.jobs[0]?.status).toBe('finished');
    expect(after.jobs[0]?.stages[1]?.partitions).toHaveLength(2);
    feed.close();
  });

  const page = join(projectRoot, 'src/dashboard/assets/page.html');
  it.skipIf(!existsSync(page))('serves the page of the package as it is', async () => {
    const board = dashboard(fakeHandle(metrics('x', 1)));
    const served = await serve(board);
    open.push({ board, served });
    for (const name of ['page.html', 'page.css', 'page.js']) {
      const answer = await request(`${served.base}/dashboard/${name === 'page.html' ? '' : name}`);
      expect(answer.status).toBe(200);
      expect(answer.body.equals(await readFile(join(projectRoot, 'src/dashboard/assets', name)))).toBe(true);
    }
  });
});
