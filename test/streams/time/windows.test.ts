import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignWindows, mergeWindows, session, sliding, tumbling, type TimeWindow } from '../../../src/index.js';

const timestampArb = fc.integer({ min: -1_000_000, max: 1_000_000 });

describe('tumbling', () => {
  it('puts a timestamp in exactly one aligned window of the size that covers it', () => {
    fc.assert(
      fc.property(timestampArb, fc.integer({ min: 1, max: 10_000 }), (ts, size) => {
        const windows = assignWindows(tumbling(size), ts);
        expect(windows).toHaveLength(1);
        const [{ start, end }] = windows as [TimeWindow];
        expect(end - start).toBe(size);
        expect(start <= ts && ts < end).toBe(true);
        expect(((start % size) + size) % size).toBe(0);
      }),
    );
  });

  it('shifts the alignment by the offset', () => {
    expect(assignWindows(tumbling(60_000, 15_000), 70_000)).toEqual([{ start: 15_000, end: 75_000 }]);
    expect(assignWindows(tumbling(60_000, 15_000), 75_000)).toEqual([{ start: 75_000, end: 135_000 }]);
  });

  it('aligns windows before the epoch like the rest', () => {
    expect(assignWindows(tumbling(10), -1)).toEqual([{ start: -10, end: 0 }]);
  });

  it('rejects a size that is not a whole positive number of milliseconds, naming it', () => {
    expect(() => tumbling(0)).toThrow('`sizeMs`');
    expect(() => tumbling(1.5)).toThrow('`sizeMs`');
    expect(() => tumbling(10, 10)).toThrow('`offsetMs`');
  });
});

describe('sliding', () => {
  it('puts a timestamp in every window of the size that starts on a slide and covers it', () => {
    fc.assert(
      fc.property(timestampArb, fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 20 }), (ts, slide, multiple) => {
        const size = slide * multiple;
        const windows = assignWindows(sliding(size, slide), ts);
        expect(windows).toHaveLength(multiple);
        for (const { start, end } of windows) {
          expect(end - start).toBe(size);
          expect(start <= ts && ts < end).toBe(true);
          expect(((start % slide) + slide) % slide).toBe(0);
        }
        expect(windows.map((w) => w.start)).toEqual([...windows.map((w) => w.start)].sort((a, b) => a - b));
      }),
    );
  });

  it('handles a size that is not a multiple of the slide', () => {
    expect(assignWindows(sliding(10, 4), 9)).toEqual([
      { start: 0, end: 10 },
      { start: 4, end: 14 },
      { start: 8, end: 18 },
    ]);
  });

  it('rejects a slide larger than the size, naming `slideMs`', () => {
    expect(() => sliding(10, 11)).toThrow('`slideMs`');
  });
});

describe('session', () => {
  it('gives each timestamp its own proto-window of the gap', () => {
    expect(assignWindows(session(30), 100)).toEqual([{ start: 100, end: 130 }]);
  });

  it('rejects a gap that is not positive, naming `gapMs`', () => {
    expect(() => session(0)).toThrow('`gapMs`');
  });
});

describe('mergeWindows', () => {
  it('merges overlapping windows and keeps the rest apart, also those that only touch', () => {
    const merged = mergeWindows([
      { start: 20, end: 30 },
      { start: 0, end: 10 },
      { start: 9, end: 15 },
      { start: 15, end: 18 },
      { start: 40, end: 50 },
    ]);
    expect(merged.map((m) => m.window)).toEqual([
      { start: 0, end: 15 },
      { start: 15, end: 18 },
      { start: 20, end: 30 },
      { start: 40, end: 50 },
    ]);
    expect(merged[0]?.parts).toHaveLength(2);
  });

  it('covers exactly the union of its inputs with disjoint windows, each made of inputs that overlap', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 30 })), { maxLength: 20 }), (pairs) => {
        const windows = pairs.map(([start, length]) => ({ start, end: start + length }));
        const merged = mergeWindows(windows).map((m) => m.window);
        for (let i = 1; i < merged.length; i++) expect((merged[i] as TimeWindow).start).toBeGreaterThanOrEqual((merged[i - 1] as TimeWindow).end);
        for (let t = 0; t < 240; t++) {
          const inInput = windows.some((w) => w.start <= t && t < w.end);
          const inMerged = merged.some((w) => w.start <= t && t < w.end);
          expect(inMerged).toBe(inInput);
        }
      }),
    );
  });
});
