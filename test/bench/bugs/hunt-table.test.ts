import { describe, expect, it } from 'vitest';
import type { BugHunt, Hunt } from '../../../bench/bugs/hunt-result.js';
import { brokenTwins, formatRuns, huntFigures, medianRuns, msPerCase, renderHuntTable, renderSummary } from '../../../bench/bugs/hunt-table.js';

const found = (seed: number, runs: number, ms: number): Hunt => ({ seed, runs, cases: runs, ms });
const missed = (seed: number, ms: number): Hunt => ({ seed, runs: undefined, cases: 100, ms });

const passes = { passed: true };
const results: BugHunt[] = [
  {
    name: 'dedupe-outside-state',
    defect: 'ids outside the state',
    needs: 'throw',
    kit: [found(1, 6, 60), found(2, 14, 140)],
    plain: [found(1, 3, 15), missed(2, 500)],
    twin: { kit: passes, plain: passes },
  },
  {
    name: 'partition-index-state',
    defect: 'buckets by partition count',
    needs: 'rescale',
    kit: [missed(1, 800), missed(2, 1200)],
    plain: [found(1, 40, 200), found(2, 70, 350)],
    twin: { kit: passes, plain: { passed: false, failure: 'output differs (seed 1, path "3", run 4)' } },
  },
];

describe('formatRuns', () => {
  it('gives the runs to find, or not found', () => {
    expect(formatRuns(12)).toBe('12');
    expect(formatRuns(undefined)).toBe('not found');
  });
});

describe('msPerCase', () => {
  it('divides the total time by the total runs of every seed', () => {
    expect(msPerCase([found(1, 6, 60), missed(2, 500)])).toBeCloseTo(560 / 106);
    expect(msPerCase([])).toBe(0);
  });
});

describe('medianRuns', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(medianRuns([9, 3, 5])).toBe(5);
    expect(medianRuns([3, 9])).toBe(6);
  });

  it('counts a hunt that found nothing as more runs than any that did', () => {
    expect(medianRuns([3, undefined, 9])).toBe(9);
    expect(medianRuns([3, undefined])).toBe(Number.POSITIVE_INFINITY);
  });

  it('is undefined for no hunts', () => {
    expect(medianRuns([])).toBeUndefined();
  });
});

describe('huntFigures', () => {
  it('counts the hunts that found their bug within 50 and within 100 runs', () => {
    expect(huntFigures([found(1, 50, 1), found(2, 51, 1), found(3, 100, 1), missed(4, 1)])).toEqual({ hunts: 4, median: 75.5, within50: 1, within100: 3 });
  });
});

describe('renderHuntTable', () => {
  it('has a row per bug with the runs per seed and the time per case of each way of hunting', () => {
    expect(renderHuntTable(results, [1, 2])).toBe(
      [
        '| bug | needs | kit runs (seeds 1, 2) | plain runs (seeds 1, 2) | kit ms/case | plain ms/case |',
        '| --- | --- | --- | --- | ---: | ---: |',
        '| dedupe-outside-state | throw | 6, 14 | 3, not found | 10.0 | 5.0 |',
        '| partition-index-state | rescale | not found, not found | 40, 70 | 10.0 | 5.0 |',
      ].join('\n'),
    );
  });

  it('names a single seed in the singular', () => {
    expect(renderHuntTable([], [5]).split('\n')[0]).toBe('| bug | needs | kit runs (seed 5) | plain runs (seed 5) | kit ms/case | plain ms/case |');
  });
});

describe('renderSummary', () => {
  it('names a single hunt in the singular', () => {
    const one: BugHunt = { ...(results[0] as BugHunt), kit: [found(1, 6, 60)], plain: [found(1, 3, 15)] };
    expect(renderSummary([one], { runs: 100, twinSeed: 1 }).split('\n')[0]).toBe(
      '- median runs to find: kit 6, plain 3 (over 1 hunt: 1 bug × 1 seed; a hunt that found nothing in 100 runs counts as more than any that did)',
    );
  });

  it('gives the medians, the hunts within 50 and 100 runs, and the twins that pass', () => {
    expect(renderSummary(results, { runs: 100, twinSeed: 1 })).toBe(
      [
        '- median runs to find: kit more than 100, plain 55 (over 4 hunts: 2 bugs × 2 seeds; a hunt that found nothing in 100 runs counts as more than any that did)',
        '- found within 50 runs: kit 2/4, plain 2/4',
        '- found within 100 runs: kit 2/4, plain 3/4',
        '- correct twins passing their kit check and plain property (100 runs, seed 1): 1/2',
        '- BROKEN CORPUS: the correct twin of partition-index-state fails its plain property: output differs (seed 1, path "3", run 4)',
      ].join('\n'),
    );
  });
});

describe('brokenTwins', () => {
  it('is empty when every correct twin passes', () => {
    expect(brokenTwins([results[0] as BugHunt])).toEqual([]);
  });
});
