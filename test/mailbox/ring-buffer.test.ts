import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { RingBuffer } from '../../src/mailbox/ring-buffer.js';
import { catchError } from './helpers.js';

/** A buffer holding `items`, pushed in order. */
function filled<T>(capacity: number, items: readonly T[]): RingBuffer<T> {
  const ring = new RingBuffer<T>(capacity);
  for (const item of items) expect(ring.push(item)).toBe(true);
  return ring;
}

describe('RingBuffer', () => {
  describe('constructor', () => {
    it.each([0, -1, 1.5, Number.NaN])('throws InvalidOptionError naming `capacity` for %s', (capacity) => {
      const thrown = catchError(() => new RingBuffer(capacity));
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      const error = thrown as InvalidOptionError;
      expect(error.option).toBe('capacity');
      expect(error.received).toBe(capacity);
      expect(error.message).toContain('`capacity`');
    });

    it('accepts Infinity and holds far more than the initial storage', () => {
      const items = Array.from({ length: 1000 }, (_, i) => i);
      const ring = filled(Infinity, items);
      expect(ring.capacity).toBe(Infinity);
      expect(ring.size).toBe(1000);
      expect(ring.isFull).toBe(false);
      expect(ring.drain()).toEqual(items);
    });

    it('accepts a capacity of 1', () => {
      const ring = filled(1, ['a']);
      expect(ring.isFull).toBe(true);
      expect(ring.push('b')).toBe(false);
      expect(ring.shift()).toBe('a');
      expect(ring.push('c')).toBe(true);
      expect(ring.toArray()).toEqual(['c']);
    });
  });

  describe('push', () => {
    it('reads a buffer never pushed to as empty, and fills one of capacity 3 to exactly 3 from its first push', () => {
      const ring = new RingBuffer<number>(3);
      expect([ring.size, ring.peek(), ring.shift(), ring.toArray(), ring.drain()]).toEqual([0, undefined, undefined, [], []]);
      expect(ring.remove(() => true)).toBeUndefined();
      expect([1, 2, 3, 4].map((n) => ring.push(n))).toEqual([true, true, true, false]);
      expect(ring.drain()).toEqual([1, 2, 3]);
    });

    it('keeps items in FIFO order', () => {
      const ring = filled(8, [1, 2, 3]);
      expect(ring.shift()).toBe(1);
      expect(ring.shift()).toBe(2);
      expect(ring.shift()).toBe(3);
      expect(ring.shift()).toBeUndefined();
    });

    it('returns false and stores nothing when full', () => {
      const ring = filled(3, ['a', 'b', 'c']);
      expect(ring.isFull).toBe(true);
      expect(ring.push('d')).toBe(false);
      expect(ring.size).toBe(3);
      expect(ring.toArray()).toEqual(['a', 'b', 'c']);
    });

    it('grows past the initial 16 slots and keeps order across the wrap-around', () => {
      const ring = filled(
        100,
        Array.from({ length: 10 }, (_, i) => i),
      );
      // Move the head to slot 7 so the next pushes wrap around the 16-slot storage before it grows.
      for (let i = 0; i < 7; i++) expect(ring.shift()).toBe(i);
      for (let i = 10; i < 60; i++) expect(ring.push(i)).toBe(true);
      const expected = Array.from({ length: 53 }, (_, i) => i + 7);
      expect(ring.size).toBe(53);
      expect(ring.toArray()).toEqual(expected);
      expect(ring.drain()).toEqual(expected);
    });

    it('grows only up to the capacity when the capacity is not a power of two', () => {
      const items = Array.from({ length: 20 }, (_, i) => i);
      const ring = filled(20, items);
      expect(ring.isFull).toBe(true);
      expect(ring.push(20)).toBe(false);
      expect(ring.toArray()).toEqual(items);
    });
  });

  describe('shift', () => {
    it('returns undefined when empty', () => {
      expect(new RingBuffer<number>(4).shift()).toBeUndefined();
    });

    it('frees a slot so a full buffer accepts one more item', () => {
      const ring = filled(2, ['a', 'b']);
      expect(ring.shift()).toBe('a');
      expect(ring.isFull).toBe(false);
      expect(ring.push('c')).toBe(true);
      expect(ring.toArray()).toEqual(['b', 'c']);
    });
  });

  describe('peek', () => {
    it('returns the oldest item without removing it', () => {
      const ring = filled(4, ['a', 'b']);
      expect(ring.peek()).toBe('a');
      expect(ring.peek()).toBe('a');
      expect(ring.size).toBe(2);
      ring.shift();
      expect(ring.peek()).toBe('b');
    });

    it('returns undefined when empty', () => {
      const ring = filled(4, ['a']);
      ring.shift();
      expect(ring.peek()).toBeUndefined();
    });
  });

  describe('drain', () => {
    it('removes every item and returns them oldest first', () => {
      const ring = filled(4, ['a', 'b', 'c', 'd']);
      ring.shift();
      ring.push('e'); // wraps around
      expect(ring.drain()).toEqual(['b', 'c', 'd', 'e']);
      expect(ring.size).toBe(0);
      expect(ring.peek()).toBeUndefined();
      expect(ring.drain()).toEqual([]);
    });

    it('leaves the buffer usable to its full capacity', () => {
      const ring = filled(3, ['a', 'b', 'c']);
      ring.drain();
      expect(ring.push('x')).toBe(true);
      expect(ring.push('y')).toBe(true);
      expect(ring.push('z')).toBe(true);
      expect(ring.push('overflow')).toBe(false);
      expect(ring.toArray()).toEqual(['x', 'y', 'z']);
    });
  });

  describe('remove', () => {
    it('removes the oldest item the predicate accepts and keeps the others in order, across the wrap-around', () => {
      const ring = filled(4, ['a', 'b', 'c', 'd']);
      ring.shift();
      ring.push('x'); // wraps around: b c d x
      expect(ring.remove((item) => item === 'c' || item === 'x')).toBe('c');
      expect(ring.toArray()).toEqual(['b', 'd', 'x']);
      expect(ring.push('y')).toBe(true);
      expect(ring.push('z')).toBe(false);
      expect(ring.drain()).toEqual(['b', 'd', 'x', 'y']);
    });

    it('returns undefined and changes nothing when no item matches', () => {
      const ring = filled(3, [1, 2, 3]);
      expect(ring.remove((item) => item > 3)).toBeUndefined();
      expect(ring.toArray()).toEqual([1, 2, 3]);
      expect(ring.isFull).toBe(true);
    });
  });

  describe('toArray', () => {
    it('returns the items oldest first without removing them', () => {
      const ring = filled(4, [1, 2, 3, 4]);
      ring.shift();
      ring.shift();
      ring.push(5);
      expect(ring.toArray()).toEqual([3, 4, 5]);
      expect(ring.size).toBe(3);
      expect(ring.shift()).toBe(3);
    });

    it('returns a copy that later pushes do not change', () => {
      const ring = filled(4, [1]);
      const snapshot = ring.toArray();
      ring.push(2);
      expect(snapshot).toEqual([1]);
    });
  });
});
