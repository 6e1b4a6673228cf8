/**
 * Word count, Sluice's flagship example: streams a text file, splits lines into words, counts them
 * in keyed partition actors, and prints `{"word":…,"count":…}` JSON lines sorted by count (most
 * first), then word. Progress and a summary go to stderr, so stdout is only the result.
 *
 *   npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE] [--crash-rate P --seed S]
 *                                 [--checkpoint-dir DIR [--checkpoint-interval MS]]
 *
 * `--crash-rate P --seed S` makes each partition actor throw with probability P as it processes a
 * record (seeded, reproducible): supervision restarts it from its snapshot, and the output is
 * byte-identical to a run without crashes.
 *
 * `--checkpoint-dir DIR` (with `--output`) takes a checkpoint every `--checkpoint-interval` ms
 * (default 1000). Killed at any moment (even `kill -9`), the same command resumes from the last
 * checkpoint, with any `--partitions`, and writes the same file an uninterrupted run would; once
 * the job has completed, running it again says so and leaves the file alone. SIGTERM (or Ctrl-C)
 * takes a last checkpoint and stops.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromFileLines, pipeline, type Keyed, type RunOptions, type Sink } from '../src/index.js';

const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

function usage(problem: string): never {
  process.stderr.write(
    `wordcount: ${problem}\n` +
      'usage: npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE] [--crash-rate P --seed S]\n' +
      '                                     [--checkpoint-dir DIR [--checkpoint-interval MS]]\n',
  );
  process.exit(2);
}

interface Options {
  input: string;
  partitions: number;
  output: string | undefined;
  chaos: RunOptions['chaos'];
  checkpoint: RunOptions['checkpoint'];
}

function parseOptions(): Options {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        input: { type: 'string' },
        partitions: { type: 'string', default: '4' },
        output: { type: 'string' },
        'crash-rate': { type: 'string' },
        seed: { type: 'string' },
        'checkpoint-dir': { type: 'string' },
        'checkpoint-interval': { type: 'string' },
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
  let checkpoint: RunOptions['checkpoint'];
  if (values['checkpoint-dir'] !== undefined) {
    // The result must outlive the process that computed it, so it goes to a file.
    if (values.output === undefined) usage('--checkpoint-dir needs --output FILE');
    const interval = Number(values['checkpoint-interval'] ?? 1000);
    if (!(interval > 0)) usage('--checkpoint-interval must be a positive number of milliseconds');
    checkpoint = { dir: values['checkpoint-dir'], interval };
  } else if (values['checkpoint-interval'] !== undefined) {
    usage('--checkpoint-interval goes with --checkpoint-dir');
  }
  return { input: values.input, partitions, output: values.output, chaos, checkpoint };
}

const byCountThenWord = (a: Keyed<string, number>, b: Keyed<string, number>): number => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function render(counts: readonly Keyed<string, number>[]): string {
  return [...counts]
    .sort(byCountThenWord)
    .map(({ key, value }) => `${JSON.stringify({ word: key, count: value })}\n`)
    .join('');
}

/**
 * The sorted result, written where the options say. With checkpoints it takes part in them: the
 * counts arrive only once the input has ended, so the job's last checkpoint pre-commits the sorted
 * file under a pending name, and its commit renames it into place — written exactly once.
 */
function resultSink(output: string | undefined): Sink<Keyed<string, number>> & { readonly counts: readonly Keyed<string, number>[] } {
  const counts: Keyed<string, number>[] = [];
  const pending = `${output}.pending`;
  return {
    name: output ?? 'stdout',
    counts,
    write(batch) {
      counts.push(...batch);
    },
    async preCommit() {
      if (counts.length === 0) return null;
      await writeFile(pending, render(counts), { flush: true });
      return { pending };
    },
    async commit(token) {
      if (token !== null) await rename(pending, output as string);
    },
    async recover(token) {
      // A pending file the completed checkpoint names goes into place; any other is stale.
      if (token !== null && token !== undefined) await rename(pending, output as string).catch(() => undefined);
      else await rm(pending, { force: true });
    },
  };
}

const { input, partitions, output, chaos, checkpoint } = parseOptions();
const counts = resultSink(output);
const handle = pipeline(fromFileLines(input))
  .flatMap(
    (line) =>
      line
        .toLowerCase()
        .split(WORD_SEPARATOR)
        .filter((word) => word !== ''),
    'split',
  )
  .keyBy((word) => word, { partitions })
  .reduce(
    (count: number) => count + 1,
    () => 0,
    { emit: 'final', name: 'count' },
  )
  .to(counts)
  .run({
    name: 'wordcount',
    // Under injected crashes the run picks batches small enough that most replays get through.
    ...(chaos === undefined ? {} : { chaos }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
  });
if (checkpoint !== undefined) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void handle.stop());
}

const progress = setInterval(() => {
  const { operators, checkpoints } = handle.metrics();
  const [source, split] = operators;
  const taken = checkpoints === undefined ? '' : `, ${checkpoints.completed} checkpoints`;
  process.stderr.write(`wordcount: ${source?.recordsIn ?? 0} lines, ${split?.recordsIn ?? 0} words so far${taken}\n`);
}, 1000);
progress.unref();

try {
  const result = await handle.done;
  if (result.resumedFrom !== undefined && !result.alreadyComplete) process.stderr.write(`wordcount: resumed from checkpoint ${result.resumedFrom}\n`);
  if (result.alreadyComplete) {
    process.stderr.write(`wordcount: the job is already complete (checkpoint ${result.resumedFrom}); ${output} is left as it is\n`);
  } else if (result.stopped) {
    process.stderr.write(`wordcount: stopped after ${result.recordsRead} lines; run the same command to go on\n`);
  } else {
    if (checkpoint === undefined) {
      const text = render(counts.counts);
      if (output === undefined) process.stdout.write(text);
      else await writeFile(output, text);
    }
    const metrics = handle.metrics();
    // From the result, not the operator counters: those also count work a restart did again.
    const words = counts.counts.reduce((sum, { value }) => sum + value, 0);
    const seconds = result.durationMs / 1000;
    process.stderr.write(
      `wordcount: ${result.recordsRead} lines, ${words} words, ${counts.counts.length} distinct, ` +
        `${Math.round(words / Math.max(seconds, 1e-9)).toLocaleString('en-US')} words/s, ` +
        `${metrics.restarts} restarts, ${result.deadLetters} dead letters` +
        `${result.checkpoints > 0 ? `, ${result.checkpoints} checkpoints` : ''}\n`,
    );
  }
} catch (error) {
  process.stderr.write(`wordcount: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  clearInterval(progress);
}
