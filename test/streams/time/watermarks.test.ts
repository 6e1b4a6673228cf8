import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { END_OF_TIME, NO_WATERMARK, WatermarkTracker, combineWatermarks } from '../../../src/index.js';

describe('WatermarkTracker', () => {
  it('has no watermark before the first record', () => {
    expect(new WatermarkTracker().watermark).toBe(NO_WATERMARK);
  });

  it('trails the largest timestamp by the bound, never going back', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 0, max: 500 }), (timestamps, bound) => {
        const tracker = new WatermarkTracker({ maxOutOfOrdernessMs: bound });
        let previous = NO_WATERMARK;
        let max = -Infinity;
        for (const ts of timestamps) {
          tracker.observe(ts, 0);
          max = Math.max(max, ts);
          expect(tracker.watermark).toBe(max - bound - 1);
          expect(tracker.watermark).toBeGreaterThanOrEqual(previous);
          previous = tracker.watermark;
        }
      }),
    );
  });

  it('becomes idle after idleTimeoutMs of processing time without a record', () => {
    const tracker = new WatermarkTracker({ idleTimeoutMs: 1000 });
    tracker.observe(5, 100);
    expect(tracker.isIdle(1099)).toBe(false);
    expect(tracker.isIdle(1100)).toBe(true);
    tracker.observe(6, 1200);
    expect(tracker.isIdle(1300)).toBe(false);
  });

  it('jumps to the end of time when its input ends', () => {
    const tracker = new WatermarkTracker();
    tracker.end();
    expect(tracker.watermark).toBe(END_OF_TIME);
  });

  it('rejects a negative bound, naming `maxOutOfOrdernessMs`', () => {
    expect(() => new WatermarkTracker({ maxOutOfOrdernessMs: -1 })).toThrow('`maxOutOfOrdernessMs`');
  });
});

describe('combineWatermarks', () => {
  it('takes the smallest watermark of the active inputs', () => {
    expect(
      combineWatermarks([
        { watermark: 10, idle: false },
        { watermark: 4, idle: false },
      ]),
    ).toBe(4);
  });

  it('does not let an idle input hold the others back', () => {
    expect(
      combineWatermarks([
        { watermark: 10, idle: false },
        { watermark: 4, idle: true },
      ]),
    ).toBe(10);
  });

  it('keeps the previous watermark when every input is idle, and never goes back', () => {
    expect(combineWatermarks([{ watermark: 1, idle: true }], 7)).toBe(7);
    expect(combineWatermarks([{ watermark: 3, idle: false }], 7)).toBe(7);
  });
});
