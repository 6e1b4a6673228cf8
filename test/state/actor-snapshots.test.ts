import fc from 'fast-check';
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FileSnapshotStore,
  KeyedState,
  MemorySnapshotStore,
  defineActor,
  type ActorSystem,
  type SnapshotOptions,
  type SnapshotStore,
} from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextEvent, nextTurn, recordDeadLetters, recordEvents, useSystems } from '../actors/helpers.js';
import { ControlledStore, flaky, rejectionOf, worker, type SnapshotReply } from '../supervision/helpers.js';

// Registered before useSystems: vitest runs after-each hooks last-registered first, so every system
// (and the final snapshot its shutdown saves) is done before its folder is removed.
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const newSystem = useSystems();

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-actor-snapshots-'));
  dirs.push(dir);
  return dir;
}

const STORES: readonly { readonly name: string; readonly create: () => Promise<SnapshotStore> }[] = [
  { name: 'MemorySnapshotStore', create: async () => new MemorySnapshotStore() },
  { name: 'FileSnapshotStore', create: async () => new FileSnapshotStore({ dir: await tempDir() }) },
];

type TallyMsg =
  | { readonly type: 'put'; readonly key: string; readonly value: unknown }
  | { readonly type: 'remove'; readonly key: string }
  /**
   * Adds `by` to `key`, then (unless this attempt is one of the first `failures`) to `total`: a
   * failing attempt has written `key` already, so a runtime that does not roll back is caught.
   */
  | { readonly type: 'add'; readonly key: string; readonly by: number; readonly failures: number; readonly attempts: { n: number } }
  | { readonly type: 'entries' }
  | { readonly type: 'snapshot' };

const TOTAL = 'total';

function add(key: string, by: number, failures = 0): TallyMsg {
  return { type: 'add', key, by, failures, attempts: { n: 0 } };
}

/** Keyed state written in place, as keyed state is meant to be. */
const tally = defineActor<KeyedState<string, unknown>, TallyMsg>({
  initialState: () => new KeyedState<string, unknown>(),
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'put':
        state.set(msg.key, msg.value);
        return state;
      case 'remove':
        state.delete(msg.key);
        return state;
      case 'add': {
        msg.attempts.n++;
        state.set(msg.key, ((state.get(msg.key) as number | undefined) ?? 0) + msg.by);
        if (msg.attempts.n <= msg.failures) throw new Error(`adding to ${msg.key} failed`);
        state.set(TOTAL, ((state.get(TOTAL) as number | undefined) ?? 0) + msg.by);
        return state;
      }
      case 'entries':
        ctx.reply(new Map(state));
        return state;
      case 'snapshot': {
        const reply: SnapshotReply = { taken: ctx.snapshot() };
        ctx.reply(reply);
        return state;
      }
    }
  },
});

/** What `tally` should hold: each add applied once, unless it failed `maxRetries` times (poison). */
function tallyModel(adds: readonly { key: string; by: number; failures: number }[], maxRetries: number): Map<string, number> {
  const model = new Map<string, number>();
  for (const { key, by, failures } of adds) {
    if (failures >= maxRetries) continue;
    model.set(key, (model.get(key) ?? 0) + by);
    model.set(TOTAL, (model.get(TOTAL) ?? 0) + by);
  }
  return model;
}

function sortedEntries(map: ReadonlyMap<string, unknown>): [string, unknown][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Spawns `worker` as `/user/acct` with `snapshot` options; snapshots only when asked unless overridden. */
function spawnAccount(system: ActorSystem, snapshot: SnapshotOptions) {
  return system.spawn(worker, { name: 'acct', snapshot: { everyMessages: 1000, ...snapshot } });
}

describe('SnapshotOptions', () => {
  describe.each(STORES)('store: $name', ({ create }) => {
    it('starts a new actor from the newest snapshot its predecessor saved, before any message', async () => {
      const store = await create();
      const first = newSystem();
      const firstEvents = recordEvents(first);
      const a = first.spawn(worker, { name: 'acct', snapshot: { store, key: 'acct' } });
      for (const by of [1, 2, 3]) a.tell({ type: 'inc', by });
      const { taken } = await a.ask<SnapshotReply>({ type: 'snapshot' });
      await taken;
      const saved = firstEvents.flatMap((event) => (event.type === 'snapshot-saved' ? [event.sequence] : []));
      expect(saved.length).toBeGreaterThan(0);
      expect(firstEvents).toContainEqual(expect.objectContaining({ type: 'snapshot-restored', sequence: undefined, skipped: [] }));

      const second = newSystem();
      const restored = nextEvent(second, 'snapshot-restored');
      const b = second.spawn(worker, { name: 'successor', snapshot: { store, key: 'acct' } });
      b.tell({ type: 'inc', by: 10 });
      await expect(restored).resolves.toMatchObject({ path: '/user/successor', sequence: Math.max(...saved), skipped: [] });
      await expect(b.ask({ type: 'get' })).resolves.toBe(16);
    });

    it('numbers its snapshots on from the one it restored', async () => {
      const store = await create();
      const first = newSystem();
      const a = spawnAccount(first, { store });
      a.tell({ type: 'inc', by: 1 });
      // ref.stop() discards what is still queued: let the inc be processed first.
      await expect(a.ask({ type: 'get' })).resolves.toBe(1);
      await a.stop();

      const second = newSystem();
      const events = recordEvents(second);
      const restored = nextEvent(second, 'snapshot-restored');
      const b = spawnAccount(second, { store });
      const { sequence } = await restored;
      expect(sequence).toBe(1);
      b.tell({ type: 'inc', by: 1 });
      const { taken } = await b.ask<SnapshotReply>({ type: 'snapshot' });
      await taken;
      expect(events).toContainEqual(expect.objectContaining({ type: 'snapshot-saved', sequence: 2 }));
      expect(events.filter((event) => event.type === 'snapshot-failed')).toEqual([]);
    });

    it('keys snapshots by the actor path by default', async () => {
      const store = await create();
      const first = newSystem();
      const a = spawnAccount(first, { store });
      a.tell({ type: 'inc', by: 7 });
      await expect(a.ask({ type: 'get' })).resolves.toBe(7);
      await a.stop();
      expect((await store.load('/user/acct')).snapshot).toBeDefined();
      const second = newSystem();
      const b = spawnAccount(second, { store });
      await expect(b.ask({ type: 'get' })).resolves.toBe(7);
    });

    it('resolves ctx.snapshot() only once the snapshot is durable', async () => {
      const store = new ControlledStore(await create());
      const system = newSystem();
      const events = recordEvents(system);
      const ref = spawnAccount(system, { store });
      ref.tell({ type: 'inc', by: 4 });
      store.hold();
      const saving = store.nextSave();
      const { taken } = await ref.ask<SnapshotReply>({ type: 'snapshot' });
      const sequence = await saving;
      let durable = false;
      void taken.then(() => {
        durable = true;
      });
      await nextTurn();
      expect(durable).toBe(false);
      expect(events.filter((event) => event.type === 'snapshot-saved')).toEqual([]);

      store.release();
      await taken;
      expect(events).toContainEqual(expect.objectContaining({ type: 'snapshot-saved', sequence }));
      const { snapshot } = await store.inner.load('/user/acct');
      expect(snapshot?.sequence).toBe(sequence);
      const successor = spawnAccount(newSystem(), { store: store.inner });
      await expect(successor.ask({ type: 'get' })).resolves.toBe(4);
    });

    it.each(['ref.stop()', 'system.shutdown()'] as const)('saves a final snapshot on a graceful stop by %s', async (how) => {
      const store = await create();
      const system = newSystem();
      const events = recordEvents(system);
      const ref = spawnAccount(system, { store });
      for (const by of [1, 2, 3]) ref.tell({ type: 'inc', by });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(6);
      expect(events.filter((event) => event.type === 'snapshot-saved')).toEqual([]);
      if (how === 'ref.stop()') await ref.stop();
      else await system.shutdown();
      const types = events.flatMap((event) => (event.type === 'snapshot-saved' || event.type === 'actor-stopped' ? [event.type] : []));
      expect(types).toEqual(['snapshot-saved', 'actor-stopped']);

      const successor = spawnAccount(newSystem(), { store });
      await expect(successor.ask({ type: 'get' })).resolves.toBe(6);
    });

    it('round-trips keyed state', async () => {
      const store = await create();
      const first = newSystem();
      const a = first.spawn(tally, { name: 'tally', snapshot: { store } });
      const values: [string, unknown][] = [
        ['a', 1],
        ['b', { nested: [1, 2, 3], label: 'bee' }],
        ['c', 'sea'],
        ['d', null],
      ];
      for (const [key, value] of values) a.tell({ type: 'put', key, value });
      a.tell({ type: 'remove', key: 'c' });
      a.tell({ type: 'put', key: 'a', value: 11 });
      const expected = new Map<string, unknown>([
        ['a', 11],
        ['b', { nested: [1, 2, 3], label: 'bee' }],
        ['d', null],
      ]);
      await expect(a.ask({ type: 'entries' })).resolves.toEqual(expected);
      await a.stop();

      const second = newSystem();
      const restored = nextEvent(second, 'snapshot-restored');
      const b = second.spawn(tally, { name: 'tally', snapshot: { store } });
      await expect(restored).resolves.toMatchObject({ sequence: 1, skipped: [] });
      const entries = await b.ask<Map<string, unknown>>({ type: 'entries' });
      expect(sortedEntries(entries)).toEqual(sortedEntries(expected));
    });

    it('saves a keyed actor stopped while it waits to restart without the writes of the failed message', async () => {
      const store = await create();
      const clock = new VirtualClock();
      const system = newSystem({ clock, random: () => 0.5 });
      const ref = system.spawn(tally, { name: 'tally', snapshot: { store }, supervision: { backoff: { minMs: 1000 } } });
      ref.tell(add('a', 1));
      const failed = nextEvent(system, 'actor-failed');
      ref.tell(add('b', 2, 1));
      await failed;
      await ref.stop();

      const successor = newSystem().spawn(tally, { name: 'tally', snapshot: { store } });
      const entries = await successor.ask<Map<string, unknown>>({ type: 'entries' });
      expect(sortedEntries(entries)).toEqual(sortedEntries(tallyModel([{ key: 'a', by: 1, failures: 0 }], 3)));
    });

    it('reports a failed save, rejects ctx.snapshot() with its error, and goes on', async () => {
      const store = new ControlledStore(await create());
      const system = newSystem();
      const events = recordEvents(system);
      const ref = spawnAccount(system, { store });
      ref.tell({ type: 'inc', by: 1 });
      const error = new Error('disk full');
      store.failWith = error;
      const { taken } = await ref.ask<SnapshotReply>({ type: 'snapshot' });
      await expect(rejectionOf(taken)).resolves.toBe(error);
      const failed = events.find((event) => event.type === 'snapshot-failed');
      expect(failed).toMatchObject({ path: '/user/acct', sequence: 1, error });
      ref.tell({ type: 'inc', by: 1 });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(2);
      expect(ref.status).toBe('running');
    });
  });

  describe('store: FileSnapshotStore', () => {
    it('starts from the previous snapshot when the newest file is corrupt, and lists the skipped file', async () => {
      const store = new FileSnapshotStore({ dir: await tempDir() });
      const first = newSystem();
      const a = spawnAccount(first, { store, key: 'acct' });
      a.tell({ type: 'inc', by: 1 });
      await (
        await a.ask<SnapshotReply>({ type: 'snapshot' })
      ).taken;
      a.tell({ type: 'inc', by: 2 });
      await (
        await a.ask<SnapshotReply>({ type: 'snapshot' })
      ).taken;

      const folder = store.folderOf('acct');
      const files = (await readdir(folder)).filter((name) => name.endsWith('.snap')).sort();
      expect(files).toHaveLength(2);
      const newest = join(folder, files.at(-1) as string);
      await truncate(newest, Math.floor((await stat(newest)).size / 2));

      const second = newSystem();
      const restored = nextEvent(second, 'snapshot-restored');
      const b = spawnAccount(second, { store, key: 'acct' });
      const event = await restored;
      expect(event.sequence).toBe(1);
      expect(event.skipped).toEqual([{ sequence: 2, reason: expect.stringMatching(/^truncated/), location: newest }]);
      await expect(b.ask({ type: 'get' })).resolves.toBe(1);
    });
  });

  describe('store: a store that is slow to save', () => {
    it('saves one snapshot at a time, and the newest state once the running save ends', async () => {
      const store = new ControlledStore();
      const system = newSystem();
      const events = recordEvents(system);
      const ref = system.spawn(worker, { name: 'acct', snapshot: { store } });
      store.hold();
      const firstSave = store.nextSave();
      ref.tell({ type: 'inc', by: 1 });
      await firstSave;
      for (const by of [2, 3, 4]) ref.tell({ type: 'inc', by });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(10);
      expect(store.requested).toHaveLength(1);

      const secondSave = store.nextSave();
      store.release();
      const sequence = await secondSave;
      await nextEvent(system, 'snapshot-saved', (event) => event.sequence === sequence);
      expect(store.maxActive).toBe(1);
      expect(events.filter((event) => event.type === 'snapshot-failed')).toEqual([]);
      const successor = spawnAccount(newSystem(), { store: store.inner });
      await expect(successor.ask({ type: 'get' })).resolves.toBe(10);
    });
  });

  describe('KeyedState', () => {
    it('rolls back writes of a failed handler on restart, so each message counts once', async () => {
      const system = newSystem();
      const letters = recordDeadLetters(system);
      const ref = system.spawn(tally, { name: 'tally', snapshot: { everyMessages: 3 } });
      const adds = [
        { key: 'a', by: 1, failures: 0 },
        { key: 'b', by: 2, failures: 1 },
        { key: 'c', by: 4, failures: 3 }, // poison: fails maxRetries (3) times
        { key: 'a', by: 8, failures: 2 },
        { key: 'd', by: 16, failures: 0 },
      ];
      for (const { key, by, failures } of adds) ref.tell(add(key, by, failures));
      const entries = await ref.ask<Map<string, unknown>>({ type: 'entries' });
      expect(sortedEntries(entries)).toEqual(sortedEntries(tallyModel(adds, 3)));
      expect(letters.filter((letter) => letter.reason === 'poison').map((letter) => letter.message)).toEqual([expect.objectContaining({ key: 'c' })]);
    });

    it('ends equal to a model that applies each non-poison message once, whatever fails and however often it snapshots', async () => {
      const maxRetries = 3;
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              key: fc.constantFrom('a', 'b', 'c'),
              by: fc.integer({ min: 1, max: 9 }),
              failures: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxRetries })),
            }),
            { maxLength: 12 },
          ),
          fc.integer({ min: 1, max: 6 }),
          async (adds, everyMessages) => {
            // A bounded limit: a runtime that retries a message for ever fails the system instead of hanging.
            const system = newSystem({ supervisor: { maxRestarts: 200 } });
            try {
              const letters = recordDeadLetters(system);
              const ref = system.spawn(tally, { name: 'tally', snapshot: { everyMessages }, supervision: { maxRetries } });
              for (const { key, by, failures } of adds) ref.tell(add(key, by, failures));
              const entries = await ref.ask<Map<string, unknown>>({ type: 'entries' });
              expect(sortedEntries(entries)).toEqual(sortedEntries(tallyModel(adds, maxRetries)));
              const poison = letters.filter((letter) => letter.reason === 'poison');
              expect(poison).toHaveLength(adds.filter(({ failures }) => failures >= maxRetries).length);
            } finally {
              await system.shutdown();
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it('snapshots every 1000 messages by default', async () => {
      const system = newSystem();
      const ref = system.spawn(tally, { name: 'tally' });
      for (let i = 0; i < 999; i++) ref.tell(add('a', 1));
      const restarted = nextEvent(system, 'actor-restarted');
      ref.tell(add('a', 1, 1));
      await expect(restarted).resolves.toMatchObject({ from: 'snapshot', replayed: 1000 });
      for (let i = 0; i < 1000; i++) ref.tell(add('a', 1));
      const again = nextEvent(system, 'actor-restarted');
      ref.tell(add('a', 1, 1));
      await expect(again).resolves.toMatchObject({ replayed: 1 });
      const entries = await ref.ask<Map<string, unknown>>({ type: 'entries' });
      expect(entries.get('a')).toBe(2001);
    });
  });

  describe('everyMessages', () => {
    // After `before` messages, the last snapshot came after message before - before % n.
    const CASES = [1, 3, 5].flatMap((n) => Array.from({ length: 2 * n + 1 }, (_, before) => ({ n, before, failing: before + 1, replayed: (before % n) + 1 })));

    it.each(CASES)('replays $replayed (at most $n) with everyMessages $n when message $failing fails', async ({ n, before, replayed }) => {
      const system = newSystem();
      const ref = system.spawn(worker, { name: 'subject', snapshot: { everyMessages: n } });
      for (let i = 0; i < before; i++) ref.tell({ type: 'inc', by: 1 });
      const restarted = nextEvent(system, 'actor-restarted');
      ref.tell(flaky(new Error('boom'), { by: 100 }));
      const event = await restarted;
      expect(event).toMatchObject({ from: 'snapshot', replayed });
      expect(event.replayed).toBeLessThanOrEqual(n);
      await expect(ref.ask({ type: 'get' })).resolves.toBe(before + 100);
    });

    it('replays only the failed message for plain state by default', async () => {
      const system = newSystem();
      const ref = system.spawn(worker, { name: 'subject' });
      for (let i = 0; i < 5; i++) ref.tell({ type: 'inc', by: 1 });
      const restarted = nextEvent(system, 'actor-restarted');
      ref.tell(flaky(new Error('boom')));
      await expect(restarted).resolves.toMatchObject({ from: 'snapshot', replayed: 1 });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(5);
    });
  });
});
