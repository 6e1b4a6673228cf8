/**
 * The child of the soak test: for argv[2] seconds, a writer appends events to a journal as fast as
 * the backlog allows, a keyed pipeline tails it with checkpoints every second (truncating the
 * journal behind them) and injected crashes restarting its partitions now and then, and a reader
 * queries the live state. Heap (after a forced GC) and RSS are sampled every 250 ms. Then it stops
 * everything and compares the process's active resources with those it had before it began.
 * Prints one JSON line. Run with --expose-gc.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournal, pipeline, toCallback } from '../../src/index.js';

const seconds = Number(process.argv[2] ?? '20');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

// Let the loader settle, then note what the process holds before we start.
await new Promise<void>((resolve) => setTimeout(resolve, 50));
const before = process.getActiveResourcesInfo();

const dir = await mkdtemp(join(tmpdir(), 'sluice-soak-'));
const journal = await openJournal<{ key: string; value: number }>({ dir: join(dir, 'journal'), segmentBytes: 256 * 1024 });
const kept: number[] = [];
let truncations = Promise.resolve();
let consumed = 0;
const handle = pipeline(journal.source({ name: 'soak' }))
  .tap(() => void consumed++)
  .keyBy((event) => event.key, { partitions: 4 })
  .reduce(
    (sum: number, event) => sum + event.value,
    () => 0,
    { name: 'sum' },
  )
  .to(toCallback(() => undefined))
  .run({ name: 'soak', checkpoint: { dir: join(dir, 'checkpoints'), interval: 1000 }, chaos: { crashRate: 0.00002, seed: 1 } });
let checkpoints = 0;
handle.events.subscribe((event) => {
  if (event.type !== 'checkpoint-completed') return;
  checkpoints++;
  kept.push(event.offset as number);
  if (kept.length > 2) kept.shift();
  const offset = kept[0] as number;
  truncations = truncations.then(() => journal.truncateBefore(offset)).then(() => undefined);
});

let running = true;
let appended = 0;
const writer = (async () => {
  for (let i = 0; running; i++) {
    // Stay at most 50,000 records ahead of the pipeline: the backlog, not the heap, absorbs bursts.
    if (appended - consumed > 50_000) {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const batch = Array.from({ length: 200 }, (_, j) => ({ key: `k${(i * 200 + j) % 10_000}`, value: 1 }));
    appended = await journal.append(batch);
  }
})();
let queries = 0;
const reader = (async () => {
  while (running) {
    await handle.query('sum', `k${queries % 10_000}`).catch(() => undefined);
    queries++;
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
  }
})();

const samples: { at: number; heapMb: number; rssMb: number }[] = [];
const started = performance.now();
while (performance.now() - started < seconds * 1000) {
  await new Promise<void>((resolve) => setTimeout(resolve, 250));
  gc();
  const memory = process.memoryUsage();
  samples.push({ at: (performance.now() - started) / 1000, heapMb: memory.heapUsed / 2 ** 20, rssMb: memory.rss / 2 ** 20 });
}

running = false;
await writer;
await reader;
const result = await handle.stop();
await truncations;
const stats = journal.stats();
await journal.close();
await rm(dir, { recursive: true, force: true });
await new Promise<void>((resolve) => setImmediate(resolve));

const after = process.getActiveResourcesInfo();
const leftover = [...after];
for (const resource of before) {
  const at = leftover.indexOf(resource);
  if (at >= 0) leftover.splice(at, 1);
}
process.stdout.write(
  `${JSON.stringify({
    seconds,
    records: result.recordsRead,
    restarts: handle.metrics().restarts,
    checkpoints,
    queries,
    journalStart: stats.start,
    journalEnd: stats.end,
    samples,
    before,
    after,
    leftover,
  })}\n`,
);
