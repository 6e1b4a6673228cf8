/**
 * The dashboard page in a real browser: headless Chromium loads it from a dashboard server (for
 * now the scripted stand-in) under `default-src 'self'`, and the tests read what a person would
 * see. Changes are awaited by polling the DOM, never by sleeping.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkChromium, launchChromium, watchProblems, type PageProblems } from '../helpers/chromium.js';
import { startScriptedDashboard, type DashboardUnderTest } from './scripted-dashboard.js';
import { crashingPartition, failedCheckpointReason, hostileError, hostileRecord, scriptedTopology } from './scripted-samples.js';

const skipped = checkChromium();
/** How long a test waits for the page to show a change, and how often it looks. */
const poll = { timeout: 10_000, interval: 50 };

/** One of the files the handler serves for the page. */
function asset(name: string): Buffer {
  return readFileSync(new URL(`../../src/dashboard/assets/${name}`, import.meta.url));
}

describe.skipIf(skipped !== undefined)('the dashboard page in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let dashboard: DashboardUnderTest | undefined;
  let problems: PageProblems;

  // A cold Chromium start on a busy machine can outlast the default 10 s hook timeout.
  beforeAll(async () => {
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await context?.close();
    await dashboard?.close();
    context = undefined;
    dashboard = undefined;
  });

  /** Opens the page on a fresh dashboard; `expected` names console messages the test provokes. */
  async function open(expected?: (text: string) => boolean): Promise<Page> {
    dashboard = await startScriptedDashboard();
    context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    problems = watchProblems(page, expected);
    const response = await page.goto(dashboard.pageUrl);
    expect(response?.headers()['content-security-policy']).toBe("default-src 'self'");
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), poll).toBe('live');
    await expect.poll(() => page.getByTestId('job-status').textContent(), poll).toBe('running');
    return page;
  }

  const text = (page: Page, testId: string, child?: string): Promise<string | null> => {
    const node = page.getByTestId(testId);
    return (child === undefined ? node : node.getByTestId(child)).textContent();
  };

  it('shows every stage and partition, and its numbers move while the job runs', async () => {
    const page = await open();
    for (const [i, stage] of scriptedTopology.entries()) {
      expect(await page.getByTestId(`stage-${i}`).getAttribute('data-name')).toBe(stage.name);
      for (let p = 0; p < stage.partitions; p++) {
        const box = page.getByTestId(`partition-${i}-${p}`);
        expect(await box.getByTestId('rate').textContent()).toMatch(/rec\/s$/);
        expect(await box.getByTestId('owner').textContent()).toMatch(/^(thread \d|main)$/);
      }
      expect(await page.getByTestId(`partition-${i}-${stage.partitions}`).count()).toBe(0);
      expect(await page.getByTestId(`chart-${i}`).count()).toBe(1);
    }
    for (const [id, child] of [
      ['partition-1-0', 'rate'],
      ['summary-read', undefined],
      ['stage-0', 'stage-rate'],
    ] as const) {
      const before = await text(page, id, child);
      await expect.poll(() => text(page, id, child), poll).not.toBe(before);
    }
    const line = page.getByTestId('chart-1').locator('path');
    const drawn = await line.getAttribute('d');
    await expect.poll(() => line.getAttribute('d'), poll).not.toBe(drawn);
    expect(await text(page, 'lag-1')).toMatch(/ms$/);
    expect(problems.messages).toEqual([]);
  });

  it("shows a crashed partition's restarts and a slow sink's backpressure", async () => {
    const page = await open();
    const crashed = page.getByTestId(`partition-${crashingPartition.stage}-${crashingPartition.partition}`).getByTestId('restarts');
    await expect.poll(() => crashed.textContent(), poll).toMatch(/^[1-9]\d* restarts?$/);
    expect(await crashed.getAttribute('class')).toBe('badge');
    expect(await page.getByTestId('partition-2-0').getByTestId('restarts').textContent()).toBe('0 restarts');
    const sink = scriptedTopology.length - 1;
    const fill = page.getByTestId(`partition-${sink}-0`).getByTestId('fill');
    await expect.poll(() => fill.getAttribute('data-fill'), poll).toBe('1.00');
    expect(await fill.getAttribute('data-level')).toBe('full');
    expect(await fill.textContent()).toBe('16/16');
    expect(await page.getByTestId(`partition-${sink}-0`).getAttribute('class')).toBe('hot');
    expect(await page.getByTestId(`stage-row-${sink}`).textContent()).toContain('100%');
    expect(await page.getByTestId('topology').locator('title').first().textContent()).toContain('Fullest mailbox: orders-table #0 at 100%');
    expect(problems.messages).toEqual([]);
  });

  it('shows checkpoints with their failures, and dead letters as text', async () => {
    const page = await open();
    let alerted = false;
    page.on('dialog', (dialog) => {
      alerted = true;
      void dialog.dismiss();
    });
    const timeline = page.getByTestId('checkpoints');
    await expect.poll(() => timeline.locator('[data-failed=true]').count(), poll).toBe(1);
    expect(await timeline.textContent()).toContain(failedCheckpointReason);
    expect(await timeline.locator('rect').first().locator('title').textContent()).toMatch(/^#1 at .*: \d+ ms, \d+\.\d KB$/);
    const letters = page.getByTestId('dead-letters');
    await expect.poll(() => letters.textContent(), poll).toContain(hostileRecord);
    expect(await letters.textContent()).toContain(hostileError);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(alerted).toBe(false);
    expect(problems.messages).toEqual([]);
  });

  it('passes its token to the feed, which refuses requests without one', async () => {
    await open();
    expect(dashboard?.feedRequests.length).toBeGreaterThan(0);
    for (const request of dashboard?.feedRequests ?? []) expect(request).toBe('/dashboard/feed?token=let-me-watch');
    const refused = await fetch(new URL('/dashboard/feed', dashboard?.pageUrl));
    expect(refused.status).toBe(401);
  });

  it('survives the job ending and the feed closing', async () => {
    const page = await open();
    const feeds = dashboard?.feedRequests.length ?? 0;
    await dashboard?.finish();
    await expect.poll(() => page.getByTestId('job-status').textContent(), poll).toBe('finished');
    expect(await page.getByTestId('job-ended').isVisible()).toBe(true);
    expect(await page.getByTestId('job-ended').textContent()).toMatch(/^Job finished/);
    // The closed feed is opened again; the page keeps showing the finished job meanwhile.
    await expect.poll(() => dashboard?.feedRequests.length, poll).toBeGreaterThan(feeds);
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), poll).toBe('live');
    expect(await page.getByTestId('job-status').textContent()).toBe('finished');
    expect(await page.getByTestId('partition-1-0').isVisible()).toBe(true);
    expect(problems.messages).toEqual([]);
  });

  it('shows a failed job as failed', async () => {
    const page = await open();
    await dashboard?.finish('failed');
    await expect.poll(() => page.getByTestId('job-status').textContent(), poll).toBe('failed');
    expect(await page.getByTestId('job-ended').getAttribute('data-status')).toBe('failed');
    expect(await page.getByTestId('job-ended').textContent()).toMatch(/^Job failed/);
    expect(problems.messages).toEqual([]);
  });

  it('shows the feed dropping, and recovers when the server comes back', async () => {
    // Chromium logs the cut feed and the refused reconnects as failed loads: they are the point here.
    // So is the icon, when the browser happens to ask for it (it does so lazily) while the server is down.
    const page = await open((message) => /ERR_(CONNECTION_REFUSED|INCOMPLETE_CHUNKED_ENCODING) \(http:[^ ]+\/dashboard\/(feed\?|icon\.svg\))/.test(message));
    await dashboard?.goDown();
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), poll).toBe('retrying');
    expect(await page.getByTestId('connection').textContent()).toBe('Disconnected, retrying…');
    expect(await page.getByTestId('partition-1-0').isVisible()).toBe(true);
    await dashboard?.comeBack();
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), poll).toBe('live');
    const before = await text(page, 'summary-read');
    await expect.poll(() => text(page, 'summary-read'), poll).not.toBe(before);
    expect(problems.messages).toEqual([]);
  });

  it('lets the keyboard reach the job selector, with a visible focus ring, and switch jobs', async () => {
    const page = await open();
    await expect.poll(() => page.getByTestId('job-select').isVisible(), poll).toBe(true);
    const focused = (): Promise<unknown> => page.evaluate('document.activeElement && document.activeElement.id');
    for (let presses = 0; presses < 10 && (await focused()) !== 'job'; presses++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('job');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineWidth')).toBe('3px');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('#job-name').textContent(), poll).toBe('audit-log');
    expect(await page.getByTestId('checkpoints').textContent()).toContain('Checkpoints are off');
    expect(await page.getByTestId('stage-1').getAttribute('data-name')).toBe('audit-file');
    expect(await page.getByTestId('partition-1-0').getByTestId('owner').textContent()).toBe('worker-2');
    expect(await page.getByTestId('stage-2').count()).toBe(0);
    expect(problems.messages).toEqual([]);
  });

  it('follows the dark colour scheme', async () => {
    const page = await open();
    const colours = (): Promise<unknown> => page.evaluate('[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]');
    const light = await colours();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await colours();
    expect(light).toEqual(['rgb(255, 255, 255)', 'rgb(27, 31, 36)']);
    expect(dark).toEqual(['rgb(17, 20, 24)', 'rgb(232, 235, 239)']);
    expect(problems.messages).toEqual([]);
  });

  // docs/dashboard.png, for the README: `SLUICE_DASHBOARD_SCREENSHOT=1 npx vitest run test/dashboard`.
  it.runIf(process.env['SLUICE_DASHBOARD_SCREENSHOT'] === '1')('takes the screenshot in docs/', async () => {
    dashboard = await startScriptedDashboard({ historyLength: 100, intervalMs: 1_000 });
    context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(dashboard.pageUrl);
    await expect.poll(() => page.getByTestId('dead-letters').textContent(), poll).toContain(hostileRecord);
    await page.screenshot({ path: fileURLToPath(new URL('../../docs/dashboard.png', import.meta.url)) });
  });
});

it('keeps the page small: page, style, script and icon under 40 KB together', () => {
  const bytes = ['page.html', 'page.css', 'page.js', 'icon.svg'].reduce((sum, name) => sum + asset(name).length, 0);
  expect(bytes).toBeLessThan(40 * 1024);
});

it('has nothing inline that the CSP would block, and writes no markup from data', () => {
  const html = asset('page.html').toString('utf8');
  expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
  expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|javascript:|https?:\/\//);
  expect(asset('page.js').toString('utf8')).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|\.style\./);
});
