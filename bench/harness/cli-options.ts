/**
 * The command line of `npm run bench`: options, their defaults, and a usage error (exit code 2)
 * for anything else. Pure.
 */
import { parseArgs } from 'node:util';
import type { Scale } from './bench-case.js';

/** What `npm run bench -- …` asked for. */
export interface BenchOptions {
  /** `quick` with `--quick`. @defaultValue 'full' */
  readonly scale: Scale;
  /** `--case NAME`: one case, a family (`keyed-actor`) or one probe (`http-fairness`). @defaultValue every case and probe */
  readonly case: string | undefined;
  /** `--json FILE`: where to write the results and the probes' findings as JSON. */
  readonly json: string | undefined;
  /** `--markdown FILE`: the BENCHMARKS.md to compare with and rewrite. */
  readonly markdown: string | undefined;
  readonly help: boolean;
}

/** A command line the bench cannot run: the caller prints it with {@link USAGE} and exits 2. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run bench -- [--quick] [--case NAME] [--json FILE] [--markdown FILE]

  --quick          smaller inputs and fewer runs: about a minute
  --case NAME      one case (or every NAME-… case, e.g. keyed-actor or nexmark), or one probe
                   (e.g. http-fairness)
  --json FILE      write a JSON array of { case, impl, opsPerSec, peakRssMb, … }; probes have opsPerSec null and their values
  --markdown FILE  rewrite FILE (BENCHMARKS.md) from a run of every case, comparing with the run
                   it records
  --help           this text`;

/**
 * Parses the arguments after `npm run bench --`.
 *
 * @throws UsageError for an unknown option, a missing or empty value, a positional argument, or
 * `--markdown` with `--case`.
 * @example
 * ```ts
 * parseBenchArgs(['--quick', '--case', 'wordcount']); // { scale: 'quick', case: 'wordcount', json: undefined, ... }
 * ```
 */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        case: { type: 'string' },
        json: { type: 'string' },
        markdown: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  for (const option of ['case', 'json', 'markdown'] as const) {
    if (values[option] === '') throw new UsageError(`Expected \`--${option}\` to have a value, got an empty string`);
  }
  // BENCHMARKS.md is written whole and says it holds every case: one case would silently drop the rest.
  if (values.markdown !== undefined && values.case !== undefined) {
    throw new UsageError('`--markdown` writes the whole table, so it runs every case: drop `--case`');
  }
  return {
    scale: values.quick === true ? 'quick' : 'full',
    case: values.case,
    json: values.json,
    markdown: values.markdown,
    help: values.help === true,
  };
}
