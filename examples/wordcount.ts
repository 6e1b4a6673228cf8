/**
 * Word count, Sluice's flagship example: streams a text file, splits lines into words, counts them
 * in keyed partition actors, and prints `{"word":…,"count":…}` JSON lines sorted by count (most
 * first), then word. Progress and a summary go to stderr, so stdout is only the result.
 *
 *   npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE] [--crash-rate P --seed S]
 *
 * `--crash-rate P --seed S` makes each partition actor throw with probability P as it processes a
 * record (seeded, reproducible): supervision restarts it from its snapshot, and the output is
 * byte-identical to a run without crashes.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromFileLines, pipeline, toArray, type Keyed, type RunOptions } from '../src/index.js';

const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

function usage(problem: string): never {
  process.stderr.write(
    `wordcount: ${problem}\n` +
      'usage: npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE] [--crash-rate P --seed S]\n',
  );
  process.exit(2);
}

function parseOptions(): { input: string; partitions: number; output: string | undefined; chaos: RunOptions['chaos'] } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        input: { type: 'string' },
        partitions: { type: 'string', default: '4' },
        output: { type: 'string' },
        'crash-rate': { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  if (values.input === undefined) usage('--input FILE is required');
  const partitions = Number(values.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 128) usage('--partitions must be an integer from 1 to 128');
  let chaos: RunOptions['chaos'];
  if (values['crash-rate'] !== undefined || values.seed !== undefined) {
    const crashRate = Number(values['crash-rate'] ?? Number.NaN);
    const seed = Number(values.seed ?? Number.NaN);
    if (!(crashRate >= 0 && crashRate < 1)) usage('--crash-rate must be a probability in [0, 1)');
    if (!Number.isInteger(seed)) usage('--seed must be an integer (and goes with --crash-rate)');
    chaos = { crashRate, seed };
  }
  return { input: values.input, partitions, output: values.output, chaos };
}

const { input, partitions, output, chaos } = parseOptions();
const counts = toArray<Keyed<string, number>>();
const handle = pipeline(fromFileLines(input))
  .flatMap((line) => line.toLowerCase().split(WORD_SEPARATOR).filter((word) => word !== ''), 'split')
  .keyBy((word) => word, { partitions })
  .reduce((count: number) => count + 1, () => 0, { emit: 'final', name: 'count' })
  .to(counts)
  .run({
    name: 'wordcount',
    // A restarted partition processes its batch again, and every record of it may crash again:
    // under injected crashes, batches stay small enough that most replays get through.
    batchSize: chaos === undefined ? 256 : Math.max(1, Math.min(256, Math.floor(0.5 / Math.max(chaos.crashRate, 1e-9)))),
    ...(chaos === undefined ? {} : { chaos }),
  });

const progress = setInterval(() => {
  const [source, split] = handle.metrics().operators;
  process.stderr.write(`wordcount: ${source?.recordsIn ?? 0} lines, ${split?.recordsIn ?? 0} words so far\n`);
}, 1000);
progress.unref();

try {
  const result = await handle.done;
  const sorted = [...counts.records].sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const text = sorted.map(({ key, value }) => `${JSON.stringify({ word: key, count: value })}\n`).join('');
  if (output === undefined) process.stdout.write(text);
  else await writeFile(output, text);
  const metrics = handle.metrics();
  // From the result, not the operator counters: those also count work a restart did again.
  const words = sorted.reduce((sum, { value }) => sum + value, 0);
  const seconds = result.durationMs / 1000;
  process.stderr.write(
    `wordcount: ${result.recordsRead} lines, ${words} words, ${sorted.length} distinct, ` +
      `${Math.round(words / Math.max(seconds, 1e-9)).toLocaleString('en-US')} words/s, ` +
      `${metrics.restarts} restarts, ${result.deadLetters} dead letters\n`,
  );
} catch (error) {
  process.stderr.write(`wordcount: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  clearInterval(progress);
}
