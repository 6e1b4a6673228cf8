import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { RingBuffer } from '../../src/mailbox/ring-buffer.js';

type Op =
  | { readonly kind: 'push'; readonly item: number }
  | { readonly kind: 'shift' }
  | { readonly kind: 'peek' }
  | { readonly kind: 'drain' }
  | { readonly kind: 'remove'; readonly item: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }).map((item) => ({ kind: 'push', item }) as const) },
  { weight: 4, arbitrary: fc.constant({ kind: 'shift' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'peek' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drain' } as const) },
  // Small items, so a removal often finds one, and often finds more than one equal item.
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }).map((item) => ({ kind: 'remove', item }) as const) },
);

// Capacities around and past the 16-slot initial storage, so growth and wrap-around both happen.
const capacityArb = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(Infinity));

describe('RingBuffer', () => {
  describe('push, shift, peek, drain, remove and highWaterMark', () => {
    it.prop([capacityArb, fc.array(opArb, { maxLength: 200 })])('behaves like a bounded array queue for any sequence of operations', (capacity, ops) => {
      const ring = new RingBuffer<number>(capacity);
      const model: number[] = [];
      let highWaterMark = 0;
      for (const op of ops) {
        switch (op.kind) {
          case 'push': {
            const fits = model.length < capacity;
            if (fits) model.push(op.item);
            expect(ring.push(op.item)).toBe(fits);
            break;
          }
          case 'shift':
            expect(ring.shift()).toBe(model.shift());
            break;
          case 'peek':
            expect(ring.peek()).toBe(model[0]);
            break;
          case 'drain':
            expect(ring.drain()).toEqual(model.splice(0));
            break;
          case 'remove': {
            const at = model.indexOf(op.item);
            if (at >= 0) model.splice(at, 1);
            expect(ring.remove((item) => item === op.item)).toBe(at >= 0 ? op.item : undefined);
            break;
          }
        }
        highWaterMark = Math.max(highWaterMark, model.length);
        expect(ring.size).toBe(model.length);
        expect(ring.highWaterMark).toBe(highWaterMark);
        expect(ring.size).toBeLessThanOrEqual(capacity);
        expect(ring.isFull).toBe(model.length >= capacity);
        expect(ring.toArray()).toEqual(model);
      }
    });
  });
});
