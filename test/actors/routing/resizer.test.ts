import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { nextPoolSize, resolveResizer, type ResizerOptions } from '../../../src/actors/routing/resizer.js';
import { expectInvalidOption } from '../helpers.js';

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
