import { describe, expect, it } from 'vitest';
import { parseBenchArgs, UsageError } from '../../../bench/harness/cli-options.js';

describe('parseBenchArgs', () => {
  it('defaults to a full run of every case with no output files', () => {
    expect(parseBenchArgs([])).toEqual({ scale: 'full', case: undefined, json: undefined, markdown: undefined, help: false });
  });

  it('reads every option', () => {
    expect(parseBenchArgs(['--quick', '--case', 'wordcount', '--json', 'out.json', '--help'])).toEqual({
      scale: 'quick',
      case: 'wordcount',
      json: 'out.json',
      markdown: undefined,
      help: true,
    });
    expect(parseBenchArgs(['--markdown', 'B.md']).markdown).toBe('B.md');
    expect(parseBenchArgs(['--case=keyed-actor']).case).toBe('keyed-actor');
  });

  it.each([[['--fast']], [['--case']], [['--case', '']], [['wordcount']], [['--quick=yes']], [['--markdown', 'B.md', '--case', 'wordcount']]])(
    'throws a UsageError for %j',
    (args) => {
      expect(() => parseBenchArgs(args)).toThrow(UsageError);
    },
  );
});
