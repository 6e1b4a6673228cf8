import { describe, expect, it } from 'vitest';
import { accessLogInput, parseAccess, toVisit, totalsChecksum, userTotals } from '../../../bench/cases/access-log.js';
import { cpuHeavyCase } from '../../../bench/cases/cpu-heavy.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

/** The kinds of resources keeping the event loop alive, counted. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

describe('accessLogInput', () => {
  it('feeds JSON lines of about 200 bytes, each an access-log event of a user', () => {
    const lines = accessLogInput('quick');
    expect(lines).toHaveLength(100_000);
    const sizes = lines.slice(0, 1000).map((line) => Buffer.byteLength(line));
    const mean = sizes.reduce((sum, size) => sum + size, 0) / sizes.length;
    expect(mean).toBeGreaterThan(170);
    expect(mean).toBeLessThan(230);
    expect(parseAccess(lines[0] as string)).toEqual({
      ts: expect.any(Number),
      user: expect.stringMatching(/^u\d+$/),
      ip: expect.stringMatching(/^203\.0\.\d+\.\d+$/),
      url: expect.stringMatching(/^\//),
      status: expect.any(Number),
      bytes: expect.any(Number),
      ua: expect.any(String),
    });
  });
});

describe('toVisit', () => {
  const event = parseAccess(accessLogInput('quick')[0] as string);

  it('keeps the user and bytes, a path template and a device pseudonym, and no address', () => {
    const visit = toVisit({ ...event, url: '/catalog/toys/item/123?ref=mail' });
    expect(visit).toEqual({ user: event.user, device: expect.stringMatching(/^[0-9a-f]{16}$/), path: '/catalog/toys/item/:id', bytes: event.bytes });
    expect(JSON.stringify(visit)).not.toContain(event.ip);
  });

  it('names one device for one address and browser, whatever the browser version’s minor part', () => {
    const chrome = { ...event, ua: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.0.0 Safari/537.36' };
    const same = toVisit({ ...chrome, ua: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0.1.2 Safari/537.36' });
    expect(toVisit(chrome).device).toBe(same.device);
    expect(toVisit({ ...chrome, ip: '203.0.9.9' }).device).not.toBe(same.device);
    expect(toVisit({ ...chrome, ua: 'Mozilla/5.0 (Macintosh) Version/17.5 Safari/605.1.15' }).device).not.toBe(same.device);
  });
});

describe('userTotals', () => {
  it('counts visits and bytes, and distinct devices and paths', () => {
    const visits = [
      { user: 'u1', device: 'a', path: '/x', bytes: 10 },
      { user: 'u1', device: 'a', path: '/y', bytes: 20 },
      { user: 'u1', device: 'b', path: '/y', bytes: 30 },
    ];
    const accumulator = visits.reduce((acc, visit) => userTotals.add(acc, visit, 'u1'), userTotals.create('u1'));
    expect(userTotals.result(accumulator, 'u1')).toEqual({ visits: 3, bytes: 60, devices: 2, paths: 2 });
    expect(totalsChecksum([['u1', { visits: 3, bytes: 60, devices: 2, paths: 2 }]])).toBe(2 * (3 * 31 + 2 * 17 + 2 * 7 + 60));
  });
});

describe('cpuHeavyCase', () => {
  it('has the rows read by name from outside: 1, 2 and 4 workers, each compared with 1', () => {
    expect(cpuHeavyCase.implementations).toEqual([
      { impl: 'plain loop', role: 'floor' },
      { impl: 'sluice, 1 worker', role: 'sluice' },
      { impl: 'sluice, 2 workers', role: 'sluice', compareWith: ['sluice, 1 worker'] },
      { impl: 'sluice, 4 workers', role: 'sluice', compareWith: ['sluice, 1 worker'] },
    ]);
  });

  it('has every thread count reach the floor’s totals, and leaves no thread or port behind', async () => {
    const before = resources();
    const checksums = await checksumsOfEveryImplementation(cpuHeavyCase);
    expectAllEqual(checksums, checksums.get('plain loop')?.[0]);
    // A closed port or handle leaves the list on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    for (const [kind, count] of resources()) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before.get(kind) ?? 0) });
  }, 120_000);
});
