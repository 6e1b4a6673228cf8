/**
 * A planted bug in an exactly-once sink of the user's own: the pipeline before it is a plain
 * running total per user, the sink writes into a durable store, and the three checks are made the
 * same way for every such bug. The kit check gives the sink the kit's store (the docs' "The sink
 * under crashes") and the faults of a keyed pipeline with state; the plain property kills the run
 * at a point of the sink's protocol and resumes it (see plain/run-with-sink-failure.ts).
 */
import fc from 'fast-check';
import { fromArray, pipeline, type Keyed, type Sink } from '../../src/index.js';
import { definePipelineCheck } from '../../src/testing/index.js';
import { createDurableOutput, type DurableOutput } from './durable-output.js';
import { keyedStateFaults, partitionCounts, sizedByKit } from './kit-faults.js';
import { definePlantedBug, type Exposure, type PlantedBug } from './planted-bug.js';
import { expectSamePerKey } from './plain/expect-output.js';
import { runWithSinkFailure, sinkRuns, type SinkRun } from './plain/run-with-sink-failure.js';
import { withTempFolder, type JobIO } from './plain/run-job.js';

/** The input of every sink bug's pipeline. */
export interface Payment {
  readonly user: string;
  readonly cents: number;
}

type Total = Keyed<string, number>;

/** One case of a sink bug's plain property. */
export interface SinkCase {
  readonly input: readonly Payment[];
  readonly run: SinkRun;
}

const payments = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), cents: fc.integer({ min: 1, max: 99 }) }), { maxLength: 30 });

function runningTotals({ source, sink }: JobIO<Payment, Total>, partitions: number) {
  return pipeline(source)
    .keyBy((p) => p.user, { partitions })
    .reduce(
      (total: number, p) => total + p.cents,
      () => 0,
    )
    .to(sink);
}

function totalsModel(input: readonly Payment[]): Total[] {
  const totals = new Map<string, number>();
  return input.map(({ user, cents }) => {
    const total = (totals.get(user) ?? 0) + cents;
    totals.set(user, total);
    return { key: user, value: total };
  });
}

/** What a sink bug is made of. */
export interface SinkBugSpec {
  readonly name: string;
  readonly defect: string;
  readonly needs: Exposure;
  /** The sink under test over a durable store, buggy or not; the flag changes one place. */
  sink(store: DurableOutput<Total>, buggy: boolean): Sink<Total>;
}

const keyOf = (out: Total): string => out.key;

/** The planted bug a sink spec describes. */
export function defineSinkBug(spec: SinkBugSpec): PlantedBug<Payment, number, SinkCase> {
  return definePlantedBug({
    name: spec.name,
    defect: spec.defect,
    needs: spec.needs,
    kit: (buggy) =>
      definePipelineCheck({
        build: sizedByKit(runningTotals),
        input: payments,
        params: partitionCounts,
        model: totalsModel,
        compare: 'per-key-order',
        keyOf,
        faults: keyedStateFaults(),
        sink: (store) => spec.sink(store, buggy),
      }),
    plain: (buggy) =>
      fc.asyncProperty(fc.record({ input: payments, run: sinkRuns }), async ({ input, run }) => {
        const store = createDurableOutput<Total>();
        await runWithSinkFailure(runningTotals, (s) => spec.sink(s, buggy), store, input, run);
        expectSamePerKey(store.records, totalsModel(input), keyOf);
      }),
    async example(buggy) {
      // An ordinary test of a sink: one checkpointed run to its end, and what readers see then.
      const input = [
        { user: 'ada', cents: 5 },
        { user: 'bob', cents: 7 },
        { user: 'ada', cents: 1 },
      ];
      const store = createDurableOutput<Total>();
      await withTempFolder(
        (dir) => runningTotals({ source: fromArray(input), sink: spec.sink(store, buggy) }, 2).run({ checkpoint: { dir, interval: Infinity } }).done,
      );
      expectSamePerKey(
        store.records,
        [
          { key: 'ada', value: 5 },
          { key: 'bob', value: 7 },
          { key: 'ada', value: 6 },
        ],
        keyOf,
      );
    },
  });
}
