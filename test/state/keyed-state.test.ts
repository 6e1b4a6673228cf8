import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { KeyedState, renewSnapshot, KeyedStateView, ViewReleasedError } from '../../src/state/keyed-state.js';

/** Runs `action` and returns what it threw; fails the test when it throws nothing. */
function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** A state holding a → 1, b → 2, c → 3, inserted in that order. */
function abc(): KeyedState<string, number> {
  return new KeyedState([
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ]);
}

interface Cart {
  readonly owner: string;
  readonly items: readonly string[];
}

describe('KeyedState', () => {
  describe('constructor', () => {
    it('starts empty without entries', () => {
      const state = new KeyedState<string, number>();
      expect(state.size).toBe(0);
      expect([...state]).toEqual([]);
    });

    it('holds the given entries in order, the last of a repeated key winning', () => {
      const state = new KeyedState([
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ]);
      expect([...state]).toEqual([
        ['a', 3],
        ['b', 2],
      ]);
      expect(state.size).toBe(2);
    });

    it('accepts any iterable of pairs, such as a Map', () => {
      const state = new KeyedState(new Map([[1, 'one']]));
      expect(state.get(1)).toBe('one');
    });
  });

  describe('get and has', () => {
    it('returns the value of a present key', () => {
      const state = abc();
      expect(state.get('b')).toBe(2);
      expect(state.has('b')).toBe(true);
    });

    it('returns undefined and false for an absent key', () => {
      const state = abc();
      expect(state.get('z')).toBeUndefined();
      expect(state.has('z')).toBe(false);
    });

    it('tells a key holding undefined from an absent key through has', () => {
      const state = new KeyedState<string, number | undefined>([['a', undefined]]);
      expect(state.get('a')).toBeUndefined();
      expect(state.has('a')).toBe(true);
      expect(state.size).toBe(1);
    });
  });

  describe('set', () => {
    it('adds a new key at the end of the order and returns the state for chaining', () => {
      const state = abc();
      expect(state.set('d', 4).set('e', 5)).toBe(state);
      expect([...state.keys()]).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(state.size).toBe(5);
    });

    it('replaces the value of an existing key in place, keeping its position', () => {
      const state = abc();
      state.set('a', 10);
      expect([...state]).toEqual([
        ['a', 10],
        ['b', 2],
        ['c', 3],
      ]);
      expect(state.size).toBe(3);
    });

    it('stores the value by reference, without copying it', () => {
      const value = { n: 1 };
      const state = new KeyedState<string, { n: number }>().set('a', value);
      expect(state.get('a')).toBe(value);
    });
  });

  describe('delete', () => {
    it('removes a present key and returns true', () => {
      const state = abc();
      expect(state.delete('b')).toBe(true);
      expect(state.has('b')).toBe(false);
      expect(state.size).toBe(2);
      expect([...state.keys()]).toEqual(['a', 'c']);
    });

    it('returns false for an absent key', () => {
      const state = abc();
      expect(state.delete('z')).toBe(false);
      expect(state.size).toBe(3);
    });

    it('returns false when deleting the same key twice while a view keeps it', () => {
      const state = abc();
      state.snapshot();
      expect(state.delete('a')).toBe(true);
      expect(state.delete('a')).toBe(false);
      expect(state.size).toBe(2);
    });

    it('puts a key deleted and set again at the end of the order when no view is active', () => {
      const state = abc();
      state.delete('a');
      state.set('a', 1);
      expect([...state.keys()]).toEqual(['b', 'c', 'a']);
    });
  });

  describe('clear', () => {
    it('removes every key', () => {
      const state = abc();
      state.clear();
      expect(state.size).toBe(0);
      expect([...state]).toEqual([]);
      expect(state.get('a')).toBeUndefined();
    });

    it('leaves an active view showing the entries as of its snapshot', () => {
      const state = abc();
      const view = state.snapshot();
      state.clear();
      expect(state.size).toBe(0);
      expect([...state]).toEqual([]);
      expect([...view]).toEqual([...abc()]);
      state.restore(view);
      expect([...state]).toEqual([...abc()]);
    });
  });

  describe('keys, values and entries', () => {
    it('iterate in insertion order', () => {
      const state = abc();
      expect([...state.keys()]).toEqual(['a', 'b', 'c']);
      expect([...state.values()]).toEqual([1, 2, 3]);
      expect([...state.entries()]).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect([...state]).toEqual([...state.entries()]);
    });

    it('skip keys deleted while a view is active', () => {
      const state = abc();
      state.snapshot();
      state.delete('b');
      expect([...state.keys()]).toEqual(['a', 'c']);
      expect([...state.values()]).toEqual([1, 3]);
      expect(new Map(state)).toEqual(
        new Map([
          ['a', 1],
          ['c', 3],
        ]),
      );
    });
  });

  describe('forEach', () => {
    it('calls back with value, key and the state, in order, binding thisArg', () => {
      const state = abc();
      const seen: unknown[] = [];
      const context = { tag: 'ctx' };
      state.forEach(function (this: unknown, value, key, self) {
        seen.push([key, value, self === state, this]);
      }, context);
      expect(seen).toEqual([
        ['a', 1, true, context],
        ['b', 2, true, context],
        ['c', 3, true, context],
      ]);
    });

    it('skips keys deleted while a view is active', () => {
      const state = abc();
      state.snapshot();
      state.delete('a');
      const keys: string[] = [];
      state.forEach((_, key) => keys.push(key));
      expect(keys).toEqual(['b', 'c']);
    });
  });

  describe('compute', () => {
    it('passes the current value, whether the key is present, the key and two arguments', () => {
      const state = new KeyedState<string, number | undefined>([
        ['a', 1],
        ['u', undefined],
      ]);
      const seen: unknown[] = [];
      const add = (n: number | undefined, present: boolean, key: string, by: number, tag: string): number => {
        seen.push([n, present, key, tag]);
        return (n ?? 0) + by;
      };
      expect(state.compute('a', add, 10, 'x')).toBe(11);
      expect(state.compute('u', add, 2, 'y')).toBe(2);
      expect(state.compute('z', add, 3, 'z')).toBe(3);
      expect(seen).toEqual([
        [1, true, 'a', 'x'],
        [undefined, true, 'u', 'y'],
        [undefined, false, 'z', 'z'],
      ]);
      expect([...state]).toEqual([
        ['a', 11],
        ['u', 2],
        ['z', 3],
      ]);
    });

    it('is recorded for active views and rolled back by restore', () => {
      const state = abc();
      const view = state.snapshot();
      state.compute('a', (n) => (n ?? 0) + 100, undefined, undefined);
      state.compute('new', () => 7, undefined, undefined);
      expect(view.get('a')).toBe(1);
      state.restore(view);
      expect([...state]).toEqual([...abc()]);
    });

    it('writes nothing when the function throws', () => {
      const state = abc();
      const view = state.snapshot();
      expect(() =>
        state.compute(
          'a',
          () => {
            throw new Error('boom');
          },
          undefined,
          undefined,
        ),
      ).toThrow('boom');
      expect(state.get('a')).toBe(1);
      expect(view.changedKeys).toBe(0);
    });
  });

  describe('update', () => {
    it('replaces the value with the function of the current one and returns it', () => {
      const state = abc();
      expect(state.update('a', (n) => (n ?? 0) + 10)).toBe(11);
      expect(state.get('a')).toBe(11);
    });

    it('passes undefined for an absent key and adds it', () => {
      const state = abc();
      let received: number | undefined = -1;
      state.update('z', (n) => {
        received = n;
        return 26;
      });
      expect(received).toBeUndefined();
      expect(state.get('z')).toBe(26);
      expect(state.size).toBe(4);
    });

    it('writes nothing when the function throws', () => {
      const state = abc();
      const view = state.snapshot();
      expect(() =>
        state.update('a', () => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(state.get('a')).toBe(1);
      expect(view.changedKeys).toBe(0);
    });

    it('lands on its key when the function releases a view, and the sweep that follows moves entries', () => {
      // Each of the 21 keys left, in turn: some keep their slot through the rehash, most do not.
      for (let target = 79; target < 100; target++) {
        for (const write of ['update', 'compute'] as const) {
          const state = new KeyedState<string, number>(Array.from({ length: 100 }, (_, i) => [`k${i}`, i] as const));
          const older = state.snapshot();
          for (let i = 0; i < 79; i++) state.delete(`k${i}`);
          const newer = state.snapshot();
          // Releasing the older view drops 79 tombstones: the table compacts and rehashes under the write.
          const next = (n: number | undefined): number => {
            older.release();
            return (n ?? 0) + 1000;
          };
          const key = `k${target}`;
          if (write === 'update') state.update(key, next);
          else state.compute(key, (n) => next(n), undefined, undefined);
          expect(state.get(key)).toBe(target + 1000);
          expect(new Map(state)).toEqual(new Map(Array.from({ length: 21 }, (_, i) => [`k${79 + i}`, 79 + i + (79 + i === target ? 1000 : 0)])));
          expect(newer.get(key)).toBe(target);
          expect(newer.size).toBe(21);
        }
      }
    });

    it('keeps the write of a function that deletes the key it updates', () => {
      const state = abc();
      state.update('a', () => {
        state.delete('a');
        return 5;
      });
      expect(state.get('a')).toBe(5);
      expect(state.size).toBe(3);
    });

    it('keeps the write of a function that deletes the key it updates while a view is active', () => {
      const state = abc();
      const view = state.snapshot();
      state.update('a', () => {
        state.delete('a');
        return 5;
      });
      expect(state.get('a')).toBe(5);
      expect(state.size).toBe(3);
      expect(view.get('a')).toBe(1);
      expect(view.changedKeys).toBe(1);
    });

    it('records the value before the update for an active view', () => {
      const state = abc();
      const view = state.snapshot();
      state.update('c', (n) => (n ?? 0) * 10);
      state.update('new', () => 1);
      expect(new Map(view)).toEqual(new Map(abc()));
      expect(view.changedKeys).toBe(2);
    });
  });

  describe('produce', () => {
    function carts(): KeyedState<string, Cart> {
      return new KeyedState<string, Cart>([
        ['c1', { owner: 'ann', items: ['pear'] }],
        ['c2', { owner: 'bob', items: ['fig'] }],
      ]);
    }

    it('applies the recipe to a draft of that one value and stores the new value', () => {
      const state = carts();
      const before = state.get('c1');
      const after = state.produce('c1', (cart) => {
        cart.items.push('apple');
      });
      expect(after).toEqual({ owner: 'ann', items: ['pear', 'apple'] });
      expect(state.get('c1')).toBe(after);
      expect(before).toEqual({ owner: 'ann', items: ['pear'] });
    });

    it('leaves every other value the same object', () => {
      const state = carts();
      const other = state.get('c2');
      state.produce('c1', (cart) => {
        cart.owner = 'cy';
      });
      expect(state.get('c2')).toBe(other);
    });

    it('shares the unchanged parts of the value and freezes the result', () => {
      const state = new KeyedState<string, { a: { n: number }; b: { n: number } }>([['k', { a: { n: 1 }, b: { n: 2 } }]]);
      const before = state.get('k');
      const after = state.produce('k', (draft) => {
        draft.a.n = 5;
      });
      expect(after.b).toBe(before?.b);
      expect(Object.isFrozen(after)).toBe(true);
    });

    it('does not write when the recipe changes nothing', () => {
      const state = carts();
      const view = state.snapshot();
      const before = state.get('c1');
      expect(state.produce('c1', () => {})).toBe(before);
      expect(view.changedKeys).toBe(0);
    });

    it('starts from initial when the key is absent', () => {
      const state = carts();
      const made = state.produce(
        'c3',
        (cart) => {
          cart.items.push('kiwi');
        },
        { owner: 'dee', items: [] },
      );
      expect(made).toEqual({ owner: 'dee', items: ['kiwi'] });
      expect(state.get('c3')).toBe(made);
    });

    it('stores initial for an absent key even when the recipe changes nothing', () => {
      const state = carts();
      const initial = { owner: 'dee', items: [] };
      state.produce('c3', () => {}, initial);
      expect(state.get('c3')).toEqual(initial);
    });

    it('ignores initial when the key is present', () => {
      const state = carts();
      const after = state.produce('c1', (cart) => void cart.items.pop(), { owner: 'x', items: ['y'] });
      expect(after).toEqual({ owner: 'ann', items: [] });
    });

    it('stores a value the recipe returns instead of mutating the draft', () => {
      const state = new KeyedState<string, number>([['n', 1]]);
      // For a primitive there is nothing to draft: the recipe returns the replacement.
      expect(state.produce('n', ((n: number) => n + 1) as unknown as (draft: number) => void)).toBe(2);
      expect(state.get('n')).toBe(2);
    });

    it('throws InvalidOptionError naming `initial` when the key is absent and no initial is given', () => {
      const state = carts();
      const thrown = catchError(() => state.produce('nope', () => {}));
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect((thrown as InvalidOptionError).option).toBe('initial');
      expect(state.has('nope')).toBe(false);
    });

    it('writes nothing when the recipe throws', () => {
      const state = carts();
      const before = state.get('c1');
      expect(() =>
        state.produce('c1', (cart) => {
          cart.owner = 'zed';
          throw new Error('bad recipe');
        }),
      ).toThrow('bad recipe');
      expect(state.get('c1')).toBe(before);
    });

    it('keeps the value a view saw when the produced value replaces it', () => {
      const state = carts();
      const view = state.snapshot();
      state.produce('c1', (cart) => {
        cart.items.push('plum');
      });
      expect(view.get('c1')).toEqual({ owner: 'ann', items: ['pear'] });
      expect(state.get('c1')?.items).toEqual(['pear', 'plum']);
    });
  });

  describe('snapshot', () => {
    it('yields the entries as of the snapshot while live writes continue', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('a', 10).set('d', 4);
      state.delete('b');
      expect([...view]).toEqual([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect([...state]).toEqual([
        ['a', 10],
        ['c', 3],
        ['d', 4],
      ]);
    });

    it('keeps each view at its snapshot through 200,000 writes of a few keys, written again after every view', () => {
      const atFirst = [...abc()];
      const atSecond = [
        ['a', 50_001],
        ['b', 2],
        ['c', 3],
        ['d', 50_000],
      ];
      const state = abc();
      const first = state.snapshot();
      const add = (n: number | undefined, present: boolean, _key: string, by: number): number => (present ? (n as number) : 0) + by;
      for (let i = 0; i < 100_000; i++) state.compute(i % 2 === 0 ? 'a' : 'd', add, 1, undefined);
      const second = state.snapshot();
      for (let i = 0; i < 100_000; i++) state.compute(i % 3 === 0 ? 'd' : 'b', add, 1, undefined);
      state.delete('c');
      expect([...first]).toEqual(atFirst);
      expect([...second]).toEqual(atSecond);
      expect(second.changedKeys).toBe(3);
      state.restore(second);
      state.set('a', 0);
      expect(state.get('d')).toBe(50_000);
      state.restore(first);
      expect([...state]).toEqual(atFirst);
      expect([...second]).toEqual(atSecond);
    });

    it('returns a KeyedStateView and counts it as active', () => {
      const state = abc();
      const view = state.snapshot();
      expect(view).toBeInstanceOf(KeyedStateView);
      expect(state.activeViews).toBe(1);
      view.release();
      expect(state.activeViews).toBe(0);
    });

    it('yields every entry exactly once when the state is written between the steps of the iteration', () => {
      const state = new KeyedState<number, string>(Array.from({ length: 10 }, (_, i) => [i, `v${i}`] as const));
      const view = state.snapshot();
      const iterator = view[Symbol.iterator]();
      const seen: [number, string][] = [];
      const take = (n: number) => {
        for (let i = 0; i < n; i++) {
          const step = iterator.next();
          if (step.done === true) return;
          seen.push(step.value);
        }
      };
      take(3);
      state.delete(0); // visited
      state.delete(5); // not visited yet
      state.set(6, 'changed'); // not visited yet
      state.set(1, 'changed'); // visited
      state.set(100, 'new');
      take(2);
      state.set(5, 'back'); // revived in place
      state.delete(9);
      state.clear();
      take(100);
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => [i, `v${i}`]));
    });

    it('keeps a key deleted before the iteration starts', () => {
      const state = abc();
      const view = state.snapshot();
      state.delete('a');
      state.set('a', 100);
      expect(new Map(view)).toEqual(new Map(abc()));
      expect([...state]).toEqual([
        ['a', 100],
        ['b', 2],
        ['c', 3],
      ]);
    });

    it('lets several views each keep their own snapshot', () => {
      const state = abc();
      const first = state.snapshot();
      state.set('a', 10);
      const second = state.snapshot();
      state.set('a', 100);
      state.delete('b');
      const third = state.snapshot();
      state.set('b', 20);
      expect(first.get('a')).toBe(1);
      expect(second.get('a')).toBe(10);
      expect(third.get('a')).toBe(100);
      expect(second.has('b')).toBe(true);
      expect(third.has('b')).toBe(false);
      expect(new Map(second)).toEqual(
        new Map([
          ['a', 10],
          ['b', 2],
          ['c', 3],
        ]),
      );
      second.release();
      expect(first.get('a')).toBe(1);
      expect(new Map(third)).toEqual(
        new Map([
          ['a', 100],
          ['c', 3],
        ]),
      );
    });

    it('does not show keys added after the snapshot', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('z', 26);
      expect(view.has('z')).toBe(false);
      expect(view.get('z')).toBeUndefined();
      expect(view.size).toBe(3);
    });
  });

  describe('restore', () => {
    it('rolls the live state back to the view', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('a', 10).set('d', 4);
      state.delete('b');
      state.restore(view);
      expect(new Map(state)).toEqual(new Map(abc()));
      expect(state.size).toBe(3);
      expect(state.has('d')).toBe(false);
    });

    it('leaves the view active, equal to live, with no changed keys', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('a', 10);
      state.restore(view);
      expect(view.released).toBe(false);
      expect(view.changedKeys).toBe(0);
      state.set('b', 20);
      expect(view.get('b')).toBe(2);
      expect(view.changedKeys).toBe(1);
      state.restore(view);
      expect(state.get('b')).toBe(2);
    });

    it('keeps other views at their own snapshots', () => {
      const state = abc();
      const older = state.snapshot();
      state.set('a', 10);
      const view = state.snapshot();
      state.set('a', 100).set('c', 30);
      const newer = state.snapshot();
      state.delete('c');
      state.restore(older);
      expect(new Map(state)).toEqual(new Map(abc()));
      expect(view.get('a')).toBe(10);
      expect(newer.get('a')).toBe(100);
      expect(newer.get('c')).toBe(30);
      state.restore(newer);
      expect(state.get('a')).toBe(100);
      expect(state.get('c')).toBe(30);
      expect(older.get('a')).toBe(1);
      state.restore(view);
      expect(new Map(state)).toEqual(new Map(view));
      expect(new Map(view)).toEqual(
        new Map([
          ['a', 10],
          ['b', 2],
          ['c', 3],
        ]),
      );
    });

    it('keeps an iteration of the same view correct when it runs mid-iteration', () => {
      const state = abc();
      const view = state.snapshot();
      state.delete('a');
      state.set('b', 20);
      const iterator = view.entries();
      const first = iterator.next();
      state.set('c', 30);
      state.restore(view);
      state.set('c', 300);
      expect([first.value, ...iterator]).toEqual([...abc()]);
    });

    it('drops the keys it removes once no view has recorded them, so they are added afresh', () => {
      const state = new KeyedState([['a', 1]]);
      const view = state.snapshot();
      state.set('c', 3).set('d', 4);
      state.restore(view);
      expect(state.size).toBe(1);
      state.set('d', 40).set('c', 30);
      expect([...state]).toEqual([
        ['a', 1],
        ['d', 40],
        ['c', 30],
      ]);
      expect([...view]).toEqual([['a', 1]]);
    });

    it('does nothing when nothing changed', () => {
      const state = abc();
      const view = state.snapshot();
      state.restore(view);
      expect([...state]).toEqual([...abc()]);
    });

    it('throws ViewReleasedError for a released view', () => {
      const state = abc();
      const view = state.snapshot();
      view.release();
      expect(() => state.restore(view)).toThrow(ViewReleasedError);
    });

    it('throws InvalidOptionError naming `view` for a view of another state', () => {
      const other = abc().snapshot();
      const thrown = catchError(() => abc().restore(other));
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect((thrown as InvalidOptionError).option).toBe('view');
    });

    it('rolls back views held through more writes than the log keeps, and they keep reading as at their snapshots', () => {
      // Past 65,536 logged writes the views that need the log are indexed instead: the same answers.
      const state = new KeyedState<number, number>(Array.from({ length: 50 }, (_, k) => [k, -k] as const));
      const model = new Map(state);
      const older = state.snapshot();
      const atOlder = new Map(model);
      let newer: KeyedStateView<number, number> | undefined;
      let atNewer = new Map<number, number>();
      for (let i = 0; i < 200_000; i++) {
        const key = (i * 7) % 60;
        if (i % 11 === 0) {
          state.delete(key);
          model.delete(key);
        } else {
          state.set(key, i);
          model.set(key, i);
        }
        if (i === 100_000) {
          newer = state.snapshot();
          atNewer = new Map(model);
        }
      }
      expect(new Map(state)).toEqual(model);
      expect(new Map(older)).toEqual(atOlder);
      expect(new Map(newer)).toEqual(atNewer);
      expect(older.changedKeys).toBe(60);
      state.restore(older);
      expect(new Map(state)).toEqual(atOlder);
      expect(new Map(newer)).toEqual(atNewer);
      state.restore(newer as KeyedStateView<number, number>);
      expect(new Map(state)).toEqual(atNewer);
      expect(new Map(older)).toEqual(atOlder);
    });
  });
});

describe('KeyedStateView', () => {
  describe('size', () => {
    it('is the entry count at the snapshot', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('d', 4);
      state.delete('a');
      state.delete('b');
      expect(view.size).toBe(3);
      expect(state.size).toBe(2);
    });
  });

  describe('get and has', () => {
    it('read as of the snapshot, for changed, deleted, added and untouched keys', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('a', 10);
      state.delete('b');
      state.set('d', 4);
      expect(view.get('a')).toBe(1);
      expect(view.get('b')).toBe(2);
      expect(view.has('b')).toBe(true);
      expect(view.get('c')).toBe(3);
      expect(view.has('d')).toBe(false);
    });

    it('tell a key holding undefined at the snapshot from an absent one', () => {
      const state = new KeyedState<string, number | undefined>([['u', undefined]]);
      const view = state.snapshot();
      state.set('u', 1);
      expect(view.has('u')).toBe(true);
      expect(view.get('u')).toBeUndefined();
      expect([...view]).toEqual([['u', undefined]]);
    });
  });

  describe('keys and values', () => {
    it('follow the entries of the snapshot', () => {
      const state = abc();
      const view = state.snapshot();
      state.set('b', 20);
      expect([...view.keys()]).toEqual(['a', 'b', 'c']);
      expect([...view.values()]).toEqual([1, 2, 3]);
    });
  });

  describe('changedKeys', () => {
    it('counts each key written since the snapshot once', () => {
      const state = abc();
      const view = state.snapshot();
      expect(view.changedKeys).toBe(0);
      state.set('a', 10).set('a', 11).set('d', 4);
      state.delete('b');
      state.update('a', (n) => (n ?? 0) + 1);
      expect(view.changedKeys).toBe(3);
    });
  });

  describe('release', () => {
    it('makes every later use throw ViewReleasedError', () => {
      const state = abc();
      const view = state.snapshot();
      view.release();
      expect(view.released).toBe(true);
      for (const use of [() => view.size, () => view.changedKeys, () => view.get('a'), () => view.has('a'), () => view.entries(), () => [...view]]) {
        const thrown = catchError(use);
        expect(thrown).toBeInstanceOf(ViewReleasedError);
        expect((thrown as ViewReleasedError).code).toBe('VIEW_RELEASED');
        expect((thrown as Error).message).toMatch(/released/);
      }
    });

    it('makes the next step of an iteration begun before it throw', () => {
      const state = abc();
      const view = state.snapshot();
      const iterator = view[Symbol.iterator]();
      iterator.next();
      view.release();
      expect(() => iterator.next()).toThrow(ViewReleasedError);
    });

    it('does nothing the second time, leaving other views active', () => {
      const state = abc();
      const view = state.snapshot();
      const other = state.snapshot();
      view.release();
      expect(() => view.release()).not.toThrow();
      expect(state.activeViews).toBe(1);
      state.set('a', 10);
      expect(other.get('a')).toBe(1);
      expect(other.changedKeys).toBe(1);
    });

    it('drops deleted keys no other view needs, leaving live reads unchanged', () => {
      const state = abc();
      const view = state.snapshot();
      state.delete('a');
      state.delete('b');
      const other = state.snapshot();
      view.release();
      expect(state.size).toBe(1);
      expect([...state]).toEqual([['c', 3]]);
      expect([...other]).toEqual([['c', 3]]);
      state.set('a', 1);
      expect([...state.keys()]).toEqual(['c', 'a']);
    });
  });
});

describe('renewSnapshot', () => {
  it('moves a view to the state as it is now, keeping the view, and leaves other views as they were', () => {
    const state = new KeyedState<string, number>([['a', 1]]);
    const older = state.snapshot();
    let view = state.snapshot();
    state.set('a', 2).set('b', 3);
    const renewed = renewSnapshot(state, view);
    expect(renewed).toBe(view);
    expect([...renewed]).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    state.set('a', 4);
    state.delete('b');
    expect([...renewed]).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    expect([...older]).toEqual([['a', 1]]);
    state.restore(renewed);
    expect([...state]).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    expect(state.activeViews).toBe(2);
    view = renewSnapshot(state, view);
    expect(state.activeViews).toBe(2);
  });

  it('releases a view it cannot move (released, or of another state) and takes a new snapshot', () => {
    const state = new KeyedState<string, number>([['a', 1]]);
    const other = new KeyedState<string, number>([['z', 9]]);
    const released = state.snapshot();
    released.release();
    const fresh = renewSnapshot(state, released);
    expect(fresh === released).toBe(false);
    expect([...fresh]).toEqual([['a', 1]]);
    const foreign = other.snapshot();
    const mine = renewSnapshot(state, foreign);
    expect(foreign.released).toBe(true);
    expect(other.activeViews).toBe(0);
    expect([...mine]).toEqual([['a', 1]]);
    expect(state.activeViews).toBe(2);
  });
});
