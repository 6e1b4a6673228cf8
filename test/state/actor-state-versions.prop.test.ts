/**
 * Migration commutes with the messages: whatever a version-1 actor took before it stopped, a
 * version-2 actor restored from its snapshot (migrated entry by entry) and given more messages ends
 * where a version-2 actor that had taken every message from the start would be.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedState, MemorySnapshotStore, defineActor, type ActorDefinition, type SnapshotStore } from '../../src/index.js';
import { useSystems } from '../actors/helpers.js';

const newSystem = useSystems();

type Op = { readonly type: 'add'; readonly key: string; readonly by: number } | { readonly type: 'remove'; readonly key: string };
type TallyMsg = Op | { readonly type: 'entries' };

/** Version 2's value: the total, and the key it belongs to (which version 1 did not store). */
interface Count {
  readonly total: number;
  readonly owner: string;
}

const tallyV1 = defineActor<KeyedState<string, number>, TallyMsg>({
  initialState: () => new KeyedState<string, number>(),
  receive(state, msg, ctx) {
    if (msg.type === 'add') state.set(msg.key, (state.get(msg.key) ?? 0) + msg.by);
    else if (msg.type === 'remove') state.delete(msg.key);
    else ctx.reply(new Map(state));
    return state;
  },
});

function tallyV2(migrated: string[]): ActorDefinition<KeyedState<string, Count>, TallyMsg> {
  return defineActor<KeyedState<string, Count>, TallyMsg>({
    initialState: () => new KeyedState<string, Count>(),
    receive(state, msg, ctx) {
      if (msg.type === 'add') state.set(msg.key, { total: (state.get(msg.key)?.total ?? 0) + msg.by, owner: msg.key });
      else if (msg.type === 'remove') state.delete(msg.key);
      else ctx.reply(new Map(state));
      return state;
    },
    stateVersion: 2,
    migrate(value, fromVersion, key) {
      expect(fromVersion).toBe(1);
      migrated.push(key);
      return { total: value as number, owner: key };
    },
  });
}

/** Version 1's state after `ops`. */
function modelV1(ops: readonly Op[]): Map<string, number> {
  const model = new Map<string, number>();
  for (const op of ops) {
    if (op.type === 'add') model.set(op.key, (model.get(op.key) ?? 0) + op.by);
    else model.delete(op.key);
  }
  return model;
}

/** Version 2's state after `ops`. */
function modelV2(ops: readonly Op[]): Map<string, Count> {
  return new Map([...modelV1(ops)].map(([key, total]) => [key, { total, owner: key }]));
}

function sorted<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c', 'd'), by: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('remove' as const), key: fc.constantFrom('a', 'b', 'c', 'd') }) },
);

/** Spawns `definition` on `store`, sends `ops`, and shuts down gracefully (a final snapshot); returns its entries. */
async function runAndStop<TState, TValue>(
  definition: ActorDefinition<TState, TallyMsg>,
  store: SnapshotStore,
  ops: readonly Op[],
  everyMessages: number,
): Promise<Map<string, TValue>> {
  const system = newSystem();
  try {
    const ref = system.spawn(definition, { name: 'tally', snapshot: { store, key: 'tally', everyMessages } });
    for (const op of ops) ref.tell(op);
    return await ref.ask<Map<string, TValue>>({ type: 'entries' });
  } finally {
    await system.shutdown();
  }
}

describe('ActorDefinition', () => {
  describe('migrate', () => {
    it('brings version-1 keyed state to where version 2 would be after the same messages, migrating each key once', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(opArb, { maxLength: 20 }),
          fc.array(opArb, { maxLength: 20 }),
          fc.integer({ min: 1, max: 6 }),
          async (before, after, everyMessages) => {
            const store = new MemorySnapshotStore();
            await runAndStop<KeyedState<string, number>, number>(tallyV1, store, before, everyMessages);
            const migrated: string[] = [];
            const upgraded = await runAndStop<KeyedState<string, Count>, Count>(tallyV2(migrated), store, after, everyMessages);
            expect(sorted(upgraded)).toEqual(sorted(modelV2([...before, ...after])));
            expect(migrated.sort()).toEqual([...modelV1(before).keys()].sort());

            // Saved under version 2 now: a further start restores it as it is.
            const again = await runAndStop<KeyedState<string, Count>, Count>(tallyV2(migrated), store, [], everyMessages);
            expect(sorted(again)).toEqual(sorted(upgraded));
            expect(migrated).toHaveLength(modelV1(before).size);
          },
        ),
        { numRuns: 60 },
      );
    });
  });
});
