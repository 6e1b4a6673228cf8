/**
 * Word count, Sluice's flagship example: streams a text file, splits lines into words, counts them
 * in keyed partition actors, and prints `{"word":…,"count":…}` JSON lines sorted by count (most
 * first), then word. Progress and a summary go to stderr, so stdout is only the result. The job
 * itself is the job module examples/wordcount.job.ts; this program runs it with its own flags.
 *
 *   npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE | --pg URL --table NAME] [--with-chars] [--workers N]
 *                                 [--crash-rate P --seed S] [--checkpoint-dir DIR] [--checkpoint-interval MS]
 *
 * `--input`, `--output`, `--pg`, `--table`, `--partitions` (default 4) and `--with-chars` are the job's arguments,
 * read by the job module's `parseWordcountArgs`; the other flags are this program's, and may come
 * in any order among them.
 *
 * `--pg URL --table NAME` writes the counts into table NAME of that PostgreSQL database (created
 * when missing: `word text primary key, count bigint`) instead of JSON lines, exactly once: the run
 * always takes checkpoints, in DIR with `--checkpoint-dir`, else in the database itself (tables
 * `sluice_checkpoints` and `sluice_checkpoint_parts`, job `wordcount:NAME`). Killed at any moment,
 * the same command resumes; once the job has completed, it says so and leaves the table alone.
 *
 * `--with-chars` also counts each word's characters (its length in Unicode code points times its
 * count): the state per word becomes `{ count, chars }` (state version 2 of the stage `count`,
 * a count being version 1) and the lines `{"word":…,"count":…,"chars":…}`, sorted as before. Run
 * with the `--checkpoint-dir` of a run without it (stopped, killed, or complete), it resumes from
 * its last checkpoint, migrating each word's count, and writes what an uninterrupted
 * `--with-chars` run writes; a job that had completed is finished again from its state.
 *
 * `--workers N` (default 1) runs the job on N worker threads: they split the lines and run the
 * partitions, the main thread reads the file and writes the result. The output is byte-identical
 * for every N.
 *
 * `--crash-rate P --seed S` makes each partition actor throw with probability P as it processes a
 * record (seeded, reproducible): supervision restarts it from its snapshot, and the output is
 * byte-identical to a run without crashes.
 *
 * `--checkpoint-dir DIR` (with `--output`) takes a checkpoint every `--checkpoint-interval` ms
 * (default 1000). Killed at any moment (even `kill -9`), the same command resumes from the last
 * checkpoint, with any `--partitions`, and writes the same file an uninterrupted run would; once
 * the job has completed, running it again says so and leaves the file alone. SIGTERM (or Ctrl-C)
 * takes a last checkpoint and stops. It goes to the runtime with any `--workers`; a runtime that
 * cannot yet checkpoint on threads refuses it, and this program prints the refusal and exits 2.
 *
 * Exit codes: 0 done (or stopped, or already complete), 1 the run failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { InvalidOptionError, type PipelineHandle, type RunOptions } from '../src/index.js';
import { PostgresCheckpointStorage } from '../src/postgres/index.js';
import wordcount, { parseWordcountArgs, totalsOf, type WordcountArgs } from './wordcount.job.js';

/**
 * Each worker thread is a V8 isolate that imports (under tsx, compiles) the job: about a second and
 * tens of megabytes to start. Past the cores of any machine this runs on, a count is a typo.
 */
const MAX_WORKERS = 64;

function usage(problem: string): never {
  process.stderr.write(
    `wordcount: ${problem}\n` +
      'usage: npx tsx examples/wordcount.ts --input FILE [--partitions N] [--output FILE] [--with-chars] [--workers N]\n' +
      '                                     [--pg URL --table NAME] [--crash-rate P --seed S] [--checkpoint-dir DIR] [--checkpoint-interval MS]\n',
  );
  process.exit(2);
}

/** This program's flags, each with a value; everything else on the command line is the job's. */
const OWN_FLAGS: readonly string[] = ['workers', 'crash-rate', 'seed', 'checkpoint-dir', 'checkpoint-interval'];

/** Splits the command line into this program's flags (with their values) and the job's arguments, each in order. */
function splitArguments(argv: readonly string[]): { own: string[]; job: string[] } {
  const own: string[] = [];
  const job: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const flag = /^--([^=]+)(=?)/.exec(token);
    if (flag === null || !OWN_FLAGS.includes(flag[1] as string)) {
      job.push(token);
      continue;
    }
    own.push(token);
    // `--seed -3` is a flag and its value: the value goes along, whatever it looks like.
    if (flag[2] === '' && i + 1 < argv.length) own.push(argv[++i] as string);
  }
  return { own, job };
}

interface Options {
  args: WordcountArgs;
  workers: number;
  chaos: RunOptions['chaos'];
  checkpoint: RunOptions['checkpoint'];
}

function parseOptions(argv: readonly string[]): Options {
  const { own, job } = splitArguments(argv);
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      options: {
        workers: { type: 'string', default: '1' },
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
  let args: WordcountArgs;
  try {
    args = parseWordcountArgs(job);
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    usage(error.message);
  }
  const workers = Number(values.workers);
  if (!/^\d+$/.test(values.workers) || workers < 1 || workers > MAX_WORKERS)
    usage(`--workers must be an integer from 1 to ${MAX_WORKERS}, got ${values.workers}`);
  let chaos: RunOptions['chaos'];
  if (values['crash-rate'] !== undefined || values.seed !== undefined) {
    const crashRate = Number(values['crash-rate'] ?? Number.NaN);
    const seed = Number(values.seed ?? Number.NaN);
    if (!(crashRate >= 0 && crashRate < 1)) usage('--crash-rate must be a probability in [0, 1)');
    if (!Number.isInteger(seed)) usage('--seed must be an integer (and goes with --crash-rate)');
    chaos = { crashRate, seed };
  }
  let checkpoint: RunOptions['checkpoint'];
  const interval = Number(values['checkpoint-interval'] ?? 1000);
  if (!(interval > 0)) usage('--checkpoint-interval must be a positive number of milliseconds');
  if (values['checkpoint-dir'] !== undefined) {
    // The result must outlive the process that computed it, so it goes to a file or a table.
    if (args.output === undefined && args.pg === undefined) usage('--checkpoint-dir needs --output FILE or --pg URL --table NAME');
    checkpoint = { dir: values['checkpoint-dir'], interval };
  } else if (args.pg !== undefined && args.table !== undefined) {
    // A table is written exactly once, so its job always checkpoints: in the same database.
    checkpoint = { storage: new PostgresCheckpointStorage({ connectionString: args.pg, job: `wordcount:${args.table}` }), interval };
  } else if (values['checkpoint-interval'] !== undefined) {
    usage('--checkpoint-interval goes with --checkpoint-dir or --pg');
  }
  return { args, workers, chaos, checkpoint };
}

const { args, workers, chaos, checkpoint } = parseOptions(process.argv.slice(2));
let handle: PipelineHandle;
try {
  handle = wordcount.run({
    name: 'wordcount',
    workers,
    args,
    // A job completed by a run with older state (without --with-chars) is finished again by this one.
    finishUpgraded: true,
    // Under injected crashes the run picks batches small enough that most replays get through.
    ...(chaos === undefined ? {} : { chaos }),
    ...(checkpoint === undefined ? {} : { checkpoint }),
  });
} catch (error) {
  // Options the runtime refuses (checkpoints on threads, before it takes them) are bad arguments too.
  if (!(error instanceof InvalidOptionError)) throw error;
  process.stderr.write(`wordcount: ${error.message}\n`);
  process.exit(2);
}
if (checkpoint !== undefined) {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void handle.stop());
}
const destination = args.pg === undefined ? args.output : `table ${args.table}`;

const progress = setInterval(() => {
  const { operators, checkpoints } = handle.metrics();
  const [source, count] = operators;
  const taken = checkpoints === undefined ? '' : `, ${checkpoints.completed} checkpoints`;
  process.stderr.write(`wordcount: ${source?.recordsIn ?? 0} lines, ${count?.recordsIn ?? 0} words so far${taken}\n`);
}, 1000);
progress.unref();

try {
  const result = await handle.done;
  if (result.resumedFrom !== undefined && !result.alreadyComplete) process.stderr.write(`wordcount: resumed from checkpoint ${result.resumedFrom}\n`);
  if (result.alreadyComplete) {
    process.stderr.write(`wordcount: the job is already complete (checkpoint ${result.resumedFrom}); ${destination} is left as it is\n`);
  } else if (result.stopped) {
    process.stderr.write(`wordcount: stopped after ${result.recordsRead} lines; run the same command to go on\n`);
  } else {
    const metrics = handle.metrics();
    // From the result, not the operator counters: those also count work a restart did again.
    const { words, distinct } = totalsOf(args);
    const seconds = result.durationMs / 1000;
    process.stderr.write(
      `wordcount: ${result.recordsRead} lines, ${words} words, ${distinct} distinct, ` +
        `${Math.round(words / Math.max(seconds, 1e-9)).toLocaleString('en-US')} words/s, ` +
        `${metrics.restarts} restarts, ${result.deadLetters} dead letters` +
        `${workers > 1 ? `, ${workers} worker threads` : ''}` +
        `${result.checkpoints > 0 ? `, ${result.checkpoints} checkpoints` : ''}\n`,
    );
  }
} catch (error) {
  process.stderr.write(`wordcount: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  clearInterval(progress);
  if (checkpoint?.storage instanceof PostgresCheckpointStorage) await checkpoint.storage.close();
}
