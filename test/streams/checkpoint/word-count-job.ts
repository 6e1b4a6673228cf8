/**
 * The checkpointed job the checkpoint tests share: running word counts (a changelog) into the
 * exactly-once file sink, stopping itself after a given number of words, and the check that such
 * a changelog holds every update exactly once.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  fromArray,
  pipeline,
  toJsonLinesFile,
  type ChaosOptions,
  type CheckpointStorage,
  type Keyed,
  type PipelineHandle,
  type Source,
} from '../../../src/index.js';

export interface WordCountRun {
  readonly input: readonly string[];
  /** Holds `out.jsonl`, and `checkpoints/` unless `storage` is given. */
  readonly dir: string;
  readonly partitions: number;
  readonly batchSize?: number | undefined;
  /** Stop (with a checkpoint) as this many words have been read by this run. */
  readonly stopAfter?: number | undefined;
  readonly chaos?: ChaosOptions | undefined;
  /** Where the words come from. @defaultValue fromArray(input) */
  readonly source?: Source<string, unknown> | undefined;
  /** Where the checkpoints go instead of `checkpoints/`. */
  readonly storage?: CheckpointStorage | undefined;
}

export function countWords({ input, dir, partitions, batchSize = 32, stopAfter = Infinity, chaos, source, storage }: WordCountRun): PipelineHandle {
  let seen = 0;
  let handle: PipelineHandle | undefined;
  handle = pipeline(source ?? fromArray(input))
    .tap(() => {
      if (++seen === stopAfter) void handle?.stop();
    })
    .keyBy((word) => word, { partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    )
    .to(toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl')))
    .run({
      checkpoint: { ...(storage === undefined ? { dir: join(dir, 'checkpoints') } : { storage }), interval: Infinity },
      batchSize,
      ...(chaos === undefined ? {} : { chaos }),
    });
  return handle;
}

/** A changelog of running counts holds each update exactly once: for every key, 1, 2, …, its total. */
export async function expectExactlyOnce(dir: string, input: readonly string[]): Promise<void> {
  const perKey = new Map<string, number[]>();
  for (const line of (await readFile(join(dir, 'out.jsonl'), 'utf8')).split('\n')) {
    if (line === '') continue;
    const { key, value } = JSON.parse(line) as Keyed<string, number>;
    perKey.set(key, [...(perKey.get(key) ?? []), value]);
  }
  const totals = new Map<string, number>();
  for (const word of input) totals.set(word, (totals.get(word) ?? 0) + 1);
  expect(new Set(perKey.keys())).toEqual(new Set(totals.keys()));
  for (const [key, total] of totals) expect(perKey.get(key)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
}
