/**
 * `npx tsx bench/nexmark/run.ts [--events N] [--query q0|q1|q2|q3|q5|q7|q8] [--runs R] [--partitions P]`:
 * generates N Nexmark events, then prints, per query, the median events/s of each implementation
 * over R runs (after one warm-up) and checks that every output's checksum equals the model's.
 * Also prints how fast the generator alone goes. Exits 1 on a checksum mismatch.
 *
 * Run under `node --expose-gc --import tsx bench/nexmark/run.ts …` for steadier numbers: each timed
 * run then starts after a full collection, instead of paying for the garbage of the one before.
 */
import { parseArgs } from 'node:util';
import { SLUICE_QUERIES, nexmarkCase, type SluiceQuery } from './cases.js';
import { NexmarkGenerator } from './generator.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    query: { type: 'string' },
    runs: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '4' },
  },
});

const count = positiveInteger('events', values.events);
const runs = positiveInteger('runs', values.runs);
const partitions = positiveInteger('partitions', values.partitions);
const queries: readonly SluiceQuery[] = values.query === undefined ? SLUICE_QUERIES : [query(values.query)];

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    console.error(`Expected --${name} to be a positive integer, got ${text}`);
    process.exit(2);
  }
  return value;
}

function query(text: string): SluiceQuery {
  if (!(SLUICE_QUERIES as readonly string[]).includes(text)) {
    console.error(`Expected --query to be one of ${SLUICE_QUERIES.join(', ')}, got ${text}`);
    process.exit(2);
  }
  return text as SluiceQuery;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Median events/s of `work` over the runs, after one untimed warm-up. */
async function rate(work: () => unknown): Promise<number> {
  await work();
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) {
    collectGarbage?.();
    const started = performance.now();
    await work();
    rates.push(count / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

const format = (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en-US')} events/s`;
const line = (...cells: string[]): void => console.log(cells.map((cell, i) => (i === 0 ? cell.padEnd(40) : cell.padStart(20))).join(''));

console.log(
  `Nexmark: ${count.toLocaleString('en-US')} events, median of ${runs} runs, node ${process.version}` +
    `${collectGarbage === undefined ? ' (no --expose-gc: runs pay for earlier garbage)' : ', full GC before each run'}\n`,
);

const generator = new NexmarkGenerator();
line('generation', 'rate');
// Streaming first: the arrays of the next measurement leave old-generation garbage that would
// otherwise be collected during this one.
line(
  '  events(0, N), each dropped',
  format(
    await rate(() => {
      let sink = 0;
      for (const event of generator.events(0, count)) sink ^= event.dateTime;
      return sink;
    }),
  ),
);
line('  generate(0, N) into an array', format(await rate(() => generator.generate(0, count))));

const events = generator.generate(0, count);
let mismatches = 0;
for (const name of queries) {
  const benchCase = nexmarkCase(name, events, { partitions, stream: {} });
  console.log();
  line(benchCase.name, 'rate', 'rows', 'vs plain loop');
  let expected: number | undefined;
  let baseline: number | undefined;
  for (const implementation of benchCase.implementations) {
    let rows: readonly unknown[] = [];
    const perSecond = await rate(async () => {
      rows = await implementation.execute();
    });
    const checksum = benchCase.checksum(rows);
    expected ??= checksum;
    baseline ??= perSecond;
    const ok = checksum === expected;
    if (!ok) mismatches++;
    line(
      `  ${implementation.impl}`,
      format(perSecond),
      rows.length.toLocaleString('en-US'),
      ok ? `${(perSecond / baseline).toFixed(2)}×` : `CHECKSUM ${checksum} ≠ ${expected}`,
    );
  }
}
if (mismatches > 0) {
  console.error(`\n${mismatches} implementation(s) computed a different answer than the model`);
  process.exit(1);
}
