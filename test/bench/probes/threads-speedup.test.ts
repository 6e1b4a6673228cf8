import { describe, expect, it } from 'vitest';
import { summarizeSpeedup, THREADS_SPEEDUP_TARGET } from '../../../bench/probes/threads-speedup.js';

describe('summarizeSpeedup', () => {
  it('reports the median of the rounds’ ratios, their range and each row’s median rate', () => {
    const finding = summarizeSpeedup([
      { oneWorker: 200e3, twoWorkers: 360e3 },
      { oneWorker: 150e3, twoWorkers: 270e3 },
      { oneWorker: 210e3, twoWorkers: 315e3 },
    ]);
    expect(finding.summary).toBe(
      'cpu-heavy, 2 workers against 1 in the same process, 3 alternating rounds: 1.80x (target ≥ 1.7x: met; 1.50–1.80), ' +
        '1 worker 200 K lines/s, 2 workers 315 K lines/s',
    );
    expect(finding.values).toEqual({ ratio: 1.8, ratioMin: 1.5, ratioMax: 1.8, oneWorker: 200e3, twoWorkers: 315e3, rounds: 3 });
  });

  it('pairs the passes of a round: a slow round slows both and leaves the ratio alone', () => {
    const quick = summarizeSpeedup([{ oneWorker: 200e3, twoWorkers: 340e3 }]);
    const slowed = summarizeSpeedup([
      { oneWorker: 200e3, twoWorkers: 340e3 },
      { oneWorker: 130e3, twoWorkers: 221e3 },
    ]);
    expect(slowed.values['ratio']).toBeCloseTo(quick.values['ratio'] as number, 10);
  });

  it('judges the target on the median ratio', () => {
    expect(summarizeSpeedup([{ oneWorker: 100, twoWorkers: 169 }]).summary).toContain('not met');
    expect(summarizeSpeedup([{ oneWorker: 100, twoWorkers: 170 }]).summary).toContain(`target ≥ ${THREADS_SPEEDUP_TARGET}x: met`);
  });

  it('says how much CPU the 2-worker passes got, from the rounds that measured it', () => {
    const finding = summarizeSpeedup([
      { oneWorker: 200e3, twoWorkers: 300e3, twoWorkersCpus: 1.5, twoWorkersWaited: 0.3 },
      { oneWorker: 200e3, twoWorkers: 380e3, twoWorkersCpus: 1.9, twoWorkersWaited: 0.05 },
      { oneWorker: 200e3, twoWorkers: 340e3, twoWorkersCpus: 1.7, twoWorkersWaited: 0.2 },
    ]);
    expect(finding.summary).toMatch(/; the 2-worker passes ran on 1\.70 CPUs, their busy threads waiting for a CPU 20% of the time$/);
    expect(finding.values).toMatchObject({ twoWorkersCpus: 1.7, twoWorkersWaited: 0.2 });
    const uncounted = summarizeSpeedup([{ oneWorker: 200e3, twoWorkers: 340e3, twoWorkersCpus: 1.8 }]);
    expect(uncounted.summary).toMatch(/ran on 1\.80 CPUs$/);
    expect(uncounted.values).not.toHaveProperty('twoWorkersWaited');
  });

  it('refuses no rounds', () => {
    expect(() => summarizeSpeedup([])).toThrow(RangeError);
  });
});
