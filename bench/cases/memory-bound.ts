/**
 * memory-bound: a keyed running sum over N generated records into a sink slower than the source,
 * at a base size and at ten times it, each implementation in a child process of its own so that
 * its peak RSS is its own. Bounded mailboxes mean Sluice's peak should not grow with the record
 * count. The floor: the same sums in a plain loop, into the same slow sink.
 */
import { fromGenerator, pipeline, toCallback } from '../../src/index.js';
import { defineCase, type BenchCase } from '../harness/bench-case.js';

interface Event {
  readonly user: string;
  readonly amount: number;
}

const USERS = 10_000;
const MODULUS = 2_147_483_647;

function* events(from: number, records: number): Generator<Event> {
  for (let i = from; i < records; i++) yield { user: `u${i % USERS}`, amount: i % 7 };
}

/**
 * The slow sink both implementations write the running totals to: an event-loop turn every 256
 * records. Its checksum (the sum of the totals it saw, plus their count) catches a lost record
 * whatever its amount, and does not depend on how the keys interleave.
 */
class SlowSink {
  #written = 0;
  #sum = 0;

  async write(total: number): Promise<void> {
    this.#sum = (this.#sum + total) % MODULUS;
    if (++this.#written % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  get checksum(): number {
    return (this.#sum + this.#written) % MODULUS;
  }
}

/**
 * The memory-bound case at `multiplier` times the base size of 1,000,000 records (50,000 with
 * `--quick`, to keep the 10x run within the quick run's minute), named `memory-bound-<multiplier>x`.
 */
export function memoryBoundCase(multiplier: number): BenchCase {
  return defineCase({
    name: `memory-bound-${multiplier}x`,
    unit: 'records',
    input: (scale) => (scale === 'quick' ? 50_000 : 1_000_000) * multiplier,
    operations: (records) => records,
    // Peak RSS is the point here, and one run at 10,000,000 records takes seconds: fewer runs.
    plans: { quick: { warmups: 1, runs: 3 }, full: { warmups: 1, runs: 3 } },
    implementations: [
      {
        impl: 'plain loop, slow sink',
        role: 'floor',
        create: (records) => ({
          async run() {
            const sink = new SlowSink();
            const totals = new Map<string, number>();
            for (const event of events(0, records)) {
              const total = (totals.get(event.user) ?? 0) + event.amount;
              totals.set(event.user, total);
              await sink.write(total);
            }
            return sink.checksum;
          },
        }),
      },
      {
        impl: 'sluice pipeline, 4 partitions, slow sink',
        role: 'sluice',
        create: (records) => ({
          async run() {
            const sink = new SlowSink();
            await pipeline(fromGenerator((from) => events(from, records)))
              .keyBy((event) => event.user, { partitions: 4 })
              .reduce(
                (total: number, event) => total + event.amount,
                () => 0,
              )
              .to(toCallback(({ value }) => sink.write(value)))
              .run({ name: 'memory' }).done;
            return sink.checksum;
          },
        }),
      },
    ],
  });
}
