import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readThreadTimes, waitedForCpu, type ThreadTimes } from '../../../bench/harness/thread-times.js';

const times = (entries: Record<string, [number, number]>): ThreadTimes =>
  new Map(Object.entries(entries).map(([tid, [runMs, waitMs]]) => [tid, { runMs, waitMs }]));

describe('waitedForCpu', () => {
  it('averages the wait of the threads busy for the stretch, ignoring the idle ones', () => {
    const before = times({ a: [100, 10], b: [50, 5], idle: [1, 0] });
    const after = times({ a: [180, 30], b: [110, 15], idle: [2, 40] });
    // a ran 80 of 100 ms and waited 20; b ran 60 and waited 10; idle ran 1 ms: not counted.
    expect(waitedForCpu(before, after, 100)).toBeCloseTo(0.15, 10);
  });

  it('counts a thread that started during the stretch from zero', () => {
    expect(waitedForCpu(times({}), times({ fresh: [90, 9] }), 100)).toBeCloseTo(0.09, 10);
  });

  it('has no answer when no thread was busy or nothing was read', () => {
    expect(waitedForCpu(times({ a: [0, 0] }), times({ a: [10, 50] }), 100)).toBeUndefined();
    expect(waitedForCpu(times({}), times({}), 100)).toBeUndefined();
  });
});

describe('readThreadTimes', () => {
  const counted = existsSync('/proc/self/task');
  it.runIf(counted)('reads this process’s threads, the main thread among them, and their run time grows with work', () => {
    const total = (read: ThreadTimes): number => [...read.values()].reduce((sum, time) => sum + time.runMs, 0);
    const ownRunMs = (): number => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
    const before = readThreadTimes();
    expect(before.has(String(process.pid))).toBe(true);
    // Work on this thread until it has run 30 ms more, however fast the machine.
    const until = ownRunMs() + 30;
    let x = 0;
    while (ownRunMs() < until) for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
    expect(total(readThreadTimes()) - total(before)).toBeGreaterThanOrEqual(30);
    expect(x).toBeGreaterThan(0);
  });
  it('is empty where the system does not count threads, and skips a thread that ended while it read', () => {
    expect(readThreadTimes(join(tmpdir(), 'sluice-no-such-tasks')).size).toBe(0);
    const tasks = mkdtempSync(join(tmpdir(), 'sluice-tasks-'));
    try {
      mkdirSync(join(tasks, '7'));
      writeFileSync(join(tasks, '7', 'schedstat'), '2500000 1000000 3\n');
      mkdirSync(join(tasks, '8')); // ended: no schedstat left to read
      expect([...readThreadTimes(tasks)]).toEqual([['7', { runMs: 2.5, waitMs: 1 }]]);
    } finally {
      rmSync(tasks, { recursive: true, force: true });
    }
  });
});
