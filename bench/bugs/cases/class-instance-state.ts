/**
 * Each user's order statistics, kept as a small immutable class with an `add` method. State in a
 * checkpoint goes through msgpackr, which brings a class instance back as a plain object (see
 * docs/state.md): the buggy twin uses its state as a `Tally` as it finds it, so after a resume
 * from a checkpoint `add` is not there, every later order of a restored user fails, and is
 * dead-lettered. The correct twin revives the tally from its fields first. Restarts from an
 * in-memory snapshot keep the instance, so only a resume shows the difference.
 */
import fc from 'fast-check';
import { pipeline } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

interface Order {
  readonly user: string;
  readonly cents: number;
}

interface OrderStats {
  readonly user: string;
  readonly orders: number;
  readonly largest: number;
}

class Tally {
  constructor(
    readonly orders: number,
    readonly largest: number,
  ) {}

  /** A tally with its fields from `fields`, whether it is one or came back from a checkpoint without its class. */
  static from(fields: { readonly orders: number; readonly largest: number }): Tally {
    return new Tally(fields.orders, fields.largest);
  }

  add(cents: number): Tally {
    return new Tally(this.orders + 1, Math.max(this.largest, cents));
  }
}

const orders = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), cents: fc.integer({ min: 1, max: 99 }) }), { maxLength: 30 });

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Order, OrderStats>, partitions: number) =>
    pipeline(source)
      .keyBy((o) => o.user, { partitions })
      .process<Tally, OrderStats>({
        initialState: () => new Tally(0, 0),
        onRecord(state, order, ctx) {
          const tally = (buggy ? state : Tally.from(state)).add(order.cents);
          ctx.emit({ user: ctx.key, orders: tally.orders, largest: tally.largest });
          return tally;
        },
      })
      .to(sink);
}

/** Each user's order count and largest order after each of their orders. */
function orderStats(input: readonly Order[]): OrderStats[] {
  const stats = new Map<string, OrderStats>();
  return input.map(({ user, cents }) => {
    const before = stats.get(user) ?? { user, orders: 0, largest: 0 };
    const after = { user, orders: before.orders + 1, largest: Math.max(before.largest, cents) };
    stats.set(user, after);
    return after;
  });
}

/** The planted bug `class-instance-state`, with its correct twin. */
export const classInstanceState = definePipelineBug({
  name: 'class-instance-state',
  defect: 'the state is used as a class instance as found, but a resume from a checkpoint brings it back as a plain object without its methods',
  needs: 'crash',
  build,
  input: orders,
  model: orderStats,
  compare: 'per-key-order',
  keyOf: (out) => out.user,
  example: {
    input: [
      { user: 'ada', cents: 30 },
      { user: 'bob', cents: 5 },
      { user: 'ada', cents: 12 },
    ],
    partitions: 2,
    expected: [
      { user: 'ada', orders: 1, largest: 30 },
      { user: 'bob', orders: 1, largest: 5 },
      { user: 'ada', orders: 2, largest: 30 },
    ],
  },
});
