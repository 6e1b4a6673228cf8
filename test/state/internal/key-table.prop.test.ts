import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { hashKey } from '../../../src/state/internal/key-hash.js';
import { KeyTable } from '../../../src/state/internal/key-table.js';

/** Keys of every kind a Map takes, with the SameValueZero corner cases (-0 and 0, NaN). */
const OBJECT_KEYS = [{}, [], () => 0] as const;
const SYMBOL_KEYS = [Symbol('a'), Symbol('a'), Symbol.for('sluice.key-table')] as const;
const SPECIAL_KEYS: readonly unknown[] = [
  0,
  -0,
  Number.NaN,
  1.5,
  -1.5,
  2 ** 31,
  -(2 ** 31) - 1,
  Infinity,
  -Infinity,
  Number.MAX_SAFE_INTEGER,
  '',
  'a',
  'A',
  'ab',
  'é',
  '0',
  true,
  false,
  null,
  undefined,
  0n,
  1n,
  2n ** 80n,
  ...OBJECT_KEYS,
  ...SYMBOL_KEYS,
];

/** Small integers make long runs of colliding writes; the specials check equality. */
const keyArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -60, max: 260 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) },
);

type Op =
  | { readonly kind: 'set'; readonly key: unknown; readonly value: number }
  /** A write as KeyedState makes it: `find`, then `setAt` for a key present or `insert` for one absent. */
  | { readonly kind: 'found-set'; readonly key: unknown; readonly value: number }
  | { readonly kind: 'delete'; readonly key: unknown }
  | { readonly kind: 'clear' }
  | { readonly kind: 'fill'; readonly from: number; readonly count: number }
  | { readonly kind: 'drain'; readonly from: number; readonly count: number }
  | { readonly kind: 'iterate'; readonly cursor: number; readonly take: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('found-set' as const), key: keyArb, value: fc.integer() }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  // Many inserts or deletes at once: the table grows, shrinks and compacts under open iterators.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fill' as const), from: fc.integer({ min: 0, max: 300 }), count: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const), from: fc.integer({ min: 0, max: 300 }), count: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('iterate' as const), cursor: fc.nat(3), take: fc.oneof(fc.nat(8), fc.nat(200)) }) },
);

/** Entries compared with Object.is, so NaN, -0 and identities count. */
function sameEntries(actual: readonly (readonly [unknown, unknown])[], expected: readonly (readonly [unknown, unknown])[]): boolean {
  return actual.length === expected.length && actual.every(([k, v], i) => Object.is(k, expected[i]?.[0]) && Object.is(v, expected[i]?.[1]));
}

describe('KeyTable', () => {
  it.prop([fc.array(opArb, { maxLength: 120 })], { numRuns: 300 })(
    'behaves as a Map, iterators included, through growth, deletes, compaction and clears, written by set or by find then setAt or insert',
    (ops) => {
      const table = new KeyTable<unknown, number>();
      const model = new Map<unknown, number>();
      const cursors: { table: Iterator<[unknown, number]>; model: Iterator<[unknown, number]>; done: boolean }[] = [];
      const set = (key: unknown, value: number): void => {
        table.set(key, value);
        model.set(key, value);
      };
      const remove = (key: unknown): void => {
        expect(table.delete(key)).toBe(model.delete(key));
      };
      for (const op of ops) {
        // A find result holds while `changes` stays the same.
        const held = [...model.keys()][0];
        const heldRef = table.find(held);
        const changes = table.changes;
        switch (op.kind) {
          case 'set':
            set(op.key, op.value);
            break;
          case 'found-set': {
            const ref = table.find(op.key);
            if (ref >= 0) table.setAt(ref, op.value);
            else table.insert(op.key, op.value);
            model.set(op.key, op.value);
            break;
          }
          case 'delete':
            remove(op.key);
            break;
          case 'clear':
            table.clear();
            model.clear();
            break;
          case 'fill':
            for (let i = 0; i < op.count; i++) set(op.from + i, i);
            break;
          case 'drain':
            for (let i = 0; i < op.count; i++) remove(op.from + i);
            break;
          case 'iterate': {
            const cursor = (cursors[op.cursor] ??= { table: table.entries(), model: model.entries(), done: false });
            const taken: [unknown, number][] = [];
            const expected: [unknown, number][] = [];
            for (let i = 0; i < op.take && !cursor.done; i++) {
              const a = cursor.table.next();
              const b = cursor.model.next();
              expect(a.done).toBe(b.done);
              if (b.done === true) cursor.done = true;
              else {
                taken.push(a.value as [unknown, number]);
                expected.push(b.value);
              }
            }
            expect(sameEntries(taken, expected)).toBe(true);
            if (cursor.done) cursors[op.cursor] = undefined as never;
            break;
          }
        }
        expect(table.size).toBe(model.size);
        if (table.changes === changes && model.has(held)) expect(table.find(held)).toBe(heldRef);
      }
      for (const key of [...SPECIAL_KEYS, ...model.keys()]) {
        expect(table.has(key)).toBe(model.has(key));
        expect(table.get(key)).toBe(model.get(key));
        const ref = table.find(key);
        expect(ref >= 0).toBe(model.has(key));
        if (ref >= 0) expect(table.valueAt(ref)).toBe(model.get(key));
      }
      expect(sameEntries([...table], [...model])).toBe(true);
      expect([...table.keys()].every((key, i) => Object.is(key, [...model.keys()][i]))).toBe(true);
      expect([...table.values()]).toEqual([...model.values()]);
    },
  );

  it.prop([fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 120 }), fc.array(opArb, { maxLength: 40 })], { numRuns: 300 })(
    'walks its entries with forEach as a Map does, seeing writes made during the walk',
    (initial, during) => {
      const table = new KeyTable<unknown, number>();
      const model = new Map<unknown, number>();
      for (const [key, value] of initial) {
        table.set(key, value);
        model.set(key, value);
      }
      // The i-th entry visited applies the i-th write to its own structure: both walk the same states.
      const walk = (
        target: { set(key: unknown, value: number): unknown; delete(key: unknown): unknown; clear(): void },
        visit: (fn: (value: number, key: unknown) => void) => void,
      ) => {
        const seen: [unknown, number][] = [];
        visit((value, key) => {
          seen.push([key, value]);
          const op = during[seen.length - 1];
          if (op === undefined) return;
          if (op.kind === 'set') target.set(op.key, op.value);
          else if (op.kind === 'delete') target.delete(op.key);
          else if (op.kind === 'clear') target.clear();
          else if (op.kind === 'fill') for (let i = 0; i < op.count; i++) target.set(op.from + i, i);
          else if (op.kind === 'drain') for (let i = 0; i < op.count; i++) target.delete(op.from + i);
        });
        return seen;
      };
      const visited = walk(table, (fn) => table.forEach(fn));
      const expected = walk(model, (fn) => model.forEach(fn));
      expect(sameEntries(visited, expected)).toBe(true);
      expect(sameEntries([...table], [...model])).toBe(true);
    },
  );

  it.prop([fc.array(fc.tuple(keyArb, fc.integer()), { maxLength: 200 })])('replaces a value in place through find and setAt', (writes) => {
    const table = new KeyTable<unknown, number>();
    const model = new Map<unknown, number>();
    for (const [key, value] of writes) {
      const ref = table.find(key);
      if (ref >= 0) table.setAt(ref, value);
      else table.set(key, value);
      model.set(key, value);
    }
    expect(sameEntries([...table], [...model])).toBe(true);
  });

  it.prop([fc.array(opArb, { maxLength: 120 }), fc.array(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { minLength: 1 })], { numRuns: 300 })(
    "keeps each entry's mark through growth, deletes, compaction and clears, and gives a new entry the mark 0",
    (ops, marks) => {
      const table = new KeyTable<unknown, number>();
      const model = new Map<unknown, number>();
      const marked = new Map<unknown, number>();
      ops.forEach((op, i) => {
        const mark = marks[i % marks.length] as number;
        switch (op.kind) {
          case 'set':
          case 'found-set': {
            const ref = table.find(op.key);
            if (ref >= 0) {
              table.setAt(ref, op.value);
              // A write of a present key leaves its mark; every other op marks it anew.
              if (op.kind === 'set') break;
              table.setMarkAt(ref, mark);
              marked.set(op.key, mark);
            } else if (op.kind === 'set') {
              table.insert(op.key, op.value);
              marked.delete(op.key);
            } else {
              const inserted = table.insert(op.key, op.value);
              expect(table.valueAt(inserted)).toBe(op.value);
              expect(table.markAt(inserted)).toBe(0);
              table.setMarkAt(inserted, mark);
              marked.set(op.key, mark);
            }
            model.set(op.key, op.value);
            break;
          }
          case 'delete':
            table.delete(op.key);
            model.delete(op.key);
            marked.delete(op.key);
            break;
          case 'iterate':
            break;
          case 'clear':
            table.clear();
            model.clear();
            marked.clear();
            break;
          case 'fill':
            for (let k = 0; k < op.count; k++) {
              const key = op.from + k;
              const ref = table.find(key);
              table.setMarkAt(ref >= 0 ? ref : table.insert(key, k), mark);
              if (ref < 0) model.set(key, k);
              marked.set(key, mark);
            }
            break;
          case 'drain':
            for (let k = 0; k < op.count; k++) {
              table.delete(op.from + k);
              model.delete(op.from + k);
              marked.delete(op.from + k);
            }
            break;
        }
      });
      for (const key of model.keys()) expect(table.markAt(table.find(key))).toBe(marked.get(key) ?? 0);
    },
  );

  it('sets every mark back to 0 with clearMarks', () => {
    const table = new KeyTable<string, number>();
    table.setMarkAt(table.insert('a', 1), 7);
    table.set('b', 2);
    table.setMarkAt(table.find('b'), 9);
    table.clearMarks();
    expect(table.markAt(table.find('a'))).toBe(0);
    expect(table.markAt(table.find('b'))).toBe(0);
    expect(table.get('a')).toBe(1);
  });

  it('keeps an iterator in place when deletes behind it compact the order', () => {
    const table = new KeyTable<number, number>();
    for (let k = 0; k < 300; k++) table.set(k, k);
    const iterator = table.keys();
    for (let k = 0; k < 200; k++) iterator.next();
    // 200 holes behind the iterator and 100 entries: the order is compacted.
    for (let k = 0; k < 200; k++) table.delete(k);
    table.set(1000, 0);
    expect([...iterator]).toEqual([...Array.from({ length: 100 }, (_, i) => 200 + i), 1000]);
  });

  it.prop([fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 300 }), fc.nat(2000)])(
    'keeps entries, order and open iterators through reserve',
    (keys, room) => {
      const table = new KeyTable<number, number>();
      const model = new Map<number, number>();
      const half = keys.length >> 1;
      keys.slice(0, half).forEach((key, i) => (table.set(key, i), model.set(key, i)));
      const iterator = table.keys();
      const modelIterator = model.keys();
      expect(iterator.next()).toEqual(modelIterator.next());
      table.reserve(room);
      keys.slice(half).forEach((key, i) => (table.set(key, i), model.set(key, i)));
      expect(sameEntries([...table], [...model])).toBe(true);
      expect([...iterator]).toEqual([...modelIterator]);
    },
  );

  it('holds 250,000 integer keys and finds each', () => {
    const table = new KeyTable<number, number>();
    for (let k = 0; k < 250_000; k++) table.set(k * 7919, k);
    let wrong = 0;
    for (let k = 0; k < 250_000; k++) if (table.get(k * 7919) !== k) wrong++;
    expect(wrong).toBe(0);
    expect(table.size).toBe(250_000);
    expect(table.has(-1)).toBe(false);
  });
});

describe('hashKey', () => {
  it('hashes keys a Map holds as one key alike', () => {
    expect(hashKey(-0)).toBe(hashKey(0));
    expect(hashKey(Number.NaN)).toBe(hashKey(0 / 0));
    expect(hashKey('ab')).toBe(hashKey(['a', 'b'].join('')));
    expect(hashKey(2n ** 80n)).toBe(hashKey(2n ** 80n));
    const object = {};
    expect(hashKey(object)).toBe(hashKey(object));
    expect(hashKey(Symbol.for('x'))).toBe(hashKey(Symbol.for('x')));
  });

  it.prop([fc.integer()])('returns a signed 32-bit integer', (n) => {
    for (const key of [n, String(n), n + 0.5, BigInt(n)]) expect(hashKey(key) | 0).toBe(hashKey(key));
  });

  it('is seeded per process, so colliding keys cannot be picked in advance', async () => {
    const script = "import('./src/state/internal/key-hash.ts').then(({ hashKey }) => console.log([hashKey('user-1'), hashKey(42), hashKey(0.5)].join()))";
    const run = async (): Promise<string> => (await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script])).stdout.trim();
    const [first, second] = await Promise.all([run(), run()]);
    // Each of three 32-bit hashes equal by chance: about one in 2⁹⁶.
    expect(first).not.toBe(second);
    expect(first?.split(',')).toHaveLength(3);
  });

  it('spreads consecutive integers over the low bits', () => {
    const buckets = new Uint32Array(1024);
    for (let k = 0; k < 65_536; k++) (buckets[hashKey(k) & 1023] as number)++;
    // 64 expected per bucket; a weak mix of sequential keys would leave many empty or overfull.
    expect(Math.max(...buckets)).toBeLessThan(128);
    expect(Math.min(...buckets)).toBeGreaterThan(16);
  });
});
