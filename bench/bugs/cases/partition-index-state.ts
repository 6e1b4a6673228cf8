/**
 * Running totals per user, kept the way some users keep state to have few entries: records are
 * keyed by a bucket the user computes, `hashKey(user) % buckets`, and each bucket's state is a
 * Map of its users' totals. The buggy twin takes one bucket per partition (`buckets` is the
 * partition count): correct for any one count, but a job resumed from a checkpoint with another
 * count puts a user in another bucket, whose Map does not know them, and their total starts over.
 */
import fc from 'fast-check';
import { hashKey, pipeline, type Keyed } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

/** The correct twin's bucket count: fixed, whatever the partition count. */
const BUCKETS = 8;

interface Deposit {
  readonly user: string;
  readonly cents: number;
}

const deposits = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy', 'dan'), cents: fc.integer({ min: 1, max: 99 }) }), { maxLength: 30 });

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Deposit, Keyed<string, number>>, partitions: number) => {
    const buckets = buggy ? partitions : BUCKETS;
    return pipeline(source)
      .keyBy((d) => hashKey(d.user) % buckets, { partitions })
      .process<ReadonlyMap<string, number>, Keyed<string, number>>({
        initialState: () => new Map(),
        onRecord(totals, deposit, ctx) {
          const total = (totals.get(deposit.user) ?? 0) + deposit.cents;
          ctx.emit({ key: deposit.user, value: total });
          return new Map(totals).set(deposit.user, total);
        },
      })
      .to(sink);
  };
}

/** Each user's total after each of their deposits. */
function runningTotals(input: readonly Deposit[]): Keyed<string, number>[] {
  const totals = new Map<string, number>();
  return input.map(({ user, cents }) => {
    const total = (totals.get(user) ?? 0) + cents;
    totals.set(user, total);
    return { key: user, value: total };
  });
}

/** The planted bug `partition-index-state`, with its correct twin. */
export const partitionIndexState = definePipelineBug({
  name: 'partition-index-state',
  defect: 'state is keyed by hashKey(user) % partitions, computed by the user, so a resume with another partition count files a user under another bucket',
  needs: 'rescale',
  build,
  input: deposits,
  model: runningTotals,
  compare: 'per-key-order',
  keyOf: (out) => out.key,
  example: {
    input: [
      { user: 'ada', cents: 5 },
      { user: 'bob', cents: 7 },
      { user: 'ada', cents: 1 },
      { user: 'dan', cents: 2 },
    ],
    partitions: 3,
    expected: [
      { key: 'ada', value: 5 },
      { key: 'bob', value: 7 },
      { key: 'ada', value: 6 },
      { key: 'dan', value: 2 },
    ],
  },
});
