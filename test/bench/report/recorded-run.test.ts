import { describe, expect, it } from 'vitest';
import { embedRun, extractRun, type RecordedRun } from '../../../bench/report/recorded-run.js';
import { result } from '../fixtures.js';

const run: RecordedRun = {
  scale: 'full',
  date: '2025-01-01T00:00:00.000Z',
  machine: { cpuModel: 'CPU', cores: 2, memoryGiB: 24, node: 'v20.0.0', platform: 'linux x64' },
  results: [result(), result({ impl: 'a --> b -- c', opsPerSec: null, error: 'wrong --> answer' })],
};

describe('embedRun', () => {
  it('writes one HTML comment that no `--` inside a name can close early', () => {
    const comment = embedRun(run);
    expect(comment.startsWith('<!-- sluice-bench-run\n')).toBe(true);
    expect(comment.endsWith('\n-->')).toBe(true);
    expect(comment.slice(4, -3)).not.toContain('--');
  });
});

describe('extractRun', () => {
  it('reads back what embedRun wrote, inside any Markdown', () => {
    const markdown = `# Benchmarks\n\nsome -- text\n\n${embedRun(run)}\n`;
    expect(extractRun(markdown)).toEqual({
      scale: 'full',
      date: run.date,
      results: run.results.map(({ case: c, impl, unit, operations, opsPerSec }) => ({ case: c, impl, unit, operations, opsPerSec })),
    });
  });

  it('returns undefined for Markdown without a recorded run', () => {
    expect(extractRun('# Benchmarks\n\n| a | b |\n')).toBeUndefined();
  });

  it.each([
    ['no closing', '<!-- sluice-bench-run\n{}', /no closing/],
    ['not JSON', '<!-- sluice-bench-run\n{oops}\n-->', /not valid JSON/],
    ['no results', '<!-- sluice-bench-run\n{"scale":"full","date":"x"}\n-->', /`scale`, `date` and `results`/],
    [
      'a result without a rate',
      '<!-- sluice-bench-run\n{"scale":"full","date":"x","results":[{"case":"a","impl":"b","unit":"c","operations":1}]}\n-->',
      /result 0/,
    ],
  ])('throws for a record with %s', (_, markdown, message) => {
    expect(() => extractRun(markdown)).toThrow(message);
  });
});
