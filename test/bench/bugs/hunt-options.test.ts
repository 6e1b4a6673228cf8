import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../bench/harness/cli-options.js';
import { DEFAULT_SEEDS, parseHuntArgs } from '../../../bench/bugs/hunt-options.js';

const BUGS = ['dedupe-outside-state', 'session-gap-edge'];

describe('parseHuntArgs', () => {
  it('defaults to every bug, seeds 1, 2 and 3, and no JSON', () => {
    expect(parseHuntArgs([], BUGS)).toEqual({ bug: undefined, seeds: [1, 2, 3], json: undefined, help: false });
    expect(DEFAULT_SEEDS).toEqual([1, 2, 3]);
  });

  it('reads every option', () => {
    expect(parseHuntArgs(['--bug', 'session-gap-edge', '--seeds', '7, 8,-9', '--json', 'hunt.json', '--help'], BUGS)).toEqual({
      bug: 'session-gap-edge',
      seeds: [7, 8, -9],
      json: 'hunt.json',
      help: true,
    });
    expect(parseHuntArgs(['--seeds=42'], BUGS).seeds).toEqual([42]);
  });

  it.each([
    [['--fast'], /Unknown option '--fast'/],
    [['--bug'], /--bug/],
    [['--json', ''], /Expected `--json` to have a value/],
    [['--bug', 'no-such-bug'], /No planted bug named `no-such-bug`; the bugs are dedupe-outside-state, session-gap-edge/],
    [['--seeds', '1,two'], /Expected `--seeds` to be comma-separated 32-bit integers, got `1,two`/],
    [['--seeds', '1.5'], /comma-separated 32-bit integers/],
    [['--seeds', '1,'], /comma-separated 32-bit integers/],
    [['--seeds', '99999999999'], /comma-separated 32-bit integers/],
    [['--seeds', '3,3'], /no seed twice/],
    [['dedupe-outside-state'], /positional/],
  ])('throws a one-line UsageError for %j', (args, message) => {
    const parse = () => parseHuntArgs(args, BUGS);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
