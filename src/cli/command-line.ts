/**
 * Reads a command's own arguments with `node:util`'s `parseArgs`, strictly: flags that take a
 * value, named positionals, and everything after `--` passed through untouched. Whatever it refuses
 * becomes a {@link UsageError} whose reason is one line. `--help` or `-h` before any `--` wins over
 * everything else, so help is printed even for a line that is wrong in other ways.
 */
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** What a command takes on its command line. */
export interface CommandLineSpec<TFlag extends string> {
  /** The command as typed, for its errors: `sluice run`. */
  readonly command: string;
  /** Flags that take a value (`--name value` or `--name=value`), without their dashes. */
  readonly flags: readonly TFlag[];
  /** Flags that take no value (`--json`), without their dashes. */
  readonly switches?: readonly string[] | undefined;
  /** The positional arguments, by name (`JOB`), in order; each one is required. */
  readonly positionals: readonly string[];
  /** What the arguments after `--` are for (`the job's arguments`); undefined when the command takes none. */
  readonly rest: string | undefined;
}

/** A command line as {@link parseCommandLine} read it. */
export interface CommandLine<TFlag extends string> {
  /** `--help` or `-h` was given: the command prints its help, and nothing else was checked. */
  readonly help: boolean;
  /** The value of each flag that was given (the last, when one was given twice). */
  readonly flags: { readonly [K in TFlag]?: string };
  /** The switches that were given. */
  readonly switches: ReadonlySet<string>;
  /** The positional arguments, one for each name the spec lists. */
  readonly positionals: readonly string[];
  /** Everything after the first `--`, as it was. */
  readonly rest: readonly string[];
}

/**
 * Reads `argv` (the arguments after the command's name) as `spec` says.
 * @throws UsageError with a one-line reason: an unknown flag, a flag without its value (or with one
 *   it does not take), a missing or extra positional argument, or a `--` the command does not take.
 * @example
 * ```ts
 * const line = parseCommandLine({ command: 'sluice run', flags: ['workers'], positionals: ['JOB'], rest: "the job's arguments" },
 *   ['job.js', '--workers', '2', '--', '--input', 'book.txt']);
 * // { help: false, flags: { workers: '2' }, positionals: ['job.js'], rest: ['--input', 'book.txt'] }
 * ```
 */
export function parseCommandLine<TFlag extends string>(spec: CommandLineSpec<TFlag>, argv: readonly string[]): CommandLine<TFlag> {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? [...argv] : argv.slice(0, dashes);
  const rest = dashes < 0 ? [] : argv.slice(dashes + 1);
  if (own.includes('--help') || own.includes('-h')) return { help: true, flags: {}, switches: new Set(), positionals: [], rest: [] };
  if (dashes >= 0 && spec.rest === undefined) throw new UsageError(spec.command, 'unexpected "--": this command takes no arguments after it');
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const flag of spec.flags) options[flag] = { type: 'string' };
  for (const name of spec.switches ?? []) options[name] = { type: 'boolean' };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: own, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(spec.command, firstSentence(error));
  }
  const { values, positionals } = parsed;
  const missing = spec.positionals[positionals.length];
  if (missing !== undefined) throw new UsageError(spec.command, `missing ${missing}`);
  const extra = positionals[spec.positionals.length];
  if (extra !== undefined) {
    const where = spec.rest === undefined ? '' : `; ${spec.rest} go after --`;
    throw new UsageError(spec.command, `unexpected argument ${JSON.stringify(extra)}${where}`);
  }
  const flags: { [K in TFlag]?: string } = {};
  for (const flag of spec.flags) {
    const value = values[flag];
    if (typeof value === 'string') flags[flag] = value;
  }
  const switches = new Set((spec.switches ?? []).filter((name) => values[name] === true));
  return { help: false, flags, switches, positionals, rest };
}

/**
 * The first sentence of one of `parseArgs`'s errors, which names the argument (`Unknown option
 * '--bogus'`); what follows is advice written for other programs' command lines.
 */
function firstSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const sentence = message.split(/\.(?:\s|$)/)[0] ?? message;
  return sentence.charAt(0).toLowerCase() + sentence.slice(1);
}
