/**
 * `npm run bench [-- --quick] [-- --case NAME] [-- --json FILE]`: runs every case and prints a table
 * of median throughput with Sluice's ratio to the baselines measured in the same run.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { actorThroughput } from './cases/actor-throughput.js';
import { keyedActorCase, measureKeyedSnapshotPause } from './cases/keyed-actor.js';
import { keyedStateCase } from './cases/keyed-state.js';
import { stateUpdateCase } from './cases/state-update.js';
import { wordcountCase } from './cases/wordcount.js';
import { measureCase, type BenchCase, type Measurement } from './measure.js';
import { measureMemoryBound } from './memory-bound.js';
import { renderTable } from './report.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    case: { type: 'string' },
    json: { type: 'string' },
  },
});

const quick = values.quick === true;
const EXTRA_CASES = ['memory-bound'];
const cases: BenchCase[] = [
  actorThroughput(quick ? 200_000 : 1_000_000),
  stateUpdateCase(quick ? 200_000 : 1_000_000),
  keyedStateCase(quick ? 100_000 : 1_000_000, quick ? 500_000 : 2_000_000),
  keyedActorCase(quick ? 100_000 : 1_000_000, quick ? 500_000 : 2_000_000, 'uniform'),
  keyedActorCase(quick ? 100_000 : 1_000_000, quick ? 500_000 : 2_000_000, 'zipf'),
  wordcountCase(quick ? 200_000 : 1_000_000, 10_000),
].filter(
  (c) => values.case === undefined || c.name === values.case,
);
if (cases.length === 0 && !EXTRA_CASES.includes(values.case ?? '')) {
  console.error(`No benchmark case named ${values.case}`);
  process.exit(2);
}

const results: Measurement[] = [];
for (const benchCase of cases) {
  results.push(...(await measureCase(benchCase, { warmups: quick ? 1 : 3, runs: quick ? 3 : 7 })));
}
console.log(`Node ${process.version}, ${process.arch}; median of ${quick ? 3 : 7} runs after warm-up\n`);
console.log(renderTable(results));
if (values.case === undefined || values.case.startsWith('keyed-actor')) {
  const keys = quick ? 100_000 : 1_000_000;
  const pause = await measureKeyedSnapshotPause(keys);
  console.log(
    `\nkeyed-actor snapshot at ${keys.toLocaleString('en-US')} keys: capture pauses the actor ${pause.captureMs.toFixed(3)} ms; ` +
      `saving it blocks the event loop at most ${pause.longestSaveBlockMs.toFixed(1)} ms at a time`,
  );
}
if (values.json !== undefined) {
  writeFileSync(values.json, JSON.stringify(results.map(({ case: c, impl, opsPerSec }) => ({ case: c, impl, opsPerSec })), null, 2));
}
if (values.case === undefined || values.case === 'memory-bound') {
  const [idle, ...runs] = await measureMemoryBound(quick ? [0, 100_000, 1_000_000] : [0, 1_000_000, 10_000_000]);
  console.log('\nmemory-bound: keyed pipeline into a slow sink, each run in its own process');
  console.log(`  idle process under the same loader (tsx): peak RSS ${idle?.peakRssMb.toFixed(0)} MB`);
  for (const run of runs) {
    console.log(
      `  ${run.records.toLocaleString('en-US')} records: peak RSS ${run.peakRssMb.toFixed(0)} MB, ${(run.recordsPerSec / 1e6).toFixed(2)} M records/s`,
    );
  }
}
