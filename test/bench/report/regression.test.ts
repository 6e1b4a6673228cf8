import { describe, expect, it } from 'vitest';
import { compareRuns, describeComparison, REGRESSION_THRESHOLD } from '../../../bench/report/regression.js';
import { result } from '../fixtures.js';

const before = [
  result({ impl: 'plain loop', opsPerSec: 1000 }),
  result({ impl: 'sluice', role: 'sluice', opsPerSec: 1000 }),
  result({ impl: 'peer', role: 'peer', opsPerSec: 1000 }),
];

describe('compareRuns', () => {
  it('calls out a row more than the threshold slower, and no row within it', () => {
    const now = [
      result({ impl: 'plain loop', opsPerSec: 860 }),
      result({ impl: 'sluice', role: 'sluice', opsPerSec: 849 }),
      result({ impl: 'peer', role: 'peer', opsPerSec: 2000 }),
    ];
    const comparison = compareRuns(before, now);
    expect(comparison.compared).toBe(3);
    expect(comparison.regressions).toHaveLength(1);
    expect(comparison.regressions[0]).toMatchObject({ case: 'sum', impl: 'sluice', previous: 1000, current: 849 });
    expect(comparison.regressions[0]?.change).toBeCloseTo(-0.151);
  });

  it('uses 15% unless told otherwise', () => {
    expect(REGRESSION_THRESHOLD).toBe(0.15);
    const now = [result({ impl: 'plain loop', opsPerSec: 950 })];
    expect(compareRuns(before, now, 0.01).regressions).toHaveLength(1);
  });

  it('calls out a row that was a number and is a FAILURE now', () => {
    const comparison = compareRuns(before, [result({ impl: 'sluice', opsPerSec: null, error: 'wrong answer' })]);
    expect(comparison.regressions).toEqual([{ case: 'sum', impl: 'sluice', unit: 'numbers', previous: 1000, current: null, change: null }]);
  });

  it('does not compare rows of different sizes, new rows, or rows that failed before', () => {
    const comparison = compareRuns(
      [...before, result({ impl: 'was failing', opsPerSec: null })],
      [result({ impl: 'plain loop', opsPerSec: 1, operations: 10 }), result({ impl: 'new', opsPerSec: 1 }), result({ impl: 'was failing', opsPerSec: 1 })],
    );
    expect(comparison).toEqual({ compared: 0, differentSize: 1, regressions: [] });
  });
});

describe('describeComparison', () => {
  const previous = { date: '2025-01-01T00:00:00.000Z', scale: 'full' };

  it('says there is nothing to compare with when no run was recorded', () => {
    expect(describeComparison(undefined, undefined)).toEqual({ summary: expect.stringMatching(/nothing to compare/), items: [] });
  });

  it('lists every regression with its old and new rate, and every new failure', () => {
    const described = describeComparison(previous, {
      compared: 3,
      differentSize: 0,
      regressions: [
        { case: 'sum', impl: 'sluice', unit: 'numbers', previous: 2e6, current: 1.5e6, change: -0.25 },
        { case: 'sum', impl: 'peer', unit: 'numbers', previous: 2e6, current: null, change: null },
      ],
    });
    expect(described.summary).toMatch(/full run of 2025-01-01T00:00:00.000Z: 3 rows .* 2 got more than 15% slower or now fail/);
    expect(described.items).toEqual(['SLOWER sum / sluice: 2.00 M → 1.50 M numbers/s (-25.0%)', 'FAILING sum / peer: 2.00 M numbers/s before, a FAILURE now']);
  });

  it('says so when nothing regressed, and how many rows differed in size', () => {
    const described = describeComparison(previous, { compared: 0, differentSize: 4, regressions: [] });
    expect(described.summary).toMatch(/4 not compared because their sizes differ/);
    expect(described.summary).toMatch(/None is more than 15% slower/);
    expect(described.items).toEqual([]);
  });
});
