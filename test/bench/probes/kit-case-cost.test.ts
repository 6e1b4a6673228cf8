import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KIT_COST_TARGET, summarizeKitCost, type KitCostSample } from '../../../bench/probes/kit-case-cost.js';
import { plainRun, RECORDS, runningTotals, totalsCheck } from '../../../bench/probes/kit-case-pipeline.js';

/** Groups whose kit cases cost `ratios[i]` times their plain runs. */
function sample(ratios: readonly number[]): KitCostSample {
  return {
    cases: 100,
    groups: ratios.map((ratio) => ({ plainMs: 20, kitMs: 20 * ratio, throwsMs: 24 })),
    runsPerCase: 2.25,
    throwsRunsPerCase: 1,
  };
}

describe('summarizeKitCost', () => {
  it('reports the median ratio with its range, the runs per case and the target met', () => {
    const finding = summarizeKitCost(sample([1.9, 1.6, 1.7]));
    expect(finding.summary).toBe(
      'keyed running total, 24 records, 3 partitions: a kit case with throws and crashes costs 1.70x a plain run ' +
        '(target ≤ 2x: met; 1.60–1.90 over 3 groups of 100 interleaved cases), 2.25 runs a case; ' +
        'with throws only 1.20x (1.20–1.20), 1.00 runs a case; a plain run 0.200 ms, a kit case 0.340 ms',
    );
    expect(finding.values).toMatchObject({ ratio: 1.7, ratioMin: 1.6, ratioMax: 1.9, throwsRatio: 1.2, runsPerCase: 2.25, plainMs: 0.2 });
  });

  it('judges the median, so one group slowed by a neighbour does not decide', () => {
    expect(summarizeKitCost(sample([1.8, 3.5, 1.9])).summary).toContain('target ≤ 2x: met');
    expect(summarizeKitCost(sample([2.2, 1.5, 2.1])).summary).toContain('target ≤ 2x: not met');
    expect(KIT_COST_TARGET).toBe(2);
  });

  it('refuses a sample without groups', () => {
    expect(() => summarizeKitCost(sample([]))).toThrow(RangeError);
  });
});

describe('the timed pipeline', () => {
  it('runs plainly to one total per record', async () => {
    const records = Array.from({ length: RECORDS }, (_, i) => ({ user: ['ada', 'bob'][i % 2] as string, amount: i }));
    expect(await plainRun(records)).toBe(RECORDS);
    // bob pays 1, 3, …, 23: the odd numbers below 24 sum to 12².
    expect(runningTotals(records).at(-1)).toEqual({ key: 'bob', value: 144 });
  });

  it('passes its check with throws and crashes, each run building the pipeline once', async () => {
    let builds = 0;
    const check = totalsCheck({ throws: true, crashes: true }, () => void builds++);
    const cases = fc.sample(check.cases, { seed: 19, numRuns: 10 });
    for (const testCase of cases) {
      expect(testCase.input).toHaveLength(RECORDS);
      await check.check(testCase);
    }
    expect(builds).toBeGreaterThan(cases.length);
  });
});
