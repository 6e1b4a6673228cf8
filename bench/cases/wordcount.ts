/**
 * wordcount: 1,000,000 records over 10,000 keys with a Zipf-like distribution, counted per key.
 * Sluice runs it as a pipeline with 4 keyed partitions (supervision on); the floor is a plain loop
 * over a Map, and the peers are Node object-mode streams (`stream.pipeline` with a Transform and a
 * Writable), RxJS (`groupBy` + `reduce`) and XState v5 (4 actors, each word sent to one by hash, as
 * Sluice routes keys to partitions).
 * Sluice also runs it as a job module on 2 worker threads, the partitions spread over them; that
 * row is expected to be slower, several times so. Counting a word costs about a tenth of a
 * microsecond, and handing it to another thread costs more: the main thread routes every word into
 * a batch that is copied to the thread owning its partition, which takes it in and grants room
 * for the next; and each pass starts its threads afresh. Worker threads pay off when a record's
 * work is dearer than its hand-off: see the cpu-heavy case.
 */
import { Readable, Transform, Writable } from 'node:stream';
import { from as rxFrom, lastValueFrom, mergeMap, groupBy, reduce as rxReduce, map as rxMap, toArray as rxToArray } from 'rxjs';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { createActor, fromTransition } from 'xstate';
import { fromArray, toCallback, type PipelineHandle, type RunOptions, type Source } from '../../src/index.js';
import { jobModuleUrl } from '../harness/bench-entry.js';
import { defineCase, type Scale } from '../harness/bench-case.js';
import { zipfKeySequence } from './key-sequence.js';
import { PARTITIONS, wordcountPipeline } from './wordcount-pipeline.js';

export { PARTITIONS };

type WordcountJobModule = typeof import('./wordcount.job.js');

let jobModule: Promise<WordcountJobModule> | undefined;

/** The job module, imported by URL at run time: a static import would bundle it into this case's chunk. */
function loadJobModule(): Promise<WordcountJobModule> {
  jobModule ??= import(jobModuleUrl('cases/wordcount.job')) as Promise<WordcountJobModule>;
  return jobModule;
}

/** The words of one run: 1,000,000 (200,000 with `--quick`) over 10,000 Zipf-like keys. */
export function wordcountInput(scale: Scale): readonly string[] {
  return Array.from(zipfKeySequence(10_000, scale === 'quick' ? 200_000 : 1_000_000), (k) => `w${k}`);
}

/** A checksum of final counts that does not depend on the order they arrive in. */
export function checksum(counts: Iterable<readonly [string, number]>): number {
  let sum = 0;
  for (const [word, count] of counts) sum = (sum + count * (Number(word.slice(1)) + 1)) % 2_147_483_647;
  return sum;
}

/** FNV-1a over the word's UTF-16 code units: a cheap, stable hash to route words to actors. */
export function hash(word: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface WordEvent {
  readonly type: 'word';
  readonly word: string;
}

/**
 * Counts into the actor's own Map, in place: XState asks for a new context per event, but copying
 * 10,000 counts per record would measure the copy, not the actor.
 */
const countWords = fromTransition(
  (counts: Map<string, number>, { word }: WordEvent) => {
    counts.set(word, (counts.get(word) ?? 0) + 1);
    return counts;
  },
  () => new Map<string, number>(),
);

function identity(word: string): string {
  return word;
}

/** Node object-mode streams: one Transform counts every item's word, then pushes its counts on at the end. */
export async function streamsCountInOneTransform<T>(items: readonly T[], wordOf: (item: T) => string): Promise<number> {
  const counts = new Map<string, number>();
  await streamPipeline(
    Readable.from(items),
    new Transform({
      objectMode: true,
      transform(item: T, _encoding, callback) {
        const word = wordOf(item);
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
}

/** RxJS with one group per word, each reduced to its count, as RxJS's `groupBy` examples have it. */
export async function rxjsCountByWord<T>(items: readonly T[], wordOf: (item: T) => string): Promise<number> {
  const counts = await lastValueFrom(
    rxFrom(items).pipe(
      groupBy(wordOf),
      mergeMap((group) =>
        group.pipe(
          rxReduce((count: number) => count + 1, 0),
          rxMap((count) => [group.key, count] as const),
        ),
      ),
      rxToArray(),
    ),
  );
  return checksum(counts);
}

/** XState v5: {@link PARTITIONS} actors, each item's word sent to one by hash, as Sluice routes keys. */
export function xstateCountByHash<T>(items: readonly T[], wordOf: (item: T) => string): number {
  const actors = Array.from({ length: PARTITIONS }, () => createActor(countWords).start());
  for (const item of items) {
    const word = wordOf(item);
    (actors[hash(word) % PARTITIONS] as (typeof actors)[number]).send({ type: 'word', word });
  }
  const counts = actors.flatMap((actor) => [...actor.getSnapshot().context]);
  for (const actor of actors) actor.stop();
  return checksum(counts);
}

/**
 * Starts Sluice's word count: `words` counted per word in {@link PARTITIONS} keyed partitions, each
 * final count handed to `counted`. The checkpoint-overhead case runs the same job with `options`.
 */
export function startSluiceWordcount(words: Source<string, unknown>, counted: (word: string, count: number) => void, options: RunOptions = {}): PipelineHandle {
  return wordcountPipeline(
    words,
    toCallback(({ key, value }) => counted(key, value)),
  ).run({ name: 'bench', ...options });
}

/** The floor of the word-count jobs: a plain loop over a Map. */
export const wordcountFloor = {
  impl: 'plain loop',
  role: 'floor' as const,
  create: (words: readonly string[]) => ({
    run() {
      const counts = new Map<string, number>();
      for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
      return checksum(counts);
    },
  }),
};

/** The wordcount case: 1,000,000 records (200,000 with `--quick`) over 10,000 keys. */
export const wordcountCase = defineCase({
  name: 'wordcount',
  // Its rows are compared with each other: their children take turns, so the host's slow spells fall on all alike.
  interleaved: true,
  unit: 'records',
  input: wordcountInput,
  operations: (words) => words.length,
  implementations: [
    wordcountFloor,
    {
      impl: 'node object-mode streams',
      role: 'peer',
      create: (words) => ({ run: () => streamsCountInOneTransform(words, identity) }),
    },
    {
      impl: 'rxjs groupBy + reduce',
      role: 'peer',
      create: (words) => ({ run: () => rxjsCountByWord(words, identity) }),
    },
    {
      impl: `xstate, ${PARTITIONS} actors by hash`,
      role: 'peer',
      create: (words) => ({ run: () => xstateCountByHash(words, identity) }),
    },
    {
      impl: `sluice pipeline, ${PARTITIONS} partitions`,
      role: 'sluice',
      create: (words) => ({
        async run() {
          const counts: [string, number][] = [];
          await startSluiceWordcount(fromArray(words), (word, count) => void counts.push([word, count])).done;
          return checksum(counts);
        },
      }),
    },
    {
      impl: `sluice pipeline, ${PARTITIONS} partitions, 2 workers`,
      role: 'sluice',
      compareWith: [`sluice pipeline, ${PARTITIONS} partitions`],
      create: (words) => {
        let countWords: WordcountJobModule['countWords'] | undefined;
        return {
          async prepare() {
            countWords ??= (await loadJobModule()).countWords;
          },
          async run() {
            const counts = await (countWords as WordcountJobModule['countWords'])(words, 2);
            return checksum(counts.map(({ key, value }) => [key, value] as const));
          },
        };
      },
    },
  ],
});
