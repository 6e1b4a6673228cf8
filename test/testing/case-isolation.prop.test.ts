/**
 * Cases of one check share nothing a case could leave behind for the next: each case's checkpoints
 * live in a storage of its own, restored as copies, so a case's output is the same whatever cases
 * ran before it. The pipeline keeps objects in its keyed state (a running total with the amounts
 * seen), which a leak through a shared or uncopied checkpoint would carry into a later case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pipeline, type Keyed } from '../../src/index.js';
import { definePipelineCheck, exactlyOnceSink, type OutputStore, type PipelineCase, type PipelineCheck } from '../../src/testing/index.js';

interface Payment {
  readonly user: string;
  readonly amount: number;
}

interface Seen {
  readonly total: number;
  readonly amounts: readonly number[];
}

const payments = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), amount: fc.integer({ min: -9, max: 9 }) }), { minLength: 1, maxLength: 12 });

function seenModel(records: readonly Payment[]): Keyed<string, Seen>[] {
  const seen = new Map<string, Seen>();
  return records.map(({ user, amount }) => {
    const before = seen.get(user) ?? { total: 0, amounts: [] };
    const after = { total: before.total + amount, amounts: [...before.amounts, amount] };
    seen.set(user, after);
    return { key: user, value: after };
  });
}

/** A check of the running totals; `outputs` gets each case's visible output as the case ends. */
function seenCheck(outputs: Keyed<string, Seen>[][]): PipelineCheck<Payment> {
  return definePipelineCheck({
    build: ({ source, sink }) =>
      pipeline(source)
        .keyBy((payment) => payment.user, { partitions: 2 })
        .reduce(
          (seen: Seen, payment) => ({ total: seen.total + payment.amount, amounts: [...seen.amounts, payment.amount] }),
          () => ({ total: 0, amounts: [] }),
        )
        .to(sink),
    input: payments,
    model: seenModel,
    compare: 'per-key-order',
    keyOf: (total) => total.key,
    faults: { throws: true, crashes: true },
    sink: (store: OutputStore<Keyed<string, Seen>>) => {
      const inner = exactlyOnceSink(store);
      return {
        ...inner,
        close: () => {
          inner.close?.();
          outputs.push(structuredClone(store.records));
        },
      };
    },
  });
}

describe('cases of one pipeline check', () => {
  it('leave nothing behind: a case after others gives the output it gives alone, with crashes and throws on', async () => {
    const alone: Keyed<string, Seen>[][] = [];
    const after: Keyed<string, Seen>[][] = [];
    const single = seenCheck(alone);
    const shared = seenCheck(after);
    await fc.assert(
      fc.asyncProperty(fc.array(shared.cases, { minLength: 2, maxLength: 4 }), async (cases: PipelineCase<Payment>[]) => {
        after.length = 0;
        for (const testCase of cases) await shared.check(testCase);
        const last = cases.at(-1) as PipelineCase<Payment>;
        alone.length = 0;
        await seenCheck(alone).check(last);
        await single.check(last);
        expect(after.at(-1)).toEqual(alone.at(0));
        expect(alone.at(1)).toEqual(alone.at(0));
      }),
      { numRuns: 25 },
    );
  });
});
