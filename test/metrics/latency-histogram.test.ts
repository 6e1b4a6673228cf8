import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/index.js';

/** The exact `p`-quantile by the nearest-rank method. */
function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

describe('LatencyHistogram', () => {
  describe('percentile', () => {
    test.prop([fc.array(fc.double({ min: 0.002, max: 100_000, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0.5, 0.9, 0.99, 1)])(
      'is at least the exact quantile and at most 2^(1/4) above it',
      (values, p) => {
        const histogram = new LatencyHistogram({ now: () => 0 });
        for (const value of values) histogram.record(value);
        const want = exact(values, p);
        const got = histogram.percentile(p);
        expect(got).toBeGreaterThanOrEqual(want * (1 - 1e-9));
        expect(got).toBeLessThanOrEqual(want * 2 ** 0.25 * (1 + 1e-9));
      },
    );

    it('is 0 when nothing was recorded, and never above the largest value', () => {
      const histogram = new LatencyHistogram({ now: () => 0 });
      expect(histogram.percentile(0.99)).toBe(0);
      histogram.record(3);
      expect(histogram.percentile(0.99)).toBe(3);
    });

    it('ignores negative and non-finite durations', () => {
      const histogram = new LatencyHistogram({ now: () => 0 });
      histogram.record(-1);
      histogram.record(Number.NaN);
      histogram.record(Infinity);
      expect(histogram.summary()).toEqual({ count: 0, sumMs: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    });
  });

  describe('summary', () => {
    it('covers the current and the previous period in percentiles, and the whole life in count and sum', () => {
      let now = 0;
      const histogram = new LatencyHistogram({ periodMs: 1000, now: () => now });
      histogram.record(100);
      now = 1500; // the second period: the first is still "previous"
      histogram.record(1);
      expect(histogram.summary().max).toBe(100);
      now = 2100; // the third period: the first is gone
      const summary = histogram.summary();
      expect(summary.max).toBe(1);
      expect(summary.p99).toBe(1);
      expect(summary.count).toBe(2);
      expect(summary.sumMs).toBe(101);
    });

    it('forgets everything after two idle periods', () => {
      let now = 0;
      const histogram = new LatencyHistogram({ periodMs: 1000, now: () => now });
      histogram.record(5);
      now = 5000;
      expect(histogram.summary()).toMatchObject({ count: 1, p50: 0, max: 0 });
    });
  });
});
