/**
 * checkpoint-overhead: the wordcount job (1,000,000 records over 10,000 Zipf-like keys, 4
 * partitions) run by Sluice without checkpoints and with them, every second as the issue asks and
 * every 100 ms, each run into a fresh temporary folder; the checkpointed rows' ratio column divides
 * by the row without. The target is at most 10% lost at one checkpoint a second. A run of the job
 * takes well under a second, so at that interval a run takes the end-of-input checkpoint and
 * seldom another: the 100 ms row shows what each further checkpoint costs. The
 * `checkpoint-stats` probe reports how long one takes and how big it is.
 */
import { fromArray } from '../../src/index.js';
import { defineCase } from '../harness/bench-case.js';
import { CHECKPOINT_INTERVAL_MS, withCheckpointDirs } from './checkpoint-dirs.js';
import { PARTITIONS, checksum, startSluiceWordcount, wordcountFloor, wordcountInput } from './wordcount.js';

const WITHOUT = `sluice pipeline, ${PARTITIONS} partitions, no checkpoints`;

/** Counts `words` with Sluice, checkpoints every `interval` ms into `dir`, or none without a `dir`. */
async function countWords(words: readonly string[], checkpoint?: { dir: string; interval: number }): Promise<number> {
  const counts: [string, number][] = [];
  const collect = (word: string, count: number): void => void counts.push([word, count]);
  await startSluiceWordcount(fromArray(words), collect, checkpoint === undefined ? {} : { checkpoint }).done;
  return checksum(counts);
}

function checkpointed(interval: number) {
  return {
    impl: `sluice pipeline, ${PARTITIONS} partitions, checkpoints every ${interval >= 1000 ? `${interval / 1000} s` : `${interval} ms`}`,
    role: 'sluice' as const,
    compareWith: [WITHOUT],
    create: (words: readonly string[]) => withCheckpointDirs('checkpoint-overhead', (dir) => countWords(words, { dir, interval })),
  };
}

/** The checkpoint-overhead case: wordcount's input and job, checkpoints off and on. */
export const checkpointOverheadCase = defineCase({
  name: 'checkpoint-overhead',
  unit: 'records',
  input: wordcountInput,
  operations: (words) => words.length,
  implementations: [
    wordcountFloor,
    { impl: WITHOUT, role: 'sluice', create: (words) => ({ run: () => countWords(words) }) },
    checkpointed(CHECKPOINT_INTERVAL_MS),
    checkpointed(100),
  ],
});
