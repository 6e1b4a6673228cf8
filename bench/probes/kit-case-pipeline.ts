/**
 * The pipeline the kit-case-cost probe times, written twice as a user would: a plain run over
 * `fromArray` into a sink that collects, and a `sluice/testing` check of the same pipeline. A keyed
 * running total (each user's total after each of their payments) over 24 payments of 4 users, in 3
 * partitions.
 */
import fc from 'fast-check';
import { fromArray, pipeline, type Keyed, type Sink, type Source } from '../../src/index.js';
import { definePipelineCheck, type FaultOptions, type PipelineCheck, type PipelineIO } from '../../src/testing/index.js';

export interface Payment {
  readonly user: string;
  readonly amount: number;
}

export type Total = Keyed<string, number>;

/** Records in every case, and in every plain run. */
export const RECORDS = 24;

const PARTITIONS = 3;

const payments: fc.Arbitrary<readonly Payment[]> = fc.array(
  fc.record({ user: fc.constantFrom('ada', 'bob', 'cy', 'dee'), amount: fc.integer({ min: -9, max: 9 }) }),
  { minLength: RECORDS, maxLength: RECORDS },
);

/** The model: each user's running total after each of their payments. */
export function runningTotals(records: readonly Payment[]): Total[] {
  const totals = new Map<string, number>();
  return records.map(({ user, amount }) => {
    const total = (totals.get(user) ?? 0) + amount;
    totals.set(user, total);
    return { key: user, value: total };
  });
}

function totalsOf(source: Source<Payment, number>, sink: Sink<Total>) {
  return pipeline(source)
    .keyBy((payment) => payment.user, { partitions: PARTITIONS })
    .reduce(
      (total: number, payment) => total + payment.amount,
      () => 0,
    )
    .to(sink);
}

/** One plain run over `records`; resolves with how many totals the sink collected. */
export async function plainRun(records: readonly Payment[]): Promise<number> {
  const collected: Total[] = [];
  const sink: Sink<Total> = { name: 'collect', write: (totals) => void collected.push(...totals) };
  await totalsOf(fromArray(records), sink).run().done;
  return collected.length;
}

/**
 * The check of the same pipeline with `faults`; `onBuild` is told of every run the kit starts
 * (each run builds the pipeline once).
 */
export function totalsCheck(faults: FaultOptions<Payment>, onBuild: () => void): PipelineCheck<Payment> {
  return definePipelineCheck({
    build: ({ source, sink }: PipelineIO<Payment, Total>) => {
      onBuild();
      return totalsOf(source, sink);
    },
    input: payments,
    model: runningTotals,
    compare: 'per-key-order',
    keyOf: (total) => total.key,
    faults,
  });
}
