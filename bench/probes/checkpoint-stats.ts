/**
 * checkpoint-stats: what checkpoints cost the checkpoint-overhead job (the wordcount over 10,000
 * keys, 4 partitions), measured in one process, over its word list twelve times over (12,000,000
 * records; with `--quick`, a short check, twice over its 200,000).
 *
 * - Throughput: runs without checkpoints and with them every second, in interleaved pairs (the
 *   order alternating), and reports the median of each pair's ratio. The table's rows come from
 *   separate child processes run a minute apart; on a shared machine a neighbour's load can swing
 *   those by more than the overhead, while both runs of a pair see much the same load.
 * - One checkpoint: a further run asks for one halfway through the input and reports how long it
 *   took from its barrier to a durable manifest and what its snapshots weigh
 *   (`handle.metrics().checkpoints`), and what the end-of-input checkpoint holds on disk.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromArray, fromGenerator, type CheckpointStats, type PipelineHandle } from '../../src/index.js';
import { CHECKPOINT_INTERVAL_MS, CheckpointDirs } from '../cases/checkpoint-dirs.js';
import { startSluiceWordcount, wordcountInput } from '../cases/wordcount.js';
import { median } from '../harness/median.js';
import type { Probe } from '../harness/probe.js';

/** Interleaved pairs of runs, after one untimed pair. */
const PAIRS = 5;

/**
 * Passes over the word list in one run. A run must span the checkpoint interval: one pass takes a
 * fifth of a second here, and a run that short measures the end-of-input checkpoint (the job waits
 * for its fsyncs) rather than checkpoints every second; twelve make runs of about two seconds.
 */
const PASSES = { full: 12, quick: 2 } as const;

interface Trial {
  readonly runMs: number;
  /** Checkpoints the run completed, the end-of-input one included. */
  readonly checkpoints: number;
  readonly midway: CheckpointStats | undefined;
  readonly finalBytes: number;
}

/** Bytes of every file in `dir`. */
function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

/**
 * Checkpoint ids count from 1 in a fresh folder and only the newest are kept, so the last folder's
 * id is how many the run took. Read from disk rather than from `result.checkpoints`, which does not
 * count the end-of-input checkpoint.
 */
function lastCheckpoint(dir: string): { count: number; bytes: number } {
  const last = readdirSync(dir)
    .filter((name) => name.startsWith('chk-'))
    .sort()
    .at(-1);
  return last === undefined ? { count: 0, bytes: 0 } : { count: Number(last.slice('chk-'.length)), bytes: folderBytes(join(dir, last)) };
}

/** Milliseconds of one run, with checkpoints every second into `dir`, or none without a `dir`. */
async function timedRun(words: readonly string[], dir: string | undefined): Promise<number> {
  const started = performance.now();
  await startSluiceWordcount(fromArray(words), () => undefined, dir === undefined ? {} : { checkpoint: { dir, interval: CHECKPOINT_INTERVAL_MS } }).done;
  return performance.now() - started;
}

/** One checkpointed run that also asks for a checkpoint halfway through the input. */
async function statsRun(words: readonly string[], dir: string): Promise<Trial> {
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
  const last = lastCheckpoint(dir);
  return { runMs, checkpoints: last.count, midway: await midway, finalBytes: last.bytes };
}

/** Runs with the checkpoint-overhead case, whose job it checkpoints. */
export const checkpointStatsProbe: Probe = {
  name: 'checkpoint-stats',
  cases: ['checkpoint-overhead'],
  async run(scale) {
    const list = wordcountInput(scale);
    const words = Array.from({ length: PASSES[scale] * list.length }, (_, i) => list[i % list.length] as string);
    const dirs = new CheckpointDirs('checkpoint-stats');
    const ratios: number[] = [];
    const checkpointsPerRun: number[] = [];
    let stats: Trial;
    try {
      for (let pair = 0; pair <= PAIRS; pair++) {
        // Alternate which goes first, so that neither always runs on a heap the other left.
        const withFirst = pair % 2 === 1;
        const dir = dirs.next();
        const first = await timedRun(words, withFirst ? dir : undefined);
        const second = await timedRun(words, withFirst ? undefined : dir);
        const [withMs, withoutMs] = withFirst ? [first, second] : [second, first];
        // Pair 0 warms both up and is not counted.
        if (pair === 0) continue;
        ratios.push(withoutMs / withMs);
        checkpointsPerRun.push(lastCheckpoint(dir).count);
      }
      stats = await statsRun(words, dirs.next());
    } finally {
      dirs.remove();
    }
    const ratio = median(ratios);
    const perRun = median(checkpointsPerRun);
    const { midway, finalBytes } = stats;
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
    const middle =
      midway?.lastDurationMs === undefined || midway.lastBytes === undefined
        ? 'a checkpoint asked for halfway did not complete'
        : `a checkpoint asked for halfway took ${midway.lastDurationMs.toFixed(1)} ms from barrier to durable manifest and wrote ${kb(midway.lastBytes)} of snapshots`;
    return {
      summary:
        `wordcount, ${words.length.toLocaleString('en-US')} records: with checkpoints every ${CHECKPOINT_INTERVAL_MS / 1000} s, ` +
        `${ratio.toFixed(2)}x the rate without (${((1 - ratio) * 100).toFixed(0)}% lost; median of ${PAIRS} interleaved pairs in one process, ` +
        `${perRun} checkpoint${perRun === 1 ? '' : 's'} a run, the end-of-input one included); ${middle}; the end-of-input one holds ${kb(finalBytes)} on disk`,
      values: {
        records: words.length,
        rateRatio: ratio,
        checkpointsPerRun: perRun,
        midwayDurationMs: midway?.lastDurationMs ?? -1,
        midwayBytes: midway?.lastBytes ?? -1,
        finalBytes,
        statsRunMs: stats.runMs,
        statsRunCheckpoints: stats.checkpoints,
      },
    };
  },
};
