/**
 * The pane engine against the engine that keeps one accumulator per window: for random sliding
 * windows, records, arrival orders, watermarks and lateness, both answer every call the same —
 * the same refusals, the same firings in the same order, the same results once merged — and both
 * end with no state. A pane engine made again over a copy of its store (a restart's rollback)
 * carries on as the original does; one whose input watermark starts again from nothing (a restore
 * from a checkpoint) fires just the windows that had not fired.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { END_OF_TIME, NO_WATERMARK, sliding, type WindowAssigner } from '../../../src/index.js';
import { PaneEngine } from '../../../src/streams/time/pane-engine.js';
import { WindowEngine, createWindowEngine } from '../../../src/streams/time/window-engine.js';
import { answer, play, stepsArb, sumAndValues, withoutMerge } from './window-steps.js';

/** Sliding windows whose size and slide share a factor: each window is several panes. */
const slidingArb: fc.Arbitrary<WindowAssigner> = fc
  .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }), fc.nat())
  .map(([pane, slides, extra, offset]) => {
    const slide = pane * slides;
    return sliding(slide + pane * extra, slide, offset % slide);
  });

describe('PaneEngine', () => {
  it('answers every add and advance as one accumulator per window does, and ends empty', () => {
    fc.assert(
      fc.property(slidingArb, fc.integer({ min: 0, max: 30 }), stepsArb, (assigner, lateness, steps) => {
        const panes = createWindowEngine(assigner, sumAndValues, lateness, new Map());
        const windows = createWindowEngine(assigner, withoutMerge, lateness, new Map());
        expect(panes).toBeInstanceOf(PaneEngine);
        expect(windows).toBeInstanceOf(WindowEngine);
        const got = play(panes, steps, NO_WATERMARK);
        const want = play(windows, steps, NO_WATERMARK);
        expect(got.answers).toEqual(want.answers);
        expect(answer(panes.advance(END_OF_TIME))).toEqual(answer(windows.advance(END_OF_TIME)));
        expect(panes.count()).toBe(0);
      }),
    );
  });

  it('carries on as before when made again over a copy of its store', () => {
    fc.assert(
      fc.property(slidingArb, fc.integer({ min: 0, max: 30 }), stepsArb, stepsArb, (assigner, lateness, before, after) => {
        const store = new Map<string, object>();
        const original = createWindowEngine(assigner, sumAndValues, lateness, store);
        const { watermark } = play(original, before, NO_WATERMARK);
        const restarted = createWindowEngine(assigner, sumAndValues, lateness, new Map(store));
        expect(play(restarted, after, watermark).answers).toEqual(play(original, after, watermark).answers);
        expect(answer(restarted.advance(END_OF_TIME))).toEqual(answer(original.advance(END_OF_TIME)));
      }),
    );
  });

  it('fires just the windows that had not fired when its input watermark starts again from nothing', () => {
    fc.assert(
      fc.property(slidingArb, fc.integer({ min: 0, max: 30 }), stepsArb, fc.integer({ min: 0, max: 160 }), (assigner, lateness, before, back) => {
        const store = new Map<string, object>();
        const original = createWindowEngine(assigner, sumAndValues, lateness, store);
        const { watermark } = play(original, before, NO_WATERMARK);
        const restored = createWindowEngine(assigner, sumAndValues, lateness, new Map(store));
        // The watermark comes back up from far behind to where the store was left.
        if (watermark !== NO_WATERMARK) {
          expect(restored.advance(watermark - back)).toEqual([]);
          expect(restored.advance(watermark)).toEqual([]);
        }
        expect(answer(restored.advance(END_OF_TIME))).toEqual(answer(original.advance(END_OF_TIME)));
      }),
    );
  });
});
