/**
 * Runs a pipeline the way a plain property does: over the input in an array, into an array, with
 * the case's knobs — and, when the case says so, stopped with a checkpoint after some records and
 * resumed from the folder with another partition count. A stop is graceful: everything before its
 * checkpoint reached the sink, nothing after it did, so the two runs' outputs together are the
 * output of one run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromGenerator, toArray, type Pipeline, type PipelineHandle, type RunOptions, type Sink, type Source } from '../../../src/index.js';
import type { JobKnobs } from './job-knobs.js';

/** What a pipeline under test is built over; the kit's `PipelineIO` has the same shape. */
export interface JobIO<TRecord, TOut> {
  readonly source: Source<TRecord, number>;
  readonly sink: Sink<TOut>;
}

/** Builds the pipeline under test over a source and a sink, with a partition count. */
export type JobBuilder<TRecord, TOut> = (io: JobIO<TRecord, TOut>, partitions: number) => Pipeline;

/**
 * The input, replayable from any offset; `onRecord(i)` is told before record `i` is given out, so
 * a test can stop the run there.
 */
export function inputSource<TRecord>(input: readonly TRecord[], onRecord?: (index: number) => void): Source<TRecord, number> {
  return fromGenerator(function* (from) {
    for (let i = from; i < input.length; i++) {
      onRecord?.(i);
      yield input[i] as TRecord;
    }
  }, 'input');
}

/** A fresh folder for one case's checkpoints, removed when `use` settles. */
export async function withTempFolder<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-plain-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `build` over `input` as `knobs` say and resolves with everything the sink received, in the
 * order it did.
 */
export async function runJob<TRecord, TOut>(build: JobBuilder<TRecord, TOut>, input: readonly TRecord[], knobs: JobKnobs): Promise<TOut[]> {
  const out = toArray<TOut>();
  const options: RunOptions = { batchSize: knobs.batchSize, ...(knobs.chaos === undefined ? {} : { chaos: { ...knobs.chaos } }) };
  const stop = knobs.stop;
  if (stop === undefined) {
    await build({ source: inputSource(input), sink: out }, knobs.partitions).run(options).done;
    return out.records;
  }
  return withTempFolder(async (dir) => {
    const checkpoint = { dir, interval: Infinity };
    const stopAt = stop.after % (input.length + 1);
    let first: PipelineHandle | undefined;
    const stopping = inputSource(input, (i) => {
      if (i === stopAt) void first?.stop();
    });
    first = build({ source: stopping, sink: out }, knobs.partitions).run({ ...options, checkpoint });
    const { stopped } = await first.done;
    if (stopped) await build({ source: inputSource(input), sink: out }, stop.partitions).run({ ...options, checkpoint }).done;
    return out.records;
  });
}
