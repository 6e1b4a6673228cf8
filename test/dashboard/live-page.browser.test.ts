/**
 * The real thing end to end: a running pipeline, the `dashboard()` handler on a `node:http`
 * server, and the page in headless Chromium. A planned crash restarts a partition, a sink held shut
 * fills its mailbox (backpressure), checkpoints complete once it opens, and the page survives the
 * job's end. Changes are awaited by polling the DOM, never by sleeping.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboard, type DashboardHandler } from '../../src/dashboard/index.js';
import { fromGenerator, MemoryCheckpointStorage, pipeline, type PipelineHandle } from '../../src/index.js';
import { checkChromium, launchChromium, watchProblems } from '../helpers/chromium.js';
import { heldSink } from './held-sink.js';

const skipped = checkChromium();
const poll = { timeout: 20_000, interval: 50 };

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe.skipIf(skipped !== undefined)('the dashboard of a running job, in Chromium', { timeout: 60_000 }, () => {
  it('shows every stage and partition, moving numbers, restarts, backpressure, and the job ending', async () => {
    const held = heldSink();
    let stopAt = Number.POSITIVE_INFINITY;
    const handle: PipelineHandle = pipeline(
      fromGenerator(function* (from) {
        for (let i = from; i < stopAt; i++) yield i;
      }, 'numbers'),
    )
      .keyBy((n) => n % 10, { partitions: 3 })
      .reduce(
        (sum: number, n: number) => sum + n,
        () => 0,
        { name: 'sum' },
      )
      .to(held.sink)
      .run({
        name: 'live',
        batchSize: 64,
        crashAt: (target, ordinal) => target.partition === 1 && ordinal === 50,
        checkpoint: { storage: new MemoryCheckpointStorage(), interval: 50 },
      });
    cleanup.push(async () => {
      held.open();
      await handle.stop().catch(() => undefined);
    });
    const board: DashboardHandler = dashboard(handle, { intervalMs: 200, token: 'tok-3' });
    const server: Server = createServer((req, res) => {
      if (!board(req, res)) res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(async () => {
      board.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as { port: number };

    const browser = await launchChromium();
    cleanup.push(() => browser.close());
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    const problems = watchProblems(page);
    await page.goto(`http://127.0.0.1:${port}/dashboard?token=tok-3`);

    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), poll).toBe('live');
    await expect.poll(() => page.getByTestId('job-status').textContent(), poll).toBe('running');
    // The topology: the source, the three partitions of `sum`, the sink.
    expect(await page.getByTestId('stage-0').getAttribute('data-name')).toBe('source:numbers');
    expect(await page.getByTestId('stage-1').getAttribute('data-name')).toBe('sum');
    expect(await page.getByTestId('stage-2').getAttribute('data-name')).toBe('sink:held');
    for (let p = 0; p < 3; p++) expect(await page.getByTestId(`partition-1-${p}`).isVisible()).toBe(true);
    expect(await page.getByTestId('partition-1-3').count()).toBe(0);
    // The crash: partition 1 restarted. The held sink: its mailbox fills up.
    await expect.poll(() => page.getByTestId('partition-1-1').getByTestId('restarts').textContent(), poll).toMatch(/^[1-9]\d* restarts?$/);
    await expect.poll(() => page.getByTestId('partition-2-0').getByTestId('fill').getAttribute('data-level'), poll).toBe('full');

    // Open the sink: numbers move, checkpoints complete.
    held.open();
    const readBefore = await page.getByTestId('summary-read').textContent();
    await expect.poll(() => page.getByTestId('summary-read').textContent(), poll).not.toBe(readBefore);
    await expect.poll(() => page.getByTestId('checkpoints').locator('rect.cp').count(), poll).toBeGreaterThan(0);

    // The job ends: the page says so, keeps its topology, and logs nothing.
    stopAt = 0;
    await handle.done;
    await expect.poll(() => page.getByTestId('job-status').textContent(), poll).toBe('finished');
    expect(await page.getByTestId('partition-1-0').isVisible()).toBe(true);
    expect(problems.messages).toEqual([]);
  });
});
