/**
 * Versioned actor state against every snapshot store (PostgreSQL when it answers): a snapshot
 * records the definition's `stateVersion`; an older one is migrated at load, once per entry of
 * keyed state or once for plain state; a newer one, or an older one without `migrate`, is refused;
 * a `migrate` that throws stops the actor before anything is written.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  FileSnapshotStore,
  KeyedState,
  MemorySnapshotStore,
  StateMigrationError,
  StateVersionError,
  defineActor,
  type ActorDefinition,
  type ActorSystem,
  type SnapshotStore,
  type StateMigration,
} from '../../src/index.js';
import { PostgresSnapshotStore } from '../../src/postgres/index.js';
import { nextEvent, useSystems } from '../actors/helpers.js';
import { checkPostgres } from '../helpers/services.js';
import { TestDatabase } from '../postgres/pg-fixtures.js';
import { ControlledStore } from '../supervision/helpers.js';

// Registered before useSystems: vitest runs after-each hooks last-registered first, so every system
// (and the final snapshot its shutdown saves) is done before its store is closed or removed.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

const newSystem = useSystems();

const pg = await checkPostgres();
let db: TestDatabase | undefined;
afterAll(async () => {
  await db?.end();
});

const STORES: readonly { readonly name: string; readonly create: () => Promise<SnapshotStore> }[] = [
  { name: 'MemorySnapshotStore', create: async () => new MemorySnapshotStore() },
  {
    name: 'FileSnapshotStore',
    create: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-state-versions-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return new FileSnapshotStore({ dir });
    },
  },
  ...(pg.url === undefined
    ? []
    : [
        {
          name: 'PostgresSnapshotStore',
          create: async () => {
            const url = pg.url as string;
            db ??= new TestDatabase(url);
            const store = new PostgresSnapshotStore({ connectionString: url, table: db.table('state_versions') });
            cleanups.push(() => store.close());
            return store;
          },
        },
      ]),
];

const KEY = 'ledger/eu';

// ─── Plain state: a balance in euros (version 1), then in cents (version 2 and on) ─────────────

type LedgerMsg = { readonly type: 'deposit'; readonly euros: number } | { readonly type: 'get' };

const ledgerV1 = defineActor<number, LedgerMsg>({
  initialState: () => 0,
  receive(state, msg, ctx) {
    if (msg.type === 'deposit') return state + msg.euros;
    ctx.reply(state);
    return state;
  },
});

interface Cents {
  readonly cents: number;
}

function ledgerAt(stateVersion: number, migrate: StateMigration<Cents> | undefined): ActorDefinition<Cents, LedgerMsg> {
  return defineActor<Cents, LedgerMsg>({
    initialState: () => ({ cents: 0 }),
    receive(state, msg, ctx) {
      if (msg.type === 'deposit') return { cents: state.cents + msg.euros * 100 };
      ctx.reply(state);
      return state;
    },
    stateVersion,
    migrate,
  });
}

/** One call of `migrate`, as it was made. */
interface MigrateCall {
  readonly state: unknown;
  readonly fromVersion: number;
  readonly key: unknown;
}

/** A ledger migration from euros that records its calls in `calls`. */
function centsFromEuros(calls: MigrateCall[]): StateMigration<Cents> {
  return (state, fromVersion, key) => {
    calls.push({ state, fromVersion, key });
    return { cents: (state as number) * 100 };
  };
}

/** Runs `definition` under KEY in a system of its own, deposits `euros`, and stops it (saving a snapshot). */
async function saveLedger<TState>(store: SnapshotStore, definition: ActorDefinition<TState, LedgerMsg>, euros: readonly number[]): Promise<unknown> {
  const ref = newSystem().spawn(definition, { name: 'ledger', snapshot: { store, key: KEY } });
  for (const amount of euros) ref.tell({ type: 'deposit', euros: amount });
  const state = await ref.ask({ type: 'get' });
  await ref.stop();
  return state;
}

// ─── Keyed state: counts per key (version 1), then counts with their owner (version 2) ────────

type TallyMsg = { readonly type: 'add'; readonly key: string; readonly by: number } | { readonly type: 'entries' };

const tallyV1 = defineActor<KeyedState<string, number>, TallyMsg>({
  initialState: () => new KeyedState<string, number>(),
  receive(state, msg, ctx) {
    if (msg.type === 'add') state.set(msg.key, (state.get(msg.key) ?? 0) + msg.by);
    else ctx.reply(new Map(state));
    return state;
  },
});

interface Count {
  readonly total: number;
  readonly owner: string;
}

function tallyV2(migrate: StateMigration<KeyedState<string, Count>>): ActorDefinition<KeyedState<string, Count>, TallyMsg> {
  return defineActor<KeyedState<string, Count>, TallyMsg>({
    initialState: () => new KeyedState<string, Count>(),
    receive(state, msg, ctx) {
      if (msg.type === 'add') state.set(msg.key, { total: (state.get(msg.key)?.total ?? 0) + msg.by, owner: msg.key });
      else ctx.reply(new Map(state));
      return state;
    },
    stateVersion: 2,
    migrate,
  });
}

/** A tally migration that records its calls in `calls`. */
function countsWithOwner(calls: MigrateCall[]): StateMigration<KeyedState<string, Count>> {
  return (value, fromVersion, key) => {
    calls.push({ state: value, fromVersion, key });
    return { total: value as number, owner: key };
  };
}

async function saveTally(store: SnapshotStore, adds: readonly (readonly [string, number])[]): Promise<void> {
  const ref = newSystem().spawn(tallyV1, { name: 'tally', snapshot: { store, key: KEY } });
  for (const [key, by] of adds) ref.tell({ type: 'add', key, by });
  await ref.ask({ type: 'entries' });
  await ref.stop();
}

/** The sequence of the newest snapshot under KEY. */
async function storedSequence(store: SnapshotStore): Promise<number | undefined> {
  return (await store.load(KEY)).snapshot?.sequence;
}

function byKey<T>(entries: Iterable<readonly [string, T]>): [string, T][] {
  return [...entries].map(([key, value]): [string, T] => [key, value]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// ─── Refusals ─────────────────────────────────────────────────────────────────────────────────

/**
 * Spawns `definition` under KEY on a store that records saves, expects its restore to fail and the
 * actor to stop, shuts the system down (gracefully: a started actor would save a final snapshot),
 * and checks that nothing was saved and the snapshot is as it was. Returns the restore's error.
 */
async function refusedStart<TState, TMessage>(store: SnapshotStore, definition: ActorDefinition<TState, TMessage>): Promise<unknown> {
  const before = await store.load(KEY);
  const watched = new ControlledStore(store);
  const system: ActorSystem = newSystem();
  const failed = nextEvent(system, 'hook-failed');
  const stopped = nextEvent(system, 'actor-stopped');
  const restored = nextEvent(system, 'snapshot-restored');
  let wasRestored = false;
  void restored.then(() => {
    wasRestored = true;
  });
  system.spawn(definition, { name: 'subject', snapshot: { store: watched, key: KEY } });
  const event = await failed;
  expect(event).toMatchObject({ hook: 'restore', path: '/user/subject' });
  await expect(stopped).resolves.toMatchObject({ reason: 'failed' });
  await system.shutdown();
  expect(wasRestored).toBe(false);
  expect(watched.requested).toEqual([]);
  expect(await store.load(KEY)).toEqual(before);
  return event.error;
}

describe('ActorDefinition', () => {
  describe.each(STORES)('stateVersion, with $name', ({ create }) => {
    it('migrates older plain state once, with the snapshot key, before the first message', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [1, 2, 3]);
      const sequence = await storedSequence(store);
      const calls: MigrateCall[] = [];
      const system = newSystem();
      const restored = nextEvent(system, 'snapshot-restored');
      const ref = system.spawn(ledgerAt(2, centsFromEuros(calls)), { name: 'ledger', snapshot: { store, key: KEY } });
      ref.tell({ type: 'deposit', euros: 1 });
      await expect(ref.ask({ type: 'get' })).resolves.toEqual({ cents: 700 });
      expect(calls).toEqual([{ state: 6, fromVersion: 1, key: KEY }]);
      await expect(restored).resolves.toMatchObject({ sequence, migratedFrom: 1 });
    });

    it('migrates each entry of older keyed state once, with its own key', async () => {
      const store = await create();
      await saveTally(store, [
        ['a', 1],
        ['b', 2],
        ['a', 3],
        ['c', 4],
      ]);
      const calls: MigrateCall[] = [];
      const ref = newSystem().spawn(tallyV2(countsWithOwner(calls)), { name: 'tally', snapshot: { store, key: KEY } });
      ref.tell({ type: 'add', key: 'c', by: 1 });
      const entries = await ref.ask<Map<string, Count>>({ type: 'entries' });
      expect(byKey(entries)).toEqual([
        ['a', { total: 4, owner: 'a' }],
        ['b', { total: 2, owner: 'b' }],
        ['c', { total: 5, owner: 'c' }],
      ]);
      expect(byKey(calls.map((call) => [call.key as string, call] as const))).toEqual([
        ['a', { state: 4, fromVersion: 1, key: 'a' }],
        ['b', { state: 2, fromVersion: 1, key: 'b' }],
        ['c', { state: 4, fromVersion: 1, key: 'c' }],
      ]);
    });

    it('records the new version in the next snapshot, so a later start migrates nothing', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [2]);
      const migrated = (await storedSequence(store)) as number;
      const calls: MigrateCall[] = [];
      await expect(saveLedger(store, ledgerAt(2, centsFromEuros(calls)), [3])).resolves.toEqual({ cents: 500 });
      expect(calls).toHaveLength(1);
      const { snapshot } = await store.load(KEY);
      expect(snapshot?.sequence).toBeGreaterThan(migrated);
      expect(snapshot?.meta).toMatchObject({ format: 2, stateVersion: 2, state: { cents: 500 } });

      const system = newSystem();
      const restored = nextEvent(system, 'snapshot-restored');
      const ref = system.spawn(ledgerAt(2, centsFromEuros(calls)), { name: 'ledger', snapshot: { store, key: KEY } });
      await expect(ref.ask({ type: 'get' })).resolves.toEqual({ cents: 500 });
      expect(calls).toHaveLength(1);
      expect(await restored).not.toHaveProperty('migratedFrom');
    });

    it('records version 1 in format 1, the format code from before state versions reads', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [4]);
      const { snapshot } = await store.load(KEY);
      expect(snapshot?.meta).toEqual({ format: 1, stateVersion: 1, keyed: false, state: 4, seq: 0, highWater: [] });
    });

    it('treats a snapshot that records no version (saved before versions were recorded) as version 1', async () => {
      const store = await create();
      // What a snapshot of plain state looked like before `stateVersion` existed.
      await store.save(KEY, { sequence: 3, meta: { format: 1, keyed: false, state: 5, seq: 0, highWater: [] } });
      const sameVersion = newSystem().spawn(ledgerV1, { name: 'v1', snapshot: { store, key: KEY } });
      await expect(sameVersion.ask({ type: 'get' })).resolves.toBe(5);
      await sameVersion.stop();

      await store.delete(KEY);
      await store.save(KEY, { sequence: 3, meta: { format: 1, keyed: false, state: 5, seq: 0, highWater: [] } });
      const calls: MigrateCall[] = [];
      const later = newSystem().spawn(ledgerAt(2, centsFromEuros(calls)), { name: 'v2', snapshot: { store, key: KEY } });
      await expect(later.ask({ type: 'get' })).resolves.toEqual({ cents: 500 });
      expect(calls).toEqual([{ state: 5, fromVersion: 1, key: KEY }]);

      const keyedKey = `${KEY}/keyed`;
      await store.save(keyedKey, { sequence: 9, meta: { format: 1, keyed: true, seq: 0, highWater: [] }, entries: [['x', 7]] });
      const keyedCalls: MigrateCall[] = [];
      const tally = newSystem().spawn(tallyV2(countsWithOwner(keyedCalls)), { name: 'tally', snapshot: { store, key: keyedKey } });
      await expect(tally.ask({ type: 'entries' })).resolves.toEqual(new Map([['x', { total: 7, owner: 'x' }]]));
      expect(keyedCalls).toEqual([{ state: 7, fromVersion: 1, key: 'x' }]);
    });

    it.each([
      ['format 2 without a version', { format: 2 }, /records a malformed state version \(1, format 2\)/],
      ['format 1 with a version above 1', { format: 1, stateVersion: 2 }, /records a malformed state version \(2, format 1\)/],
      ['a version that is not a positive integer', { format: 2, stateVersion: 2.5 }, /records a malformed state version \(2\.5, format 2\)/],
      ['a format it does not know', { format: 3, stateVersion: 3 }, /has an unknown format/],
    ])('refuses a snapshot that records %s, and writes nothing', async (_what, fields, reason) => {
      const store = await create();
      await store.save(KEY, { sequence: 1, meta: { keyed: false, state: 1, seq: 0, highWater: [], ...fields } });
      const error = await refusedStart(store, ledgerAt(2, centsFromEuros([])));
      expect((error as Error).message).toMatch(reason);
    });

    it('migrates over several versions in one call, given the version the snapshot was saved under', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [1]);
      const calls: MigrateCall[] = [];
      const migrate: StateMigration<Cents> = (state, fromVersion, key) => {
        calls.push({ state, fromVersion, key });
        // Version 2 stored { cents } already; version 1 a number of euros.
        return fromVersion === 1 ? { cents: (state as number) * 100 } : (state as Cents);
      };
      await expect(saveLedger(store, ledgerAt(3, migrate), [])).resolves.toEqual({ cents: 100 });
      expect(calls).toEqual([{ state: 1, fromVersion: 1, key: KEY }]);
    });

    it('refuses state of a newer version with a StateVersionError naming both versions and the key, and writes nothing', async () => {
      const store = await create();
      await saveLedger(store, ledgerAt(3, undefined), [1]);
      const sequence = await storedSequence(store);
      const error = await refusedStart(store, ledgerAt(2, centsFromEuros([])));
      expect(error).toBeInstanceOf(StateVersionError);
      expect(error).toMatchObject({ code: 'STATE_VERSION', snapshotKey: KEY, sequence, storedVersion: 3, codeVersion: 2 });
      const { message } = error as StateVersionError;
      expect(message).toContain(JSON.stringify(KEY));
      expect(message).toContain('version 3');
      expect(message).toContain("this code's 2");
    });

    it('refuses older state with a StateVersionError when the definition has no migrate, and writes nothing', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [1]);
      const error = await refusedStart(store, ledgerAt(2, undefined));
      expect(error).toBeInstanceOf(StateVersionError);
      expect(error).toMatchObject({ snapshotKey: KEY, storedVersion: 1, codeVersion: 2 });
      expect((error as Error).message).toMatch(/state version 1, an older version than this code's 2, and the code has no migrate/);
    });

    it('stops the actor with a StateMigrationError when migrate throws on plain state, and writes nothing', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [6]);
      const sequence = await storedSequence(store);
      const bug = new Error('cannot read euros');
      const error = await refusedStart(
        store,
        ledgerAt(2, () => {
          throw bug;
        }),
      );
      expect(error).toBeInstanceOf(StateMigrationError);
      expect(error).toMatchObject({ code: 'STATE_MIGRATION_FAILED', snapshotKey: KEY, sequence, fromVersion: 1, toVersion: 2, entry: undefined, cause: bug });
      expect((error as Error).message).toBe(
        `Migrating the state of snapshot ${String(sequence)} of ${JSON.stringify(KEY)} from version 1 to 2 failed: cannot read euros`,
      );

      // The snapshot is still there for the fixed code.
      const calls: MigrateCall[] = [];
      await expect(saveLedger(store, ledgerAt(2, centsFromEuros(calls)), [])).resolves.toEqual({ cents: 600 });
    });

    it('stops the actor with a StateMigrationError naming the entry whose migration threw, and writes nothing', async () => {
      const store = await create();
      await saveTally(store, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      const bug = new RangeError('no owner for b');
      const error = await refusedStart(
        store,
        tallyV2((value, _fromVersion, key) => {
          if (key === 'b') throw bug;
          return { total: value as number, owner: key };
        }),
      );
      expect(error).toBeInstanceOf(StateMigrationError);
      expect(error).toMatchObject({ snapshotKey: KEY, fromVersion: 1, toVersion: 2, entry: { key: 'b' }, cause: bug });
      expect((error as Error).message).toContain('failed at key "b": no owner for b');
    });

    it('stops the actor with a StateMigrationError when migrate returns a promise, and writes nothing', async () => {
      const store = await create();
      await saveLedger(store, ledgerV1, [1]);
      const asyncMigrate = (async (state: unknown) => ({ cents: (state as number) * 100 })) as unknown as StateMigration<Cents>;
      const error = await refusedStart(store, ledgerAt(2, asyncMigrate));
      expect(error).toBeInstanceOf(StateMigrationError);
      expect((error as StateMigrationError).cause).toBeInstanceOf(TypeError);
      expect((error as Error).message).toContain('`migrate` returned a promise');
    });
  });
});
