/**
 * The job module of the planted bug `codec-drops-field`: account balances over payments and
 * refunds, on worker threads, with a codec of its own for the records that cross threads. Two jobs
 * over one pipeline: `checked` for the kit (its source and sink from `checkIO`), `plain` for a
 * fast-check user (its input in `args`, its output collected on the main thread).
 */
import { isMainThread } from 'node:worker_threads';
import { defineJob, fromArray, pipeline, toArray, type ArraySink, type Keyed, type RecordCodec, type Sink, type Source } from '../../../src/index.js';
import { checkIO, type CheckJobArgs } from '../../../src/testing/index.js';

export interface Payment {
  readonly account: string;
  readonly cents: number;
  readonly refund: boolean;
}

/** What the buggy twin changes, and how many partitions the run has. */
export interface LedgerParams {
  readonly buggy: boolean;
  readonly partitions: number;
}

/**
 * Payments as compact arrays where they cross threads. The buggy twin's encoding leaves out
 * `refund`, which decodes as false: a refund that crosses counts as a payment.
 */
function paymentCodec(buggy: boolean): RecordCodec<Payment> {
  return {
    encode: (p) => (buggy ? [p.account, p.cents] : [p.account, p.cents, p.refund ? 1 : 0]),
    decode: (data) => {
      const [account, cents, refund] = data as [string, number, number?];
      return { account, cents, refund: refund === 1 };
    },
  };
}

/** Each account's balance after each of its payments. */
function ledger(source: Source<Payment, number>, sink: Sink<Keyed<string, number>>, params: LedgerParams) {
  return pipeline(source)
    .keyBy((p) => p.account, { partitions: params.partitions, codec: paymentCodec(params.buggy) })
    .reduce(
      (balance: number, p) => (p.refund ? balance - p.cents : balance + p.cents),
      () => 0,
    )
    .to(sink);
}

/** The job the kit checks. */
export const checked = defineJob(import.meta.url, (args: CheckJobArgs<LedgerParams>) => {
  const { source, sink, partitions } = checkIO<Payment, Keyed<string, number>>(args);
  return ledger(source, sink, { ...args.params, partitions: partitions ?? args.params.partitions });
});

/** The plain property's job: its input in `args`. */
export interface PlainLedgerArgs extends LedgerParams {
  readonly input: readonly Payment[];
}

/** The main thread's sink of the last plain run (worker threads never write theirs). */
let lastSink: ArraySink<Keyed<string, number>> | undefined;

export const plain = defineJob(import.meta.url, (args: PlainLedgerArgs) => {
  const sink = toArray<Keyed<string, number>>();
  if (isMainThread) lastSink = sink;
  return ledger(fromArray(args.input), sink, args);
});

/** What the last plain run on this thread output. */
export function plainOutput(): readonly Keyed<string, number>[] {
  return lastSink?.records ?? [];
}
