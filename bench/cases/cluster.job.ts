/**
 * The cluster case's job module: the cpu-heavy job (see `access-log-pipeline.ts`) from a file of
 * lines to a JSON-lines file, so that any worker process that leads it can read its input and
 * write its output, as `sluice worker` runs a job. `npm run bench` builds it as an entry of its own
 * (see `harness/bench-entry.ts`), which the worker processes import by its path, and which the
 * in-process file row imports by its URL.
 */
import { parseArgs } from 'node:util';
import { defineJob, fromFileLines, InvalidOptionError, toJsonLinesFile } from '../../src/index.js';
import { markingFirstRecord } from '../cluster/first-record.js';
import { accessLogPipeline } from './access-log-pipeline.js';
import { parseAccess } from './access-log.js';

/** What the job is built from, in every process and thread. */
export interface ClusterJobArgs {
  /** The access log, one JSON line per event. */
  readonly input: string;
  /** Where the per-user totals go, one `{ key, value }` JSON line per user. */
  readonly output: string;
  /** Whether each process says on standard error when the first record reached it (see `first-record.ts`). */
  readonly markFirst: boolean;
}

/**
 * The job's args from `--input FILE --output FILE [--mark-first]`.
 * @throws InvalidOptionError naming the argument that is missing, unknown or without its value.
 * @example
 * ```ts
 * parseClusterJobArgs(['--input', 'log.jsonl', '--output', 'totals.jsonl']); // { input: 'log.jsonl', output: 'totals.jsonl', markFirst: false }
 * ```
 */
export function parseClusterJobArgs(argv: readonly string[]): ClusterJobArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { input: { type: 'string' }, output: { type: 'string' }, 'mark-first': { type: 'boolean', default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new InvalidOptionError('job arguments', `--input FILE --output FILE [--mark-first] (${(error as Error).message.split('. ')[0]})`, argv);
  }
  if (values.input === undefined || values.input === '') throw new InvalidOptionError('--input', 'the access log to read', values.input);
  if (values.output === undefined || values.output === '') throw new InvalidOptionError('--output', 'the file to write the totals to', values.output);
  return { input: values.input, output: values.output, markFirst: values['mark-first'] };
}

/** The cpu-heavy job from `args.input` to `args.output`; its `parseArgs` is {@link parseClusterJobArgs}. */
export default defineJob(
  import.meta.url,
  (args: ClusterJobArgs) =>
    accessLogPipeline(fromFileLines(args.input), toJsonLinesFile(args.output), args.markFirst ? markingFirstRecord(parseAccess) : parseAccess),
  { parseArgs: parseClusterJobArgs },
);
