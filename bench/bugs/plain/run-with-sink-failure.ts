/**
 * Runs a pipeline into a sink under test the way a plain property of an exactly-once sink does:
 * checkpoints at chosen offsets, and the run dies at a chosen point of the sink's protocol — just
 * after a write, or just before a commit, when the checkpoint's manifest is durable — simulated by
 * a throw from the sink, which fails the run as a dead process would end it. A second run resumes
 * from the checkpoint folder, possibly with another partition count, and the sink's store holds
 * what readers see in the end.
 */
import fc from 'fast-check';
import type { PipelineHandle, Sink } from '../../../src/index.js';
import type { DurableOutput } from '../durable-output.js';
import { inputSource, withTempFolder, type JobBuilder } from './run-job.js';

/** Where the first run dies: after its `at`-th write, or before its `at`-th commit. */
export interface SinkFailure {
  readonly kind: 'write' | 'commit';
  readonly at: number;
}

/** How one case of a sink property runs. */
export interface SinkRun {
  readonly partitions: number;
  readonly resumePartitions: number;
  readonly batchSize: number;
  /** Source offsets where the first run asks for a checkpoint. */
  readonly checkpoints: readonly number[];
  readonly failure: SinkFailure;
}

/** Runs of a sink property: partition counts, batch sizes, up to three checkpoints and where the run dies. */
export const sinkRuns: fc.Arbitrary<SinkRun> = fc.record({
  partitions: fc.integer({ min: 1, max: 3 }),
  resumePartitions: fc.integer({ min: 1, max: 3 }),
  batchSize: fc.integer({ min: 1, max: 8 }),
  checkpoints: fc.uniqueArray(fc.nat({ max: 30 }), { maxLength: 3 }),
  failure: fc.record({ kind: fc.constantFrom('write' as const, 'commit' as const), at: fc.integer({ min: 1, max: 6 }) }),
});

class SimulatedCrash extends Error {
  constructor(where: string) {
    super(`simulated crash ${where}`);
    this.name = 'SimulatedCrash';
  }
}

/** `inner`, dying where `failure` says; `struck` tells whether it did. */
function dying<TOut>(inner: Sink<TOut>, failure: SinkFailure, struck: () => void): Sink<TOut> {
  let writes = 0;
  let commits = 0;
  return {
    ...inner,
    async write(records) {
      await inner.write(records);
      if (failure.kind === 'write' && ++writes === failure.at) {
        struck();
        throw new SimulatedCrash(`after write ${writes}`);
      }
    },
    async commit(token) {
      if (failure.kind === 'commit' && ++commits === failure.at) {
        struck();
        throw new SimulatedCrash(`before commit ${commits}`);
      }
      await inner.commit?.(token);
    },
  };
}

/** Runs `build` into the sink `makeSink` makes over `store`, dying and resuming as `run` says. */
export async function runWithSinkFailure<TRecord, TOut>(
  build: JobBuilder<TRecord, TOut>,
  makeSink: (store: DurableOutput<TOut>) => Sink<TOut>,
  store: DurableOutput<TOut>,
  input: readonly TRecord[],
  run: SinkRun,
): Promise<void> {
  await withTempFolder(async (dir) => {
    const options = { batchSize: run.batchSize, checkpoint: { dir, interval: Infinity } };
    let died = false;
    let handle: PipelineHandle | undefined;
    const source = inputSource(input, (i) => {
      if (run.checkpoints.includes(i)) handle?.checkpoint().catch(() => undefined);
    });
    const sink = dying(makeSink(store), run.failure, () => (died = true));
    const first = build({ source, sink }, run.partitions).run(options);
    handle = first;
    try {
      await first.done;
    } catch (error) {
      if (!died) throw error;
    }
    if (died) await build({ source: inputSource(input), sink: makeSink(store) }, run.resumePartitions).run(options).done;
  });
}
