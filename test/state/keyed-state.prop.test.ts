import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { KeyedState, renewSnapshot, ViewReleasedError, type KeyedStateView } from '../../src/state/keyed-state.js';

/** Values are objects, so a value mutated in place (rather than replaced) would show in a view. */
interface Cell {
  readonly n: number;
}

type Op =
  | { readonly kind: 'set'; readonly key: number; readonly n: number }
  | { readonly kind: 'delete'; readonly key: number }
  | { readonly kind: 'update'; readonly key: number; readonly delta: number }
  | { readonly kind: 'produce'; readonly key: number; readonly delta: number }
  | { readonly kind: 'clear' }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'release'; readonly view: number }
  | { readonly kind: 'restore'; readonly view: number }
  | { readonly kind: 'renew'; readonly view: number }
  | { readonly kind: 'iterate'; readonly view: number; readonly take: number };

/** Operations over `keys` keys, weighted towards writes so views see many changes. */
function opArb(keys: number): fc.Arbitrary<Op> {
  const key = fc.nat(keys - 1);
  const view = fc.nat(7);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), key, n: fc.integer({ min: -9, max: 9 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), key, delta: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('produce' as const), key, delta: fc.integer({ min: 1, max: 5 }) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
    { weight: 3, arbitrary: fc.constant({ kind: 'snapshot' as const }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), view }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('restore' as const), view }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('renew' as const), view }) },
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('iterate' as const), view, take: fc.nat(4) }) },
  );
}

const scenarioArb = fc.integer({ min: 1, max: 10 }).chain((keys) => fc.tuple(fc.constant(keys), fc.array(opArb(keys), { maxLength: 80 })));

/** An iteration of a view consumed a few entries at a time. */
interface OpenIteration {
  readonly iterator: Iterator<[number, Cell]>;
  readonly seen: [number, number][];
}

/** A view under test and the model map it must keep showing. */
interface TrackedView {
  readonly view: KeyedStateView<number, Cell>;
  readonly model: ReadonlyMap<number, number>;
  iteration: OpenIteration | undefined;
}

function sorted(entries: Iterable<readonly [number, number]>): [number, number][] {
  return [...entries].map(([k, n]): [number, number] => [k, n]).sort((x, y) => x[0] - y[0]);
}

function numbers(entries: Iterable<readonly [number, Cell]>): [number, number][] {
  return [...entries].map(([k, cell]): [number, number] => [k, cell.n]);
}

function expectLiveEquals(state: KeyedState<number, Cell>, model: ReadonlyMap<number, number>, keys: number): void {
  expect(state.size).toBe(model.size);
  expect(sorted(numbers(state))).toEqual(sorted(model));
  expect(sorted(numbers(state.entries()))).toEqual(sorted(model));
  expect([...state.keys()].sort((x, y) => x - y)).toEqual([...model.keys()].sort((x, y) => x - y));
  expect([...state.values()].length).toBe(model.size);
  const viaForEach: [number, number][] = [];
  state.forEach((cell, key) => viaForEach.push([key, cell.n]));
  expect(sorted(viaForEach)).toEqual(sorted(model));
  for (let key = 0; key < keys; key++) {
    expect(state.has(key)).toBe(model.has(key));
    expect(state.get(key)?.n).toBe(model.get(key));
  }
}

function expectViewEquals(tracked: TrackedView, keys: number): void {
  const { view, model } = tracked;
  expect(view.size).toBe(model.size);
  const all = numbers(view);
  expect(new Set(all.map(([k]) => k)).size).toBe(all.length);
  expect(sorted(all)).toEqual(sorted(model));
  for (let key = 0; key < keys; key++) {
    expect(view.has(key)).toBe(model.has(key));
    expect(view.get(key)?.n).toBe(model.get(key));
  }
}

/** Pulls up to `take` entries (all when Infinity); checks and closes the iteration when it ends. */
function advance(tracked: TrackedView, take: number): void {
  const iteration = tracked.iteration;
  if (iteration === undefined) return;
  for (let i = 0; i < take; i++) {
    const step = iteration.iterator.next();
    if (step.done === true) {
      const keysSeen = iteration.seen.map(([k]) => k);
      expect(new Set(keysSeen).size).toBe(keysSeen.length);
      expect(sorted(iteration.seen)).toEqual(sorted(tracked.model));
      tracked.iteration = undefined;
      return;
    }
    iteration.seen.push([step.value[0], step.value[1].n]);
  }
}

/** Runs `ops` against a KeyedState and a plain-Map model, checking both after every step. */
function run(keys: number, ops: readonly Op[]): void {
  const state = new KeyedState<number, Cell>();
  let live = new Map<number, number>();
  const views: TrackedView[] = [];
  const pick = (index: number): TrackedView | undefined => views[index % Math.max(views.length, 1)];

  for (const op of ops) {
    switch (op.kind) {
      case 'set':
        state.set(op.key, { n: op.n });
        live.set(op.key, op.n);
        break;
      case 'delete':
        expect(state.delete(op.key)).toBe(live.delete(op.key));
        break;
      case 'update': {
        const next = state.update(op.key, (cell) => ({ n: (cell?.n ?? 0) + op.delta }));
        live.set(op.key, (live.get(op.key) ?? 0) + op.delta);
        expect(next.n).toBe(live.get(op.key));
        break;
      }
      case 'produce': {
        const next = state.produce(
          op.key,
          (draft) => {
            draft.n += op.delta;
          },
          { n: 0 },
        );
        live.set(op.key, (live.get(op.key) ?? 0) + op.delta);
        expect(next.n).toBe(live.get(op.key));
        break;
      }
      case 'clear':
        state.clear();
        live.clear();
        break;
      case 'snapshot':
        views.push({ view: state.snapshot(), model: new Map(live), iteration: undefined });
        break;
      case 'release': {
        const tracked = pick(op.view);
        if (tracked === undefined) break;
        tracked.view.release();
        views.splice(views.indexOf(tracked), 1);
        if (tracked.iteration !== undefined) expect(() => tracked.iteration?.iterator.next()).toThrow(ViewReleasedError);
        expect(() => tracked.view.get(0)).toThrow(ViewReleasedError);
        break;
      }
      case 'restore': {
        const tracked = pick(op.view);
        if (tracked === undefined) break;
        state.restore(tracked.view);
        live = new Map(tracked.model);
        expect(tracked.view.changedKeys).toBe(0);
        break;
      }
      case 'renew': {
        const tracked = pick(op.view);
        if (tracked === undefined) break;
        const renewed = renewSnapshot(state, tracked.view);
        expect(renewed).toBe(tracked.view);
        expect(renewed.changedKeys).toBe(0);
        // A renewed view reads as a snapshot taken now; an iteration begun before is not read on.
        views[views.indexOf(tracked)] = { view: renewed, model: new Map(live), iteration: undefined };
        break;
      }
      case 'iterate': {
        const tracked = pick(op.view);
        if (tracked === undefined) break;
        tracked.iteration ??= { iterator: tracked.view[Symbol.iterator](), seen: [] };
        advance(tracked, op.take);
        break;
      }
    }
    expectLiveEquals(state, live, keys);
    expect(state.activeViews).toBe(views.length);
    for (const tracked of views) expectViewEquals(tracked, keys);
  }
  for (const tracked of views) advance(tracked, Infinity);
}

describe('KeyedState', () => {
  describe('snapshot, restore and release', () => {
    it.prop([scenarioArb], { numRuns: 300 })('keep every view equal to the model as of its snapshot and live equal to the live model', ([keys, ops]) => {
      run(keys, ops);
    });

    it.prop([fc.array(opArb(3), { minLength: 20, maxLength: 200 })], { numRuns: 100 })(
      'hold on long runs over few keys, where keys are deleted and revived under many views',
      (ops) => {
        run(3, ops);
      },
    );
  });

  describe('snapshot', () => {
    it.prop([fc.array(fc.tuple(fc.nat(20), fc.option(fc.integer(), { nil: undefined })), { maxLength: 60 }), fc.nat(25)])(
      'yields the entries as of the snapshot while live writes continue between steps',
      (writes, initialCount) => {
        const initial = Array.from({ length: initialCount }, (_, i) => [i, { n: i }] as const);
        const state = new KeyedState<number, Cell>(initial);
        const view = state.snapshot();
        const iterator = view[Symbol.iterator]();
        const seen: [number, number][] = [];
        // One write (set, or delete when the value is undefined) between every two steps.
        for (const [key, n] of writes) {
          const step = iterator.next();
          if (step.done !== true) seen.push([step.value[0], step.value[1].n]);
          if (n === undefined) state.delete(key);
          else state.set(key, { n });
        }
        for (const [key, cell] of { [Symbol.iterator]: () => iterator }) seen.push([key, cell.n]);
        expect(seen.sort((x, y) => x[0] - y[0])).toEqual(initial.map(([k, cell]) => [k, cell.n]));
      },
    );
  });
});
