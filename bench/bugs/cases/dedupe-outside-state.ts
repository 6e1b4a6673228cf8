/**
 * Running totals of payments per user from a feed that may deliver a payment twice: a payment id
 * already counted is skipped. The buggy twin remembers the ids it counted in a Set of the run's,
 * outside the partition's state: a partition restarted from its snapshot processes its batch
 * again, finds those ids in the Set, and skips payments it never counted in the state it rolled
 * back to (and a resumed run starts with an empty Set, so counts a redelivered payment again).
 */
import fc from 'fast-check';
import { pipeline, type Keyed } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

interface Payment {
  readonly id: number;
  readonly user: string;
  readonly cents: number;
}

interface UserTotal {
  readonly total: number;
  /** Payment ids counted (unused by the buggy twin). */
  readonly counted: readonly number[];
}

const USERS = ['ada', 'bob', 'cy'];

/** A payment is a function of its id, so the same id is the same payment delivered again. */
function payment(id: number): Payment {
  return { id, user: USERS[id % USERS.length] as string, cents: 10 + id };
}

const payments = fc.array(fc.nat({ max: 14 }).map(payment), { maxLength: 30 });

/** Where the ids already counted are remembered: with the key's state, or in a Set of the run's. */
interface CountedIds {
  has(state: UserTotal, id: number): boolean;
  add(state: UserTotal, id: number): readonly number[];
}

const inState: CountedIds = {
  has: (state, id) => state.counted.includes(id),
  add: (state, id) => [...state.counted, id],
};

function inRunSet(): CountedIds {
  const ids = new Set<number>();
  return {
    has: (_state, id) => ids.has(id),
    add: (state, id) => (ids.add(id), state.counted),
  };
}

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Payment, Keyed<string, number>>, partitions: number) => {
    const counted = buggy ? inRunSet() : inState;
    return pipeline(source)
      .keyBy((p) => p.user, { partitions })
      .process<UserTotal, Keyed<string, number>>({
        initialState: () => ({ total: 0, counted: [] }),
        onRecord(state, p, ctx) {
          if (counted.has(state, p.id)) return state;
          const total = state.total + p.cents;
          ctx.emit({ key: ctx.key, value: total });
          return { total, counted: counted.add(state, p.id) };
        },
      })
      .to(sink);
  };
}

/** Each user's running total after each payment counted for the first time. */
function runningTotals(input: readonly Payment[]): Keyed<string, number>[] {
  const seen = new Set<number>();
  const totals = new Map<string, number>();
  const out: Keyed<string, number>[] = [];
  for (const p of input) {
    if (seen.has(p.id)) continue;
    seen.add(p.id);
    const total = (totals.get(p.user) ?? 0) + p.cents;
    totals.set(p.user, total);
    out.push({ key: p.user, value: total });
  }
  return out;
}

/** The planted bug `dedupe-outside-state`, with its correct twin. */
export const dedupeOutsideState = definePipelineBug({
  name: 'dedupe-outside-state',
  defect: 'the ids of payments already counted live in a Set outside the partition state, so a batch processed again after a restart skips them',
  needs: 'throw',
  build,
  input: payments,
  model: runningTotals,
  compare: 'per-key-order',
  keyOf: (out) => out.key,
  example: {
    input: [payment(0), payment(1), payment(3), payment(0), payment(4)],
    partitions: 2,
    expected: [
      { key: 'ada', value: 10 },
      { key: 'bob', value: 11 },
      { key: 'ada', value: 23 },
      { key: 'bob', value: 25 },
    ],
  },
});
