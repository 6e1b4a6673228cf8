/**
 * Type inference of `process`: handlers of a plain and of a draft process function get typed
 * parameters without annotations, also when the state has readonly fields (which an immer draft
 * drops, so one signature for both forms would leave TypeScript unable to infer either).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { fromArray, pipeline, toArray, type ProcessContext } from '../../../src/index.js';

describe('KeyedStream', () => {
  describe('process', () => {
    it('infers handler parameters for a state with readonly fields', async () => {
      const out = toArray<number>();
      await pipeline(fromArray([1, 2, 3]))
        .keyBy(() => 'all', { partitions: 1 })
        .process<{ readonly n: number }, number>({
          initialState: () => ({ n: 0 }),
          onRecord(state, record, ctx) {
            expectTypeOf(state).toEqualTypeOf<{ readonly n: number }>();
            expectTypeOf(record).toEqualTypeOf<number>();
            expectTypeOf(ctx).toEqualTypeOf<ProcessContext<'all', number, false>>();
            expectTypeOf(ctx.timestamp).toEqualTypeOf<undefined>();
            ctx.emit(state.n + record);
            return { n: state.n + record };
          },
        })
        .to(out)
        .run().done;
      expect(out.records).toEqual([1, 3, 6]);
    });

    it('types ctx.timestamp as a number on a stream with timestamps, as it always is there', async () => {
      const seen: number[] = [];
      await pipeline(fromArray([{ at: 5 }, { at: 9 }]))
        .withTimestamps((r) => r.at)
        .map((r) => r.at * 2)
        .keyBy(() => 'all', { partitions: 2 })
        .process<null, number>({
          initialState: () => null,
          onRecord(state, _record, ctx) {
            expectTypeOf(ctx.timestamp).toEqualTypeOf<number>();
            seen.push(ctx.timestamp + 1);
            return state;
          },
        })
        .to(toArray())
        .run().done;
      expect(seen).toEqual([6, 10]);
    });
  });
});
