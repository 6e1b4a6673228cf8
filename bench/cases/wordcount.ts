/**
 * wordcount: 1,000,000 records over 10,000 keys with a Zipf-like distribution, counted per key.
 * Sluice runs it as a pipeline with 4 keyed partitions (supervision on); peers: a plain loop over a
 * Map (the floor), Node object-mode streams (`stream.pipeline` with a Transform and a Writable), and
 * RxJS (`groupBy` + `reduce`).
 */
import { Readable, Transform, Writable } from 'node:stream';
import { from as rxFrom, lastValueFrom, mergeMap, groupBy, reduce as rxReduce, map as rxMap, toArray as rxToArray } from 'rxjs';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { fromArray, pipeline, toCallback } from '../../src/index.js';
import type { BenchCase } from '../measure.js';
import { zipfKeySequence } from './key-sequence.js';

/** A checksum of final counts that does not depend on the order they arrive in. */
function checksum(counts: Iterable<readonly [string, number]>): number {
  let sum = 0;
  for (const [word, count] of counts) sum = (sum + count * (Number(word.slice(1)) + 1)) % 2_147_483_647;
  return sum;
}

export function wordcountCase(records: number, keys: number): BenchCase {
  const words = Array.from(zipfKeySequence(keys, records), (k) => `w${k}`);
  return {
    name: 'wordcount',
    unit: 'records',
    operations: records,
    implementations: [
      {
        impl: 'plain loop',
        baseline: true,
        run() {
          const counts = new Map<string, number>();
          for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
          return checksum(counts);
        },
      },
      {
        impl: 'node object-mode streams',
        baseline: true,
        async run() {
          const counts = new Map<string, number>();
          await streamPipeline(
            Readable.from(words),
            new Transform({
              objectMode: true,
              transform(word: string, _encoding, callback) {
                counts.set(word, (counts.get(word) ?? 0) + 1);
                callback();
              },
              flush(callback) {
                for (const entry of counts) this.push(entry);
                callback();
              },
            }),
            new Writable({ objectMode: true, write: (_entry, _encoding, callback) => callback() }),
          );
          return checksum(counts);
        },
      },
      {
        impl: 'rxjs groupBy + reduce',
        baseline: true,
        async run() {
          const counts = await lastValueFrom(
            rxFrom(words).pipe(
              groupBy((word) => word),
              mergeMap((group) => group.pipe(rxReduce((count: number) => count + 1, 0), rxMap((count) => [group.key, count] as const))),
              rxToArray(),
            ),
          );
          return checksum(counts);
        },
      },
      {
        impl: 'sluice pipeline, 4 partitions',
        async run() {
          const counts: [string, number][] = [];
          await pipeline(fromArray(words))
            .keyBy((word) => word, { partitions: 4 })
            .reduce((count: number) => count + 1, () => 0, { emit: 'final' })
            .to(toCallback(({ key, value }) => void counts.push([key, value])))
            .run({ name: 'bench' }).done;
          return checksum(counts);
        },
      },
    ],
  };
}
