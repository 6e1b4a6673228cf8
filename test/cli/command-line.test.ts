import { describe, expect, it } from 'vitest';
import { parseCommandLine, type CommandLineSpec } from '../../src/cli/command-line.js';
import { UsageError } from '../../src/cli/usage-error.js';

const RUN: CommandLineSpec<'workers' | 'checkpoint-dir'> = {
  command: 'sluice run',
  flags: ['workers', 'checkpoint-dir'],
  positionals: ['JOB'],
  rest: "the job's arguments",
};
const BARE: CommandLineSpec<never> = { command: 'sluice', flags: [], positionals: [], rest: undefined };

/** The UsageError `parseCommandLine` throws for `argv`, or undefined when it throws none. */
function refusal(spec: CommandLineSpec<string>, argv: readonly string[]): UsageError | undefined {
  try {
    parseCommandLine(spec, argv);
    return undefined;
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
}

describe('parseCommandLine', () => {
  it('reads flags in either spelling and in any place, the positional, and what follows -- as it is', () => {
    expect(parseCommandLine(RUN, ['--workers', '2', 'job.js', '--checkpoint-dir=ck', '--', '--input', 'x', '--', '-h'])).toEqual({
      help: false,
      flags: { workers: '2', 'checkpoint-dir': 'ck' },
      switches: new Set(),
      positionals: ['job.js'],
      rest: ['--input', 'x', '--', '-h'],
    });
  });

  it('leaves out the flags that were not given, and takes the last of a flag given twice', () => {
    expect(parseCommandLine(RUN, ['job.js', '--workers', '2', '--workers', '3'])).toEqual({
      help: false,
      flags: { workers: '3' },
      switches: new Set(),
      positionals: ['job.js'],
      rest: [],
    });
    expect(parseCommandLine(RUN, ['job.js']).flags).toEqual({});
  });

  it('reads switches, which take no value, and refuses a value given to one', () => {
    const spec: CommandLineSpec<'job'> = { command: 'sluice status', flags: ['job'], switches: ['json'], positionals: [], rest: undefined };
    expect(parseCommandLine(spec, ['--json', '--job', 'j'])).toMatchObject({ flags: { job: 'j' }, switches: new Set(['json']) });
    expect(parseCommandLine(spec, ['--job', 'j']).switches).toEqual(new Set());
    expect(refusal(spec, ['--json=yes'])?.reason).toBe("option '--json' does not take an argument");
  });

  it('answers help for --help or -h before --, whatever else is wrong, and not for one after it', () => {
    for (const argv of [['--help'], ['-h'], ['--bogus', '-h'], ['a', 'b', '--help', '--', 'x']]) {
      expect(parseCommandLine(RUN, argv).help).toBe(true);
    }
    expect(parseCommandLine(RUN, ['job.js', '--', '--help']).help).toBe(false);
  });

  it.each([
    [RUN, ['job.js', '--bogus'], "unknown option '--bogus'"],
    [RUN, ['job.js', '-x'], "unknown option '-x'"],
    [RUN, ['job.js', '--workers'], "option '--workers <value>' argument missing"],
    [RUN, ['job.js', '--workers', '--checkpoint-dir', 'ck'], "option '--workers' argument is ambiguous"],
    [RUN, ['job.js', '--help=yes'], "option '-h, --help' does not take an argument"],
    [RUN, [], 'missing JOB'],
    [RUN, ['--workers', '2'], 'missing JOB'],
    [RUN, ['job.js', 'more'], 'unexpected argument "more"; the job\'s arguments go after --'],
    [BARE, ['--', 'x'], 'unexpected "--": this command takes no arguments after it'],
    [BARE, ['stray'], 'unexpected argument "stray"'],
  ])('refuses %# with a one-line reason: %j', (spec, argv, reason) => {
    const error = refusal(spec, argv);
    expect(error?.reason).toBe(reason);
    expect(error?.message).toBe(`${spec.command}: ${reason}`);
  });
});

describe('UsageError', () => {
  it('keeps its reason on one line', () => {
    const error = new UsageError('sluice run', "option '--x' is odd.\n  Did you mean --y?\n");
    expect(error.reason).toBe("option '--x' is odd. Did you mean --y?");
    expect(error.message).toBe("sluice run: option '--x' is odd. Did you mean --y?");
  });
});
