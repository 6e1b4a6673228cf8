/**
 * The sequence book's numbering by checkpoint epoch: what an actor sends after a barrier is
 * numbered from that checkpoint's floor, so an actor that starts at the checkpoint numbers the
 * same sends the same, whatever it sent before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPOCH_SPAN, MAX_EPOCH, epochFloor, epochOf } from '../../../src/actors/internal/link-epochs.js';
import { SequenceBook } from '../../../src/actors/internal/sequence-book.js';

/** A run of an actor: sends, and barriers of increasing checkpoints. */
type Step = { readonly kind: 'send' } | { readonly kind: 'barrier' };

/** The numbers `book` hands out over `steps`, by the epoch they were sent in; barriers from `first` + 1 on. */
function numbersOf(book: SequenceBook, steps: readonly Step[], first: number): Map<number, number[]> {
  const byEpoch = new Map<number, number[]>();
  let epoch = first;
  for (const step of steps) {
    if (step.kind === 'barrier') {
      epoch++;
      expect(book.raiseTo(epoch)).toBe(true);
      continue;
    }
    const list = byEpoch.get(epoch) ?? [];
    list.push(book.next());
    byEpoch.set(epoch, list);
  }
  return byEpoch;
}

describe('link epochs', () => {
  it('puts the sends after a barrier above its floor and below the next one', () => {
    expect(epochFloor(0)).toBe(0);
    expect(epochFloor(3)).toBe(3 * EPOCH_SPAN);
    expect(epochOf(epochFloor(3) + 1)).toBe(3);
    expect(epochOf(epochFloor(4))).toBe(3);
    expect(epochOf(1)).toBe(0);
    expect(Number.isSafeInteger(epochFloor(MAX_EPOCH) + EPOCH_SPAN)).toBe(true);
  });

  it('refuses an epoch numbers cannot be made for', () => {
    expect(() => epochFloor(-1)).toThrow(RangeError);
    expect(() => epochFloor(1.5)).toThrow(RangeError);
    expect(() => epochFloor(MAX_EPOCH + 1)).toThrow(RangeError);
  });
});

describe('SequenceBook', () => {
  describe('raiseTo', () => {
    it('numbers the next send just above the epoch’s floor, and never goes down', () => {
      const book = new SequenceBook();
      expect(book.next()).toBe(1);
      expect(book.raiseTo(2)).toBe(true);
      expect(book.next()).toBe(epochFloor(2) + 1);
      expect(book.raiseTo(2)).toBe(false);
      expect(book.next()).toBe(epochFloor(2) + 2);
    });

    it('says so when the sends of an epoch spilled past the next floor', () => {
      const book = new SequenceBook();
      book.restore(epochFloor(1) + 5, new Map());
      expect(book.raiseTo(1)).toBe(false);
      expect(book.next()).toBe(epochFloor(1) + 6);
    });

    it('hands out nothing below a floor again after a rollback and a replay that stops short', () => {
      const book = new SequenceBook();
      const { seq, highWater } = book.snapshot();
      book.raiseTo(4);
      book.next();
      book.restore(seq, highWater);
      book.resumeAboveHighest();
      expect(book.next()).toBeGreaterThan(epochFloor(4) + 1);
    });

    it('numbers what follows a checkpoint the same in an actor that started there as in one that ran up to it', () => {
      const steps = fc.array(fc.constantFrom<Step>({ kind: 'send' }, { kind: 'send' }, { kind: 'barrier' }), { maxLength: 60 });
      fc.assert(
        fc.property(steps, fc.nat(20), (run, start) => {
          const through = numbersOf(new SequenceBook(), run, start);
          // Restarted at each barrier of the run in turn: from there on, the same numbers.
          let barrier = start;
          run.forEach((step, i) => {
            if (step.kind !== 'barrier') return;
            barrier++;
            const restarted = new SequenceBook();
            restarted.raiseTo(barrier);
            const after = numbersOf(restarted, run.slice(i + 1), barrier);
            for (const [epoch, numbers] of after) expect(numbers).toEqual(through.get(epoch));
          });
        }),
      );
    });
  });
});
