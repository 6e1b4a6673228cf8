/**
 * wordcount-records, the headline word count: 1,000,000 records `{ word, ts }` shaped as a service
 * has them (200,000 with `--quick`) over 10,000 Zipf-like words, counted per word in 4 partitions.
 * Each peer is written as its own docs would have a user write it, and where a peer has two
 * natural formulations both are rows: Node object-mode streams with a router Writable feeding 4
 * partition Writables (drain honoured) and with one Transform; RxJS grouping by partition (4
 * groups, each reduced into a Map) and by word (one group per word); Effect Stream grouping by
 * partition, each group folded into a Map; XState with 4 actors by hash.
 * The `wordcount` case keeps the other shape, strings keyed by themselves.
 */
import { Readable, Writable } from 'node:stream';
import { finished, pipeline as streamPipeline } from 'node:stream/promises';
import { Effect, GroupBy, Stream } from 'effect';
import { from as rxFrom, groupBy, lastValueFrom, mergeMap, reduce as rxReduce, toArray as rxToArray } from 'rxjs';
import { fromArray, pipeline, toCallback } from '../../src/index.js';
import { defineCase, type Scale } from '../harness/bench-case.js';
import { checksum, hash, PARTITIONS, rxjsCountByWord, streamsCountInOneTransform, wordcountInput, xstateCountByHash } from './wordcount.js';

/** A record as a service has it: the field to count by, and its event time. */
export interface WordRecord {
  readonly word: string;
  readonly ts: number;
}

/** The records of one run: the word count's words, each in a record with a rising timestamp. */
export function wordRecordsInput(scale: Scale): readonly WordRecord[] {
  const started = Date.UTC(2026, 0, 1);
  return wordcountInput(scale).map((word, i) => ({ word, ts: started + i }));
}

function wordOf(record: WordRecord): string {
  return record.word;
}

/** Counts one record into `counts`. */
function count(counts: Map<string, number>, record: WordRecord): Map<string, number> {
  counts.set(record.word, (counts.get(record.word) ?? 0) + 1);
  return counts;
}

/** Node streams with a partition router: records go to one of 4 Writables by hash, waiting on `drain`. */
async function streamsByPartition(records: readonly WordRecord[]): Promise<number> {
  const maps = Array.from({ length: PARTITIONS }, () => new Map<string, number>());
  const partitions = maps.map(
    (counts) =>
      new Writable({
        objectMode: true,
        write(record: WordRecord, _encoding, callback) {
          count(counts, record);
          callback();
        },
      }),
  );
  const router = new Writable({
    objectMode: true,
    write(record: WordRecord, _encoding, callback) {
      const partition = partitions[hash(record.word) % PARTITIONS] as Writable;
      if (partition.write(record)) callback();
      else partition.once('drain', () => callback());
    },
    final(callback) {
      Promise.all(
        partitions.map((partition) => {
          partition.end();
          return finished(partition);
        }),
      ).then(() => callback(), callback);
    },
  });
  await streamPipeline(Readable.from(records), router);
  return checksum(maps.flatMap((counts) => [...counts]));
}

/** How far a group may run ahead of its consumer: the best of 16 (Effect's default), 256 and 4096 here. */
const EFFECT_BUFFER = 256;

/** Effect: `Stream.groupByKey` by partition, each group folded into a Map with `Stream.runFold`, as Effect's grouping docs show. */
async function effectByPartition(records: readonly WordRecord[]): Promise<number> {
  const maps = await Effect.runPromise(
    Stream.fromIterable(records).pipe(
      Stream.groupByKey((record) => hash(record.word) % PARTITIONS, { bufferSize: EFFECT_BUFFER }),
      GroupBy.evaluate((_partition, group) => Stream.fromEffect(Stream.runFold(group, new Map<string, number>(), count))),
      Stream.runCollect,
    ),
  );
  return checksum([...maps].flatMap((counts) => [...counts]));
}

/** The wordcount-records case. */
export const wordcountRecordsCase = defineCase({
  name: 'wordcount-records',
  // Its rows are compared with each other: their children take turns, so the host's slow spells fall on all alike.
  interleaved: true,
  unit: 'records',
  input: wordRecordsInput,
  operations: (records) => records.length,
  implementations: [
    {
      impl: 'plain loop',
      role: 'floor',
      create: (records) => ({
        run() {
          const counts = new Map<string, number>();
          for (const record of records) count(counts, record);
          return checksum(counts);
        },
      }),
    },
    {
      impl: `node object-mode streams, router to ${PARTITIONS} Writables`,
      role: 'peer',
      create: (records) => ({ run: () => streamsByPartition(records) }),
    },
    {
      impl: 'node object-mode streams, one Transform',
      role: 'peer',
      create: (records) => ({ run: () => streamsCountInOneTransform(records, wordOf) }),
    },
    {
      impl: `rxjs groupBy partition (${PARTITIONS}) + reduce`,
      role: 'peer',
      create: (records) => ({
        async run() {
          const maps = await lastValueFrom(
            rxFrom(records).pipe(
              groupBy((record) => hash(record.word) % PARTITIONS),
              mergeMap((group) => group.pipe(rxReduce(count, new Map<string, number>()))),
              rxToArray(),
            ),
          );
          return checksum(maps.flatMap((counts) => [...counts]));
        },
      }),
    },
    {
      impl: 'rxjs groupBy word + reduce',
      role: 'peer',
      create: (records) => ({ run: () => rxjsCountByWord(records, wordOf) }),
    },
    {
      impl: `effect Stream groupByKey partition (${PARTITIONS}) + runFold`,
      role: 'peer',
      create: (records) => ({ run: () => effectByPartition(records) }),
    },
    {
      impl: `xstate, ${PARTITIONS} actors by hash`,
      role: 'peer',
      create: (records) => ({ run: () => xstateCountByHash(records, wordOf) }),
    },
    {
      impl: `sluice pipeline, ${PARTITIONS} partitions`,
      role: 'sluice',
      create: (records) => ({
        async run() {
          const counts: [string, number][] = [];
          await pipeline(fromArray(records))
            .keyBy((record) => record.word, { partitions: PARTITIONS })
            .reduce(
              (n: number) => n + 1,
              () => 0,
              { emit: 'final' },
            )
            .to(toCallback(({ key, value }) => void counts.push([key, value])))
            .run({ name: 'bench' }).done;
          return checksum(counts);
        },
      }),
    },
  ],
});
