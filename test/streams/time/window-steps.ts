/**
 * Shared by the window engines' property tests: an aggregate that catches a record lost or counted
 * twice, random steps (records and watermark moves), and playing them on an engine into answers
 * that compare with `toEqual`.
 */
import fc from 'fast-check';
import { windowAccumulator, type KeyedWindowAggregate, type KeyedWindows, type SlotFiring } from '../../../src/streams/time/window-engine.js';

/** A sum and the values as a sorted list: independent of order, and catches a record lost or counted twice. */
export type Acc = { readonly sum: number; readonly values: readonly number[] };
export const sumAndValues: KeyedWindowAggregate<string, number, Acc> = {
  create: () => ({ sum: 0, values: [] }),
  add: (acc, value) => ({ sum: acc.sum + value, values: [...acc.values, value].sort((a, b) => a - b) }),
  merge: (a, b) => ({ sum: a.sum + b.sum, values: [...a.values, ...b.values].sort((x, y) => x - y) }),
};
/** The same aggregate without `merge`: sliding windows then keep one accumulator per window. */
export const withoutMerge: KeyedWindowAggregate<string, number, Acc> = { create: sumAndValues.create, add: sumAndValues.add };

/** A record, or the watermark moving to `to` (or staying, when it is already past). */
export type Step =
  { readonly kind: 'record'; readonly key: string; readonly ts: number; readonly value: number } | { readonly kind: 'advance'; readonly to: number };

export const stepsArb: fc.Arbitrary<Step[]> = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('record' as const),
        key: fc.constantFrom('a', 'b', 'c'),
        ts: fc.integer({ min: -20, max: 120 }),
        value: fc.integer({ min: 1, max: 9 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), to: fc.integer({ min: -30, max: 130 }) }) },
  ),
  { maxLength: 60 },
);

/** What one call answered, with each firing's accumulators merged. */
export type Answer = { readonly late?: boolean; readonly firings: readonly { key: string; start: number; end: number; result: Acc; late: boolean }[] };

export function answer(firings: readonly SlotFiring<string, Acc>[], late?: boolean): Answer {
  const merged = firings.map((f) => ({ key: f.key, start: f.window.start, end: f.window.end, result: windowAccumulator(f, sumAndValues), late: f.late }));
  return late === undefined ? { firings: merged } : { late, firings: merged };
}

/** Plays `steps` on `engine`, its watermark starting at `from` and never going back. */
export function play(engine: KeyedWindows<string, number, Acc>, steps: readonly Step[], from: number): { answers: Answer[]; watermark: number } {
  const answers: Answer[] = [];
  let watermark = from;
  for (const step of steps) {
    if (step.kind === 'record') {
      const { late, firings } = engine.add(step.key, step.value, step.ts, watermark);
      answers.push(answer(firings, late));
    } else if (step.to > watermark) {
      watermark = step.to;
      answers.push(answer(engine.advance(watermark)));
    }
  }
  return { answers, watermark };
}
