/**
 * `freezeState`: each new object state is shallow-frozen before a handler sees it, in the mailbox
 * loop for plain actors and in the general one (an actor that asked for a snapshot), and nothing is
 * frozen when it is off.
 */
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore, defineActor } from '../../src/index.js';
import { useSystems } from './helpers.js';

const newSystem = useSystems();

type Msg = { readonly kind: 'add' } | { readonly kind: 'snapshot' } | { readonly kind: 'frozen?' };

/** Whether each state a handler was handed was frozen, in order. */
const seen: boolean[] = [];

/** Counts in a new object per message; answers `frozen?` with whether each state it was handed was frozen. */
const counter = defineActor<{ readonly count: number }, Msg>({
  initialState: () => ({ count: 0 }),
  receive(state, msg, ctx) {
    seen.push(Object.isFrozen(state));
    if (msg.kind === 'frozen?') {
      ctx.reply(seen.splice(0));
      return state;
    }
    if (msg.kind === 'snapshot') void ctx.snapshot();
    return { count: state.count + 1 };
  },
});

describe('freezeState', () => {
  it('hands every handler a frozen state, before and after the actor leaves the plain loop', async () => {
    const ref = newSystem({ name: 'frozen', freezeState: true }).spawn(counter);
    for (const kind of ['add', 'add', 'snapshot', 'add', 'add'] as const) expect(ref.tell({ kind })).toBe(true);
    expect(await ref.ask({ kind: 'frozen?' })).toEqual([true, true, true, true, true, true]);
  });

  it('hands a state restored from a snapshot store frozen, though it was saved unfrozen', async () => {
    // The memory store keeps references: the successor is given the very object its predecessor left.
    const store = new MemorySnapshotStore();
    const before = newSystem({ name: 'thawed', freezeState: false }).spawn(counter, { snapshot: { store, key: 'count' } });
    expect(before.tell({ kind: 'add' })).toBe(true);
    expect(await before.ask({ kind: 'frozen?' })).toEqual([false, false]);
    await before.stop();
    const after = newSystem({ name: 'frozen', freezeState: true }).spawn(counter, { snapshot: { store, key: 'count' } });
    expect(await after.ask({ kind: 'frozen?' })).toEqual([true]);
  });

  it('freezes nothing when off', async () => {
    const ref = newSystem({ name: 'thawed', freezeState: false }).spawn(counter);
    for (const kind of ['add', 'snapshot', 'add'] as const) expect(ref.tell({ kind })).toBe(true);
    expect(await ref.ask({ kind: 'frozen?' })).toEqual([false, false, false, false]);
  });
});
