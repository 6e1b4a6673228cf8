/**
 * The engine that keeps one accumulator per window, made again over a copy of its store (what a
 * partition does after a restart rolls its keyed state back): it must carry on exactly as the
 * engine that wrote the store, firings in the same order included. A replay that fired the same
 * windows in another order would hand the same output sequence numbers to other rows, and the
 * receiver, which drops numbers it already took, would keep one row twice and lose another.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { END_OF_TIME, NO_WATERMARK, session, sliding, tumbling, type WindowAssigner } from '../../../src/index.js';
import { WindowEngine, createWindowEngine, type KeyedWindowAggregate } from '../../../src/streams/time/window-engine.js';
import { answer, play, stepsArb, sumAndValues, withoutMerge, type Acc } from './window-steps.js';

/** Tumbling, sliding (no merge, so no panes) and session windows, each with the aggregate it takes. */
const windowsArb: fc.Arbitrary<{ assigner: WindowAssigner; aggregate: KeyedWindowAggregate<string, number, Acc> }> = fc.oneof(
  fc.integer({ min: 1, max: 25 }).map((size) => ({ assigner: tumbling(size), aggregate: withoutMerge })),
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }))
    .map(([slide, slides]) => ({ assigner: sliding(slide * slides, slide), aggregate: withoutMerge })),
  fc.integer({ min: 1, max: 15 }).map((gap) => ({ assigner: session(gap), aggregate: sumAndValues })),
);

describe('WindowEngine', () => {
  it('carries on as before, in the same order, when made again over a copy of its store', () => {
    fc.assert(
      fc.property(windowsArb, fc.integer({ min: 0, max: 30 }), stepsArb, stepsArb, ({ assigner, aggregate }, lateness, before, after) => {
        const store = new Map<string, object>();
        const original = createWindowEngine(assigner, aggregate, lateness, store);
        expect(original).toBeInstanceOf(WindowEngine);
        const { watermark } = play(original, before, NO_WATERMARK);
        const restarted = createWindowEngine(assigner, aggregate, lateness, new Map(store));
        expect(play(restarted, after, watermark).answers).toEqual(play(original, after, watermark).answers);
        expect(answer(restarted.advance(END_OF_TIME))).toEqual(answer(original.advance(END_OF_TIME)));
      }),
    );
  });

  it('fires the keys of one window in the order they entered it, also after being made again', () => {
    // 'a' is first in the store (its record in [0, 10)), but 'b' entered [10, 20) first.
    const store = new Map<string, object>();
    const original = createWindowEngine(tumbling(10), withoutMerge, 100, store);
    original.add('a', 1, 5, NO_WATERMARK);
    original.add('b', 2, 15, NO_WATERMARK);
    original.add('a', 3, 16, NO_WATERMARK);
    const restarted = createWindowEngine(tumbling(10), withoutMerge, 100, new Map(store));
    const keysOf = (engine: typeof original) => engine.advance(19).map((firing) => `${firing.key}@${firing.window.start}`);
    expect(keysOf(original)).toEqual(['a@0', 'b@10', 'a@10']);
    expect(keysOf(restarted)).toEqual(['a@0', 'b@10', 'a@10']);
  });
});
