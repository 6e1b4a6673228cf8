/**
 * The word-count job, as a job module: every thread that runs it imports this file and builds the
 * same pipeline from the same plain-data arguments, so it runs on any number of threads and a host
 * can start it from its command-line arguments alone (`parseWordcountArgs`, its `parseArgs`:
 * `npx sluice run examples/wordcount.job.ts -- --input FILE`). Its sink writes the
 * result itself, so whoever runs the job gets the same bytes: examples/wordcount.ts, or a worker.
 *
 * Lines are lowercased and split into words (on the threads, with `workers` > 1), each word is
 * counted in the keyed partition its key group belongs to, and the sink, on the main thread,
 * writes `{"word":…,"count":…}` JSON lines sorted by count (most first), then word. The order of
 * the sorted output does not depend on the order the counts arrive in, so it is byte-identical for
 * any number of threads, partitions and injected crashes.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_PARALLELISM, defineJob, fromFileLines, InvalidOptionError, pipeline, type Keyed, type Sink } from '../src/index.js';
import { connectPostgres, quoteIdentifier, toPostgres } from '../src/postgres/index.js';

/** What the job is built from: plain data, copied to every thread. */
export interface WordcountArgs {
  /** The text file whose words are counted. */
  readonly input: string;
  /** The file the sorted counts go to; standard output when undefined (not with checkpoints), or `table` with `pg`. */
  readonly output?: string | undefined;
  /** A PostgreSQL server (`postgresql://user@host:port/database`) whose `table` takes the counts instead of a file. */
  readonly pg?: string | undefined;
  /** The table the counts go to with `pg`: `word text primary key, count bigint`, created when missing. */
  readonly table?: string | undefined;
  /** Partitions of the counting stage, 1 to `DEFAULT_MAX_PARALLELISM` (128). @defaultValue 4 */
  readonly partitions: number;
  /**
   * Counts each word's characters too: the state per word is `{ count, chars }` (state version 2)
   * instead of a count (version 1), and the lines `{"word":…,"count":…,"chars":…}`. Resuming a
   * checkpoint of a run without it migrates its counts. @defaultValue false
   */
  readonly withChars?: boolean | undefined;
}

/** A word's state at state version 2 (`--with-chars`): its count, and its length in code points times the count. */
export interface WordChars {
  readonly count: number;
  readonly chars: number;
}

/** What the counting stage emits per word: a count (version 1), or a count with characters (version 2). */
type WordValue = number | WordChars;

/** What the result holds: words counted, and distinct words. */
export interface WordTotals {
  readonly words: number;
  readonly distinct: number;
}

const WORD_SEPARATOR = /[^\p{L}\p{N}]+/u;

/** A word's length in Unicode code points (not UTF-16 units: an emoji or a rare CJK character is one). */
function codePoints(word: string): number {
  let n = 0;
  for (const _ of word) n++;
  return n;
}

/**
 * The job's arguments from command-line-style arguments: `--input FILE` (required),
 * `--output FILE` or `--pg URL --table NAME`, `--partitions N` (default 4), each as `--name value`
 * or `--name=value`, and `--with-chars`.
 * @throws InvalidOptionError naming the argument: one this job does not take, one without its
 *   value, a missing `--input`, a `--pg` without `--table` (or the other way round) or with
 *   `--output`, or a `--partitions` that is not an integer from 1 to 128.
 * @example
 * ```ts
 * parseWordcountArgs(['--input', 'book.txt', '--partitions', '8']); // { input: 'book.txt', output: undefined, partitions: 8 }
 * ```
 */
export function parseWordcountArgs(argv: readonly string[]): WordcountArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        input: { type: 'string' },
        output: { type: 'string' },
        pg: { type: 'string' },
        table: { type: 'string' },
        partitions: { type: 'string', default: '4' },
        'with-chars': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    // Node's first sentence names the argument; what follows is advice for other command lines.
    const reason = (error as Error).message.split('. ')[0]?.replace(/\.$/, '');
    throw new InvalidOptionError('job arguments', `--input FILE [--output FILE | --pg URL --table NAME] [--partitions N] [--with-chars] (${reason})`, argv);
  }
  if (values.input === undefined || values.input === '') throw new InvalidOptionError('--input', 'the text file to count the words of', values.input);
  if (values.output === '') throw new InvalidOptionError('--output', 'a file name', values.output);
  if (values.pg !== undefined || values.table !== undefined) {
    if (values.pg === undefined || values.pg === '')
      throw new InvalidOptionError('--pg', 'a PostgreSQL URL for --table (postgresql://user@host:port/database)', values.pg);
    if (values.table === undefined || values.table === '') throw new InvalidOptionError('--table', 'the table the counts go to, with --pg', values.table);
    if (values.output !== undefined) throw new InvalidOptionError('--output', 'absent with --pg: the counts go to the table', values.output);
  }
  const partitions = Number(values.partitions);
  if (!/^\d+$/.test(values.partitions) || partitions < 1 || partitions > DEFAULT_MAX_PARALLELISM) {
    throw new InvalidOptionError('--partitions', `an integer from 1 to ${DEFAULT_MAX_PARALLELISM}`, values.partitions);
  }
  const withChars = values['with-chars'];
  // The table's columns are a count's: characters have nowhere to go there.
  if (withChars && values.pg !== undefined) throw new InvalidOptionError('--with-chars', 'absent with --pg: the table holds counts only', true);
  return { input: values.input, output: values.output, pg: values.pg, table: values.table, partitions, withChars };
}

const countOf = (value: WordValue): number => (typeof value === 'number' ? value : value.count);

const byCountThenWord = (a: Keyed<string, WordValue>, b: Keyed<string, WordValue>): number =>
  countOf(b.value) - countOf(a.value) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function render(counts: readonly Keyed<string, WordValue>[]): string {
  return [...counts]
    .sort(byCountThenWord)
    .map(
      ({ key, value }) =>
        `${JSON.stringify(typeof value === 'number' ? { word: key, count: value } : { word: key, count: value.count, chars: value.chars })}\n`,
    )
    .join('');
}

type ResultSink = Sink<Keyed<string, WordValue>> & { readonly counts: readonly Keyed<string, WordValue>[] };

/**
 * The sorted result, written to `output` (standard output when undefined). The counts arrive only
 * once the input has ended. Without checkpoints `close` writes them. With checkpoints (the run
 * calls `recover` first) the job's last checkpoint pre-commits the sorted file under a pending
 * name and its commit renames it into place — written exactly once — so `close` has nothing left.
 */
function resultSink(output: string | undefined): ResultSink {
  const counts: Keyed<string, WordValue>[] = [];
  const pending = `${output}.pending`;
  let checkpointed = false;
  return {
    name: output ?? 'stdout',
    counts,
    write(batch) {
      counts.push(...batch);
    },
    async close() {
      if (checkpointed) return;
      const text = render(counts);
      if (output !== undefined) await writeFile(output, text);
      else await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
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
      checkpointed = true;
      // Standard output cannot hold a pending result back until a checkpoint commits it.
      if (output === undefined) throw new InvalidOptionError('--output', 'a file when the job takes checkpoints', output);
      // A pending file the completed checkpoint names goes into place; any other is stale.
      if (token !== null && token !== undefined) await rename(pending, output).catch(() => undefined);
      else await rm(pending, { force: true });
    },
  };
}

/**
 * The counts into table `table` of the PostgreSQL server at `url`, upserted by word: exactly once
 * with checkpoints (the job's last checkpoint commits them in one transaction). The table is
 * created when missing; its rows say what was counted, so `counts` keeps them for the totals.
 */
function tableSink(url: string, table: string): ResultSink {
  const counts: Keyed<string, WordValue>[] = [];
  const rows = toPostgres<Keyed<string, WordValue>>({
    connectionString: url,
    table,
    columns: ['word', 'count'],
    key: 'word',
    job: `wordcount:${table}`,
    row: ({ key, value }) => [key, countOf(value)],
  });
  return {
    name: rows.name,
    counts,
    async open(context) {
      const { pool } = await connectPostgres({ connectionString: url, max: 1 });
      try {
        await pool.query(`CREATE TABLE IF NOT EXISTS ${quoteIdentifier(table)} (word text PRIMARY KEY, count bigint NOT NULL)`);
      } finally {
        await pool.end();
      }
      await rows.open?.(context);
    },
    write(batch) {
      counts.push(...batch);
      return rows.write(batch);
    },
    preCommit: (checkpoint) => rows.preCommit?.(checkpoint),
    commit: (token) => rows.commit?.(token),
    recover: (token, completed) => rows.recover?.(token, completed),
    close: () => rows.close?.(),
    release: () => rows.release?.(),
  };
}

/**
 * The sink each `args` built in this thread. The main thread's build is the one a run writes to,
 * and it gets the very `args` object given to `job.run`, so the program that ran the job finds
 * its result here.
 */
const sinks = new WeakMap<WordcountArgs, ResultSink>();

/**
 * The words and distinct words the run with `args` wrote, for the program that ran it (in its
 * thread, after `done`).
 * @throws Error when no run with this `args` object was started in this thread.
 * @example
 * ```ts
 * await wordcount.run({ workers: 2, args }).done;
 * totalsOf(args); // { words: 375, distinct: 165 }
 * ```
 */
export function totalsOf(args: WordcountArgs): WordTotals {
  const sink = sinks.get(args);
  if (sink === undefined) throw new Error('wordcount: no run of the job with these args in this thread');
  return { words: sink.counts.reduce((sum, { value }) => sum + countOf(value), 0), distinct: sink.counts.length };
}

/**
 * The word-count job; its `parseArgs` is {@link parseWordcountArgs}.
 * @example
 * ```ts
 * import wordcount from './wordcount.job.js';
 * const result = await wordcount.run({ workers: 2, args: wordcount.parseArgs(['--input', 'book.txt']) }).done;
 * ```
 */
export default defineJob(
  import.meta.url,
  (args: WordcountArgs) => {
    const sink = args.pg !== undefined && args.table !== undefined ? tableSink(args.pg, args.table) : resultSink(args.output);
    sinks.set(args, sink);
    const words = pipeline(fromFileLines(args.input))
      .flatMap(
        (line) =>
          line
            .toLowerCase()
            .split(WORD_SEPARATOR)
            .filter((word) => word !== ''),
        'split',
      )
      .keyBy((word) => word, { partitions: args.partitions });
    // The stage's id ties its state to it in checkpoints, whichever version of it runs.
    if (args.withChars !== true) {
      return words
        .reduce(
          (count: number) => count + 1,
          () => 0,
          { emit: 'final', name: 'count', id: 'count' },
        )
        .to(sink);
    }
    return words
      .reduce(
        (state: WordChars, word) => ({ count: state.count + 1, chars: state.chars + codePoints(word) }),
        (): WordChars => ({ count: 0, chars: 0 }),
        {
          emit: 'final',
          name: 'count',
          id: 'count',
          stateVersion: 2,
          // A count from a run without --with-chars: every one of its words had this word's length.
          migrate: (count, _fromVersion, word) => ({ count: count as number, chars: codePoints(word) * (count as number) }),
        },
      )
      .to(sink);
  },
  { parseArgs: parseWordcountArgs },
);
