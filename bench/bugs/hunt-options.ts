/**
 * The command line of `npm run hunt`: which bug, which seeds, where to write JSON. Pure; a command
 * line it cannot run is a {@link UsageError} of one line, which the script prints before exiting 2.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../harness/cli-options.js';

/** What `npm run hunt -- …` asked for. */
export interface HuntOptions {
  /** `--bug NAME`: one bug. @defaultValue every bug */
  readonly bug: string | undefined;
  /** `--seeds 1,2,3`: the seeds of the searches. @defaultValue [1, 2, 3] */
  readonly seeds: readonly number[];
  /** `--json FILE`: where to write the results as JSON. */
  readonly json: string | undefined;
  readonly help: boolean;
}

/** The seeds of a hunt without `--seeds`. */
export const DEFAULT_SEEDS: readonly number[] = [1, 2, 3];

/** What `npm run hunt -- --help` prints. */
export const USAGE = `Usage: npm run hunt -- [--bug NAME] [--seeds 1,2,3] [--json FILE]

  --bug NAME     hunt one planted bug (default: every bug of the corpus)
  --seeds LIST   comma-separated integer seeds, one search per seed and way of hunting (default: 1,2,3)
  --json FILE    also write the results as JSON
  --help         this text`;

/** fast-check seeds are 32-bit integers. */
function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const seeds = parts.map(Number);
  if (parts.some((part) => !/^-?\d+$/.test(part)) || seeds.some((seed) => seed < -(2 ** 31) || seed >= 2 ** 32)) {
    throw new UsageError(`Expected \`--seeds\` to be comma-separated 32-bit integers, got \`${text}\``);
  }
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`Expected \`--seeds\` to have no seed twice, got \`${text}\``);
  return seeds;
}

/**
 * Parses the arguments after `npm run hunt --`; `bugs` are the names `--bug` accepts.
 *
 * @throws UsageError for an unknown option, a missing or empty value, a positional argument, an
 * unknown bug or seeds that are not distinct integers.
 * @example
 * ```ts
 * parseHuntArgs(['--seeds', '4,5'], ['dedupe-outside-state']); // { bug: undefined, seeds: [4, 5], json: undefined, help: false }
 * ```
 */
export function parseHuntArgs(args: readonly string[], bugs: readonly string[]): HuntOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: { bug: { type: 'string' }, seeds: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', default: false } },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error), { cause: error });
  }
  for (const option of ['bug', 'seeds', 'json'] as const) {
    if (values[option] === '') throw new UsageError(`Expected \`--${option}\` to have a value, got an empty string`);
  }
  if (values.bug !== undefined && !bugs.includes(values.bug)) {
    throw new UsageError(`No planted bug named \`${values.bug}\`; the bugs are ${bugs.join(', ')}`);
  }
  return {
    bug: values.bug,
    seeds: values.seeds === undefined ? DEFAULT_SEEDS : parseSeeds(values.seeds),
    json: values.json,
    help: values.help === true,
  };
}
