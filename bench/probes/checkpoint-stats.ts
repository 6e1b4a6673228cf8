/**
 * checkpoint-stats: what one checkpoint of the checkpoint-overhead job costs. Runs the wordcount
 * (1,000,000 records, 200,000 with `--quick`, 10,000 keys, 4 partitions) with checkpoints every
 * second into a fresh folder, asks for one more halfway through the input, and reports how many
 * the run took, how long the halfway one took from its barrier to a durable manifest, what its
 * snapshots weigh (`handle.metrics().checkpoints`), and what the end-of-input one holds on disk.
 * The second of two runs is reported; the first warms up.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromGenerator, type CheckpointStats, type PipelineHandle } from '../../src/index.js';
import { CHECKPOINT_INTERVAL_MS, CheckpointDirs } from '../cases/checkpoint-dirs.js';
import { startSluiceWordcount, wordcountInput } from '../cases/wordcount.js';
import type { Probe } from '../harness/probe.js';

interface Trial {
  readonly runMs: number;
  readonly checkpoints: number;
  readonly midway: CheckpointStats | undefined;
  readonly finalBytes: number;
}

/** Bytes of every file in `dir`. */
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

async function trial(words: readonly string[], dir: string): Promise<Trial> {
  let handle: PipelineHandle | undefined;
  let midway: Promise<CheckpointStats | undefined> | undefined;
  const half = words.length >> 1;
  const source = fromGenerator(function* (from: number) {
    for (let i = from; i < words.length; i++) {
      if (i === half && handle !== undefined) {
        const running = handle;
        midway = running.checkpoint().then(
          () => running.metrics().checkpoints,
          () => undefined,
        );
      }
      yield words[i] as string;
    }
  }, 'words');
  const started = performance.now();
  handle = startSluiceWordcount(source, () => undefined, { checkpoint: { dir, interval: CHECKPOINT_INTERVAL_MS } });
  await handle.done;
  const runMs = performance.now() - started;
  // Checkpoint ids count from 1 in a fresh folder, and only the newest `keep` are left: the last
  // folder's id is how many the run took. Read from disk rather than from `result.checkpoints`,
  // which does not count the end-of-input checkpoint.
  const folders = readdirSync(dir).filter((name) => name.startsWith('chk-')).sort();
  const last = folders.at(-1);
  return {
    runMs,
    checkpoints: last === undefined ? 0 : Number(last.slice('chk-'.length)),
    midway: await midway,
    finalBytes: last === undefined ? 0 : folderBytes(join(dir, last)),
  };
}

/** Runs with the checkpoint-overhead case, whose job it checkpoints. */
export const checkpointStatsProbe: Probe = {
  name: 'checkpoint-stats',
  cases: ['checkpoint-overhead'],
  async run(scale) {
    const words = wordcountInput(scale);
    const dirs = new CheckpointDirs('checkpoint-stats');
    let measured: Trial | undefined;
    try {
      for (let i = 0; i < 2; i++) measured = await trial(words, dirs.next());
    } finally {
      dirs.remove();
    }
    const { runMs, checkpoints, midway, finalBytes } = measured as Trial;
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
    const middle =
      midway?.lastDurationMs === undefined || midway.lastBytes === undefined
        ? 'the halfway checkpoint did not complete'
        : `one taken halfway took ${midway.lastDurationMs.toFixed(1)} ms from barrier to durable manifest and wrote ${kb(midway.lastBytes)} of snapshots`;
    return {
      summary:
        `wordcount, ${words.length.toLocaleString('en-US')} records, checkpoints every ${CHECKPOINT_INTERVAL_MS / 1000} s plus one asked for halfway: ` +
        `${checkpoints} checkpoints in a ${runMs.toFixed(0)} ms run (the last at the end of input, ${kb(finalBytes)} on disk); ${middle}`,
      values: {
        records: words.length,
        runMs,
        checkpoints,
        midwayDurationMs: midway?.lastDurationMs ?? -1,
        midwayBytes: midway?.lastBytes ?? -1,
        finalBytes,
      },
    };
  },
};
