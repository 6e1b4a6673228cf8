/**
 * What a KeyedState's write log keeps alive once the views that needed it are released: its arrays
 * are reused without being cleared, so a dropped log's old values stay until the next log
 * overwrites them or is dropped in turn, and never longer.
 */
import { describe, expect, it } from 'vitest';
import { KeyedState } from '../../src/state/keyed-state.js';
import { gc } from '../helpers/scavenge-survival.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether what `ref` points to survives a full collection, after a turn (WeakRefs hold their target for the turn they were read in). */
async function survives(ref: WeakRef<object>): Promise<boolean> {
  await nextTurn();
  gc();
  return ref.deref() !== undefined;
}

/** Writes each of `keys` once under a view, over an old value of its own, then releases the view; returns refs to the old values. */
function loggedAndDropped(state: KeyedState<string, object>, keys: readonly string[]): WeakRef<object>[] {
  const refs = keys.map((key) => {
    const old = { key, payload: new Array<number>(64).fill(1) };
    state.set(key, old);
    return new WeakRef(old);
  });
  const view = state.snapshot();
  for (const key of keys) state.set(key, { key });
  view.release();
  return refs;
}

describe('KeyedState', () => {
  describe('snapshot', () => {
    it('lets go of a dropped log’s old values once the next log is dropped, however long each was', async () => {
      const state = new KeyedState<string, object>();
      const long = loggedAndDropped(state, ['a', 'b', 'c', 'd']);
      loggedAndDropped(state, ['e']);
      for (const ref of long) expect(await survives(ref)).toBe(false);
    });

    it('lets go of the old values a later log overwrote, however soon', async () => {
      const state = new KeyedState<string, object>();
      const first = loggedAndDropped(state, ['a', 'b']);
      const view = state.snapshot();
      state.set('x', { key: 'x' });
      state.set('y', { key: 'y' });
      for (const ref of first) expect(await survives(ref)).toBe(false);
      view.release();
    });
  });
});
