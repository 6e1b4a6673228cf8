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

type Step = { readonly kind: 'same' } | { readonly kind: 'new' } | { readonly kind: 'snapshot' } | { readonly kind: 'seen' };

/** Answers `seen` with each state it was handed and whether it was frozen; `same` hands the state back unchanged. */
const keeper = defineActor<{ readonly n: number }, Step>({
  initialState: () => ({ n: 0 }),
  receive(state, msg, ctx) {
    (this as unknown as { seen: unknown[] }).seen.push([state, Object.isFrozen(state)]);
    if (msg.kind === 'seen') ctx.reply((this as unknown as { seen: unknown[] }).seen.splice(0));
    if (msg.kind === 'snapshot') void ctx.snapshot();
    return msg.kind === 'new' ? { n: state.n + 1 } : state;
  },
});

describe('receive', () => {
  it('is called with its definition as `this`, and a state handed back unchanged stays the state, frozen, in either mailbox loop', async () => {
    // A definition made by hand, with a field of its own that its handler reaches through `this`.
    const definition = Object.assign(Object.create(null) as object, keeper, { seen: [] as unknown[] }) as typeof keeper;
    const ref = newSystem({ name: 'keeper', freezeState: true }).spawn(definition);
    const steps = ['same', 'new', 'same', 'snapshot', 'same', 'new', 'same'] as const;
    for (const kind of steps) expect(ref.tell({ kind })).toBe(true);
    const seen = (await ref.ask({ kind: 'seen' })) as [{ readonly n: number }, boolean][];
    expect(seen.map(([state]) => state.n)).toEqual([0, 0, 1, 1, 1, 1, 2, 2]);
    expect(seen.every(([, frozen]) => frozen)).toBe(true);
    // Handed back unchanged, it is the very object: no copy, no second freeze.
    expect(seen[1]?.[0]).toBe(seen[0]?.[0]);
    expect(seen[3]?.[0]).toBe(seen[2]?.[0]);
    expect(seen[5]?.[0]).toBe(seen[4]?.[0]);
  });
});
