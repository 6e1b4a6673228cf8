/**
 * The contract every SnapshotStore keeps, written once and run against each implementation (see
 * memory-store.test.ts and file-store.test.ts). Values used here are those the file store's
 * msgpackr encoding round-trips: plain objects, arrays, Map (with any keys), Set, Date, bigint,
 * Uint8Array, strings, finite numbers (not -0), booleans, null and undefined.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import type { SnapshotEntry, SnapshotStore } from '../../src/state/snapshot-store.js';

/** A store made for one test, and how to clean up after it. */
export interface StoreFixture {
  readonly store: SnapshotStore;
  readonly dispose: () => Promise<void>;
}

/** Options the contract needs every store to take. */
export interface StoreSetupOptions {
  readonly chunkSize?: number;
}

/** Makes a fresh store for each test. */
export type StoreSetup = (options?: StoreSetupOptions) => Promise<StoreFixture>;

/** Keys that a careless encoding would mix up, escape with, or fail on. */
export const ODD_KEYS: readonly string[] = [
  'a/b',
  'a%2Fb',
  'a%2fb',
  'a\\b',
  'a',
  'A',
  '..',
  '.',
  '',
  ' ',
  'a b',
  'k-a',
  'CON',
  'nul\0byte',
  'ünïcödé',
  'u\u0308',
  '🐢',
  'x'.repeat(300),
  `${'x'.repeat(299)}y`,
];

/** The meta object the round-trip tests save. */
export function richMeta(): unknown {
  return {
    name: 'counter',
    nested: { list: [1, 'two', { three: [3, [4]] }], flag: true, nothing: null, missing: undefined },
    totals: new Map<unknown, unknown>([
      ['a', 1],
      [2, { b: [2] }],
      [{ composite: 'key' }, 'object key'],
    ]),
    tags: new Set(['x', 'y']),
    at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
    big: 2n ** 63n + 1n,
    small: -12.5,
    bytes: new Uint8Array([0, 1, 255]),
    unicode: 'żółw 🐢',
  };
}

/** Runs `action` and returns what it rejected with; fails when it resolves. */
export async function rejectionOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Declares the shared contract tests inside the caller's `describe`. */
export function describeSnapshotStoreContract(setup: StoreSetup): void {
  let fixture: StoreFixture | undefined;
  const make = async (options?: StoreSetupOptions): Promise<SnapshotStore> => {
    await fixture?.dispose();
    fixture = await setup(options);
    return fixture.store;
  };
  let store: SnapshotStore;

  beforeEach(async () => {
    store = await make();
  });
  afterEach(async () => {
    await fixture?.dispose();
    fixture = undefined;
  });

  describe('save', () => {
    it('round-trips meta made of nested objects, arrays, Maps, Sets, Dates, bigints and bytes', async () => {
      await store.save('counter', { sequence: 1, meta: richMeta() });
      const { snapshot, skipped } = await store.load('counter');
      expect(skipped).toEqual([]);
      expect(snapshot?.sequence).toBe(1);
      expect(snapshot?.meta).toEqual(richMeta());
      expect(snapshot?.entries).toEqual([]);
    });

    it.each([undefined, null, 0, 'text', [1, 2]])('round-trips %s as meta', async (meta) => {
      await store.save('plain', { sequence: 1, meta });
      expect((await store.load('plain')).snapshot?.meta).toEqual(meta);
    });

    it('round-trips entries in the order they were saved, across chunk boundaries', async () => {
      store = await make({ chunkSize: 3 });
      const entries: SnapshotEntry[] = [
        ['z', 1],
        [1, 'one'],
        [['composite', 2], { at: new Date(0) }],
        ['a', new Map([[1, 2]])],
        [null, undefined],
        ['z', 'duplicate keys are kept as given'],
        [2n, [1, [2]]],
      ];
      await store.save('ordered', { sequence: 1, meta: {}, entries });
      expect((await store.load('ordered')).snapshot?.entries).toEqual(entries);
    });

    it('reads entries from a Map iterator', async () => {
      const state = new Map(Array.from({ length: 25 }, (_, i) => [`key-${i}`, { count: i }] as const));
      await store.save('map', { sequence: 1, meta: {}, entries: state.entries() });
      expect((await store.load('map')).snapshot?.entries).toEqual([...state.entries()]);
    });

    it('reads the entries once and lets the event loop run between chunks', async () => {
      store = await make({ chunkSize: 4 });
      let reads = 0;
      let turns = 0;
      const turnsAtChunkStart: number[] = [];
      function* entries(): Generator<SnapshotEntry> {
        for (let i = 0; i < 20; i++) {
          if (i % 4 === 0) {
            turnsAtChunkStart.push(turns);
            setImmediate(() => turns++);
          }
          reads++;
          yield [i, i];
        }
      }
      await store.save('lazy', { sequence: 1, meta: {}, entries: entries() });
      expect(reads).toBe(20);
      // The immediate queued as a chunk starts has run before the next chunk is read.
      for (let chunk = 1; chunk < turnsAtChunkStart.length; chunk++) {
        expect(turnsAtChunkStart[chunk]).toBeGreaterThanOrEqual(chunk);
      }
      expect((await store.load('lazy')).snapshot?.entries).toHaveLength(20);
    });

    it('restores a snapshot saved without entries with an empty entries array', async () => {
      await store.save('bare', { sequence: 4, meta: 'm', entries: undefined });
      expect((await store.load('bare')).snapshot).toEqual({ sequence: 4, meta: 'm', entries: [] });
    });

    it.each([
      ['equal to', 2],
      ['below', 1],
    ])('rejects a sequence %s the newest with InvalidOptionError naming `sequence`', async (_, sequence) => {
      await store.save('counter', { sequence: 2, meta: 'kept' });
      const error = await rejectionOf(() => store.save('counter', { sequence, meta: 'refused' }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('sequence');
      expect((error as InvalidOptionError).received).toBe(sequence);
      expect((error as InvalidOptionError).message).toContain('"counter"');
      expect((await store.load('counter')).snapshot).toEqual({ sequence: 2, meta: 'kept', entries: [] });
    });

    it.each([-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3'])('rejects the sequence %s with InvalidOptionError naming `sequence`', async (sequence) => {
      const error = await rejectionOf(() => store.save('counter', { sequence: sequence as number, meta: {} }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('sequence');
      expect((await store.load('counter')).snapshot).toBeUndefined();
    });

    it('accepts sequence 0 and the largest safe integer', async () => {
      await store.save('edge', { sequence: 0, meta: 'first' });
      await store.save('edge', { sequence: Number.MAX_SAFE_INTEGER, meta: 'last' });
      expect((await store.load('edge')).snapshot?.sequence).toBe(Number.MAX_SAFE_INTEGER);
    });

    it.each([
      ['a non-iterable', { length: 1 }],
      ['an entry that is not a pair', [['a', 1], ['b']]],
      ['an entry that is not an array', [['a', 1], 'b']],
    ])('rejects %s as entries with InvalidOptionError naming `entries`', async (_, entries) => {
      await store.save('counter', { sequence: 1, meta: 'kept', entries: [['k', 'v']] });
      const error = await rejectionOf(() => store.save('counter', { sequence: 2, meta: 'refused', entries: entries as unknown as SnapshotEntry[] }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('entries');
      expect((await store.load('counter')).snapshot).toEqual({ sequence: 1, meta: 'kept', entries: [['k', 'v']] });
    });

    it('keeps the previous snapshot when reading the entries throws', async () => {
      await store.save('counter', { sequence: 1, meta: 'kept' });
      const failure = new Error('state is gone');
      function* entries(): Generator<SnapshotEntry> {
        yield ['a', 1];
        throw failure;
      }
      expect(await rejectionOf(() => store.save('counter', { sequence: 2, meta: 'x', entries: entries() }))).toBe(failure);
      expect((await store.load('counter')).snapshot?.meta).toBe('kept');
      await store.save('counter', { sequence: 2, meta: 'retried' });
      expect((await store.load('counter')).snapshot?.meta).toBe('retried');
    });

    it.each([
      ['a lone high surrogate', 'a\uD800b'],
      ['a lone low surrogate', '\uDC00'],
      ['a number', 7],
    ])('rejects %s as key with InvalidOptionError naming `key`', async (_, key) => {
      const error = await rejectionOf(() => store.save(key as string, { sequence: 1, meta: {} }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('key');
    });

    it('keeps keys with odd characters apart', async () => {
      for (const [index, key] of ODD_KEYS.entries()) {
        await store.save(key, { sequence: index, meta: { key }, entries: [[key, index]] });
      }
      for (const [index, key] of ODD_KEYS.entries()) {
        expect((await store.load(key)).snapshot).toEqual({ sequence: index, meta: { key }, entries: [[key, index]] });
      }
    });

    it('checks sequences per key', async () => {
      await store.save('one', { sequence: 5, meta: 1 });
      await store.save('two', { sequence: 1, meta: 2 });
      expect((await store.load('one')).snapshot?.sequence).toBe(5);
      expect((await store.load('two')).snapshot?.sequence).toBe(1);
    });
  });

  describe('load', () => {
    it('returns the snapshot with the highest sequence', async () => {
      for (const sequence of [1, 2, 7, 40]) {
        await store.save('counter', { sequence, meta: { sequence }, entries: [['at', sequence]] });
      }
      expect(await store.load('counter')).toEqual({
        snapshot: { sequence: 40, meta: { sequence: 40 }, entries: [['at', 40]] },
        skipped: [],
      });
    });

    it('returns no snapshot and no skips for an unknown key', async () => {
      await store.save('known', { sequence: 1, meta: {} });
      expect(await store.load('unknown')).toEqual({ snapshot: undefined, skipped: [] });
    });

    it('rejects a lone surrogate as key with InvalidOptionError naming `key`', async () => {
      const error = await rejectionOf(() => store.load('\uD800'));
      expect((error as InvalidOptionError).option).toBe('key');
    });
  });

  describe('delete', () => {
    it('removes every snapshot of the key and leaves other keys alone', async () => {
      await store.save('gone', { sequence: 1, meta: 1 });
      await store.save('gone', { sequence: 2, meta: 2 });
      await store.save('kept', { sequence: 1, meta: 'kept' });
      await store.delete('gone');
      expect(await store.load('gone')).toEqual({ snapshot: undefined, skipped: [] });
      expect((await store.load('kept')).snapshot?.meta).toBe('kept');
    });

    it('lets the next save of the key start again from any sequence', async () => {
      await store.save('counter', { sequence: 9, meta: 'old' });
      await store.delete('counter');
      await store.save('counter', { sequence: 1, meta: 'new' });
      expect((await store.load('counter')).snapshot).toEqual({ sequence: 1, meta: 'new', entries: [] });
    });

    it('does nothing for an unknown key', async () => {
      await store.delete('never-saved');
      expect(await store.load('never-saved')).toEqual({ snapshot: undefined, skipped: [] });
    });

    it('deletes a key with odd characters without touching its look-alikes', async () => {
      for (const [index, key] of ODD_KEYS.entries()) await store.save(key, { sequence: 1, meta: index });
      await store.delete('..');
      await store.delete('A');
      for (const [index, key] of ODD_KEYS.entries()) {
        const expected = key === '..' || key === 'A' ? undefined : index;
        expect((await store.load(key)).snapshot?.meta).toBe(expected);
      }
    });
  });
}
