/**
 * Balances over payments and refunds, a job module run on worker threads, whose keyed stage has a
 * codec for the records that cross from one thread to another. The buggy twin's codec leaves the
 * `refund` flag out: on one thread no record crosses and every balance is right; on two or more,
 * a refund handed to another thread's partition counts as a payment. Only a run on threads shows
 * it: the kit's `workers` faults, or a plain property that varies `workers`.
 */
import fc from 'fast-check';
import type { Keyed } from '../../../src/index.js';
import { createThreadPool } from '../../../src/index.js';
import { definePipelineCheck } from '../../../src/testing/index.js';
import { threadedJobFaults } from '../kit-faults.js';
import { definePlantedBug } from '../planted-bug.js';
import { expectSamePerKey } from '../plain/expect-output.js';
import { checked, plain, plainOutput, type LedgerParams, type Payment } from './codec-drops-field.job.js';

const payments = fc.array(
  fc.record({ account: fc.constantFrom('acc-1', 'acc-2', 'acc-3', 'acc-4'), cents: fc.integer({ min: 1, max: 999 }), refund: fc.boolean() }),
  { maxLength: 30 },
);

/** Each account's balance after each of its payments. */
function balances(input: readonly Payment[]): Keyed<string, number>[] {
  const totals = new Map<string, number>();
  return input.map(({ account, cents, refund }) => {
    const total = (totals.get(account) ?? 0) + (refund ? -cents : cents);
    totals.set(account, total);
    return { key: account, value: total };
  });
}

const byAccount = (out: Keyed<string, number>): string => out.key;

/** Threads for the plain property's runs, kept between its cases as docs/scaling.md recommends for repeated runs. */
const plainThreads = createThreadPool({ idleMs: 1_000 });

/** The planted bug `codec-drops-field`, with its correct twin. */
export const codecDropsField = definePlantedBug({
  name: 'codec-drops-field',
  defect: "the keyed stage's codec leaves the refund flag out, so a refund that crosses to another thread counts as a payment",
  needs: 'workers',
  kit: (buggy) =>
    definePipelineCheck<Payment, Keyed<string, number>, LedgerParams>({
      job: checked,
      input: payments,
      params: fc.integer({ min: 1, max: 3 }).map((partitions) => ({ buggy, partitions })),
      model: (input) => balances(input),
      compare: 'per-key-order',
      keyOf: byAccount,
      faults: threadedJobFaults(),
    }),
  plain: (buggy) =>
    fc.asyncProperty(
      fc.record({
        input: payments,
        partitions: fc.integer({ min: 1, max: 3 }),
        workers: fc.integer({ min: 1, max: 3 }),
        batchSize: fc.integer({ min: 1, max: 8 }),
      }),
      async ({ input, partitions, workers, batchSize }) => {
        await plain.run({ args: { input, buggy, partitions }, workers, batchSize, threads: plainThreads }).done;
        expectSamePerKey(plainOutput(), balances(input), byAccount);
      },
    ),
  async example(buggy) {
    const input: Payment[] = [
      { account: 'acc-1', cents: 500, refund: false },
      { account: 'acc-2', cents: 300, refund: false },
      { account: 'acc-1', cents: 200, refund: true },
      { account: 'acc-2', cents: 100, refund: true },
    ];
    // One thread, as an ordinary test runs it: nothing crosses, so the codec never runs.
    await plain.run({ args: { input, buggy, partitions: 2 } }).done;
    expectSamePerKey(plainOutput(), balances(input), byAccount);
  },
});
