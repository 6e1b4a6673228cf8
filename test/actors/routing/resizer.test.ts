import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { nextPoolSize, resolveResizer, type ResizerOptions } from '../../../src/actors/routing/resizer.js';
import { spawnPool } from '../../../src/index.js';
import { expectInvalidOption } from '../helpers.js';
import { job, recorder, useKits } from './helpers.js';

const newKit = useKits();

describe('resolveResizer', () => {
  it('fills in the defaults', () => {
    expect(resolveResizer({ min: 2, max: 8 })).toEqual({ min: 2, max: 8, everyMs: 1000, busyAt: 1, growAt: 1, shrinkBelow: 0.3, growBy: 0.2, shrinkBy: 0.1 });
  });

  const REFUSED: readonly [string, ResizerOptions][] = [
    ['resizer.min', { min: 0, max: 1 }],
    ['resizer.max', { min: 2, max: 1 }],
    ['resizer.max', { min: 1, max: 1.5 }],
    ['resizer.everyMs', { min: 1, max: 2, everyMs: -1 }],
    ['resizer.busyAt', { min: 1, max: 2, busyAt: 0 }],
    ['resizer.growAt', { min: 1, max: 2, growAt: 0 }],
    ['resizer.growAt', { min: 1, max: 2, growAt: 1.1 }],
    ['resizer.shrinkBelow', { min: 1, max: 2, shrinkBelow: -0.1 }],
    ['resizer.shrinkBelow', { min: 1, max: 2, growAt: 0.6, shrinkBelow: 0.7 }],
    ['resizer.growBy', { min: 1, max: 2, growBy: 0 }],
    ['resizer.shrinkBy', { min: 1, max: 2, shrinkBy: 1.5 }],
  ];

  it.each(REFUSED)('refuses a bad %s', (option, options) => {
    expectInvalidOption(() => resolveResizer(options), option);
  });
});

describe('nextPoolSize', () => {
  const policy = resolveResizer({ min: 2, max: 10 });

  it.each([
    [[3, 1, 2, 5], 5, 'every routee busy: grows by 20%, at least one'],
    [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 10, 'grows no further than max'],
    [[1, 1, 1, 0], 4, 'three in four busy: stays'],
    [[0, 0, 0, 1], 3, 'one in four busy, under 30%: shrinks by one'],
    [[0, 0], 2, 'shrinks no further than min'],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 9, 'shrinks by 10%, rounded down but at least one'],
  ])('%j → %i: %s', (loads, size) => {
    expect(nextPoolSize(loads, policy)).toBe(size);
  });

  it.prop([fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 20 })])(
    'stays within min and max, and moves only in the direction pressure says',
    (loads, min, extra) => {
      const bounded = resolveResizer({ min, max: min + extra });
      const next = nextPoolSize(loads, bounded);
      expect(next).toBeGreaterThanOrEqual(bounded.min);
      expect(next).toBeLessThanOrEqual(bounded.max);
      const busy = loads.filter((load) => load >= bounded.busyAt).length / loads.length;
      if (busy >= bounded.growAt) expect(next).toBeGreaterThanOrEqual(Math.min(loads.length, bounded.max));
      else if (busy < bounded.shrinkBelow) expect(next).toBeLessThanOrEqual(Math.max(loads.length, bounded.min));
      else expect(next).toBe(Math.min(bounded.max, Math.max(bounded.min, loads.length)));
    },
  );
});

describe('a pool with a resizer', () => {
  it('grows while every routee is busy and shrinks back to min when they are idle, on the system clock', async () => {
    const kit = newKit();
    const pool = spawnPool(kit.system, recorder([]), { resizer: { min: 2, max: 4, everyMs: 100 } });
    await kit.settle();
    expect(pool.routees()).toHaveLength(2);
    for (let id = 0; id < 10; id++) pool.tell(job(id));
    await kit.clock.advance(100);
    expect(pool.routees()).toHaveLength(2); // the head applies the sample in its turn
    await kit.settle();
    expect(pool.routees()).toHaveLength(3);
    expect(pool.metrics().resizes).toBe(1);
    await kit.advance(1000);
    // Idle since the jobs were handled: shrunk one at a time, and no lower than min.
    expect(pool.routees()).toHaveLength(2);
    expect(pool.metrics().processed).toBe(10);
  });

  it('refuses a resize outside its bounds, naming size', () => {
    const kit = newKit();
    const pool = spawnPool(kit.system, recorder([]), { resizer: { min: 2, max: 4 } });
    expectInvalidOption(() => pool.resize(5), 'size');
    expectInvalidOption(() => pool.resize(1), 'size');
  });

  it('leaves no timer behind once stopped', async () => {
    const kit = newKit();
    const pool = spawnPool(kit.system, recorder([]), { resizer: { min: 1, max: 3 } });
    await kit.settle();
    expect(kit.clock.pendingTimers).toBe(1);
    const stopped = pool.stop();
    await kit.settle();
    await stopped;
    expect(kit.clock.pendingTimers).toBe(0);
  });
});
