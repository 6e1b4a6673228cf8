/**
 * A planted bug in a keyed pipeline whose output goes to an ordinary sink: one definition of the
 * pipeline, its input and its model, from which the kit check, the plain property and the
 * ordinary example are all made the same way for every such bug (see the fairness rules in
 * planted-bug.ts). Bugs in sinks write their three checks by hand.
 */
import fc from 'fast-check';
import { fromArray, toArray } from '../../src/index.js';
import { definePipelineCheck, type Disorder } from '../../src/testing/index.js';
import { eventTimeFaults, keyedStateFaults, partitionCounts, sizedByKit } from './kit-faults.js';
import { definePlantedBug, type Exposure, type PlantedBug } from './planted-bug.js';
import { expectSameMultiset, expectSamePerKey } from './plain/expect-output.js';
import { jobKnobs, type JobKnobs } from './plain/job-knobs.js';
import { delaysArb, outOfOrder } from './plain/out-of-order.js';
import { runJob, type JobBuilder } from './plain/run-job.js';

/** One case of a plain property: the input, how the run goes, and (on event time) how late each record comes. */
export interface PlainCase<TRecord> {
  readonly input: readonly TRecord[];
  readonly job: JobKnobs;
  readonly delays: readonly number[];
}

/** What a pipeline bug is made of. */
export interface PipelineBugSpec<TRecord, TOut> {
  readonly name: string;
  readonly defect: string;
  readonly needs: Exposure;
  /** The pipeline, buggy or not; the flag changes one place. */
  build(buggy: boolean): JobBuilder<TRecord, TOut>;
  readonly input: fc.Arbitrary<readonly TRecord[]>;
  /** What the pipeline should output for the input: a pure function of it. */
  model(input: readonly TRecord[]): readonly TOut[];
  readonly compare: 'multiset' | 'per-key-order';
  /** The key of an output record, for `'per-key-order'`. */
  readonly keyOf?: ((out: TOut) => unknown) | undefined;
  /** On event time: the bound the source keeps to, and how to read and set a record's time. */
  readonly eventTime?: Required<Disorder<TRecord>> | undefined;
  /** The ordinary test: this input, in this order, with this many partitions, outputs `expected`. */
  readonly example: { readonly input: readonly TRecord[]; readonly partitions: number; readonly expected: readonly TOut[] };
}

/** @throws Error when `actual` differs from `expected` as the spec compares them. */
function expectOutput<TRecord, TOut>(spec: PipelineBugSpec<TRecord, TOut>, actual: readonly TOut[], expected: readonly TOut[]): void {
  if (spec.compare === 'multiset') expectSameMultiset(actual, expected);
  else expectSamePerKey(actual, expected, spec.keyOf as (out: TOut) => unknown);
}

/** The planted bug a spec describes. */
export function definePipelineBug<TRecord, TOut>(spec: PipelineBugSpec<TRecord, TOut>): PlantedBug<TRecord, number, PlainCase<TRecord>> {
  const eventTime = spec.eventTime;
  return definePlantedBug({
    name: spec.name,
    defect: spec.defect,
    needs: spec.needs,
    kit: (buggy) =>
      definePipelineCheck({
        build: sizedByKit(spec.build(buggy)),
        input: spec.input,
        params: partitionCounts,
        model: (input) => spec.model(input),
        compare: spec.compare,
        keyOf: spec.keyOf,
        faults: eventTime === undefined ? keyedStateFaults() : eventTimeFaults(eventTime),
      }),
    plain: (buggy) =>
      fc.asyncProperty(
        fc.record({ input: spec.input, job: jobKnobs, delays: eventTime === undefined ? fc.constant([]) : delaysArb(eventTime.bound) }),
        async ({ input, job, delays }) => {
          const delivered = eventTime === undefined ? input : outOfOrder(input, delays, eventTime.timestampOf);
          expectOutput(spec, await runJob(spec.build(buggy), delivered, job), spec.model(input));
        },
      ),
    async example(buggy) {
      const out = toArray<TOut>();
      await spec
        .build(buggy)({ source: fromArray(spec.example.input), sink: out }, spec.example.partitions)
        .run().done;
      expectOutput(spec, out.records, spec.example.expected);
    },
  });
}
