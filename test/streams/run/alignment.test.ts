import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mustWait, senderOf, withBarrier, withWaiting, type Alignment } from '../../../src/streams/run/alignment.js';
import type { StageMessage } from '../../../src/streams/run/messages.js';
import { batchOf } from './stage-messages.js';

describe('barrier alignment', () => {
  describe('mustWait', () => {
    it('holds back only what comes from an input whose barrier has arrived', () => {
      const aligning = withBarrier(undefined, 7, 1, 3);
      expect(mustWait(undefined, batchOf(1, ['a']))).toBe(false);
      expect(mustWait(aligning, batchOf(1, ['a']))).toBe(true);
      expect(mustWait(aligning, batchOf(0, ['a']))).toBe(false);
      expect(mustWait(aligning, { type: 'watermark', from: 1, watermark: 5, idle: false })).toBe(true);
    });

    it('never holds back what has no sender: ticks, commits and queries', () => {
      const aligning = withBarrier(undefined, 7, 0, 1);
      for (const message of [{ type: 'tick' }, { type: 'query', key: 'k' }, { type: 'commit', token: null, completed: false }] as StageMessage<unknown>[]) {
        expect(senderOf(message)).toBeUndefined();
        expect(mustWait(aligning, message)).toBe(false);
      }
    });
  });

  describe('withBarrier and withWaiting', () => {
    it('counts each input once it sent its barrier, and keeps what waited in arrival order, never changing an earlier value', () => {
      fc.assert(
        fc.property(
          fc
            .integer({ min: 1, max: 5 })
            .chain((inputs) => fc.tuple(fc.constant(inputs), fc.array(fc.tuple(fc.nat({ max: inputs - 1 }), fc.boolean()), { maxLength: 30 }))),
          ([inputs, arrivals]) => {
            let alignment: Alignment | undefined;
            const arrived = new Set<number>();
            const waited: StageMessage<unknown>[] = [];
            const history: { alignment: Alignment; waiting: number; count: number }[] = [];
            for (const [from, isBarrier] of arrivals) {
              if (arrived.size === inputs) break;
              if (isBarrier && !arrived.has(from)) {
                alignment = withBarrier(alignment, 1, from, inputs);
                arrived.add(from);
              } else {
                const message = batchOf(from, [waited.length]);
                if (mustWait(alignment, message)) {
                  alignment = withWaiting(alignment as Alignment, message);
                  waited.push(message);
                }
                expect(mustWait(alignment, message)).toBe(arrived.has(from));
              }
              if (alignment !== undefined) history.push({ alignment, waiting: alignment.waiting.length, count: alignment.count });
              expect(alignment?.count ?? 0).toBe(arrived.size);
              expect(alignment?.waiting ?? []).toEqual(waited);
            }
            // Immutable: every earlier alignment still says what it said then (a restart rolls back to one).
            for (const earlier of history) {
              expect(earlier.alignment.waiting.length).toBe(earlier.waiting);
              expect(earlier.alignment.count).toBe(earlier.count);
            }
          },
        ),
      );
    });
  });
});
