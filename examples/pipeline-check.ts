/**
 * A property test of a pipeline with `sluice/testing`: each user's spending, checked against a
 * pure model over any input, any interleaving, partitions that throw mid-batch and a job killed and
 * resumed from its checkpoints; then a variant with a bug only a restart shows, caught and shrunk.
 *
 * Run it with `npx tsx examples/pipeline-check.ts`.
 */
import fc from 'fast-check';
import { pipeline, type Keyed } from '../src/index.js';
import { assertPipeline, definePipelineCheck, type PipelineIO } from '../src/testing/index.js';

interface Purchase {
  readonly user: string;
  readonly cents: number;
}

// 1. The pipeline, built over whatever source and sink it is given.
function spending({ source, sink }: PipelineIO<Purchase, Keyed<string, number>>) {
  return pipeline(source)
    .filter((p) => p.cents > 0)
    .keyBy((p) => p.user, { partitions: 3 })
    .reduce(
      (total: number, p) => total + p.cents,
      () => 0,
    )
    .to(sink);
}

// 2. What it should compute, as a plain function: each user's total after each of their purchases.
function spendingModel(purchases: readonly Purchase[]): Keyed<string, number>[] {
  const totals = new Map<string, number>();
  return purchases
    .filter((p) => p.cents > 0)
    .map((p) => {
      const total = (totals.get(p.user) ?? 0) + p.cents;
      totals.set(p.user, total);
      return { key: p.user, value: total };
    });
}

// 3. The check: inputs from an arbitrary, outputs compared in order per user, under faults.
const purchases = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), cents: fc.integer({ min: -100, max: 1000 }) }), { maxLength: 30 });

const check = definePipelineCheck({
  build: spending,
  input: purchases,
  model: spendingModel,
  compare: 'per-key-order',
  keyOf: (total) => total.key,
  faults: { throws: true, crashes: true },
});

await assertPipeline(check, { seed: 1, numRuns: 50 });
console.log('spending matches its model in 50 cases of input, schedule, restarts and crashes');

// 4. The same pipeline with a bug: the reducer updates its accumulator in place. A partition that
// restarts from its snapshot shares that object, so what it processes again is counted twice.
function leakySpending({ source, sink }: PipelineIO<Purchase, Keyed<string, number>>) {
  return pipeline(source)
    .filter((p) => p.cents > 0)
    .keyBy((p) => p.user, { partitions: 3 })
    .reduce(
      (acc: { total: number }, p) => {
        acc.total += p.cents;
        return acc;
      },
      () => ({ total: 0 }),
    )
    .map(({ key, value }) => ({ key, value: value.total }))
    .to(sink);
}

try {
  await assertPipeline(
    definePipelineCheck({
      build: leakySpending,
      input: purchases,
      model: spendingModel,
      compare: 'per-key-order',
      keyOf: (t) => t.key,
      faults: { throws: true },
    }),
    {
      seed: 5,
      numRuns: 200,
    },
  );
  console.log('leakySpending passed: the bug went unnoticed');
} catch (error) {
  console.log(`leakySpending fails:\n${(error as Error).message}`);
}
