import { describe, expect, it } from 'vitest';
import { judgeActorPasses, measureActorPasses, type ProcessPasses } from '../../../bench/probes/actor-passes.js';

const M = 1e6;

/** A process with this cold rate whose timed passes all ran at `steady`. */
function process(cold: number, steady: number): ProcessPasses {
  return { coldRate: cold * M, rates: Array.from({ length: 7 }, () => steady * M) };
}

describe('judgeActorPasses', () => {
  it('passes processes that a busy host moved by half', () => {
    const verdict = judgeActorPasses([process(13, 33), process(12, 17), process(14, 35)]);
    expect(verdict.faults).toEqual([]);
    expect(verdict.slowestShare).toBeCloseTo(17 / 35);
    expect(verdict.worstSteadyToCold).toBeCloseTo(17 / 12);
  });

  it('fails a process stuck 4x below the others, naming it', () => {
    const verdict = judgeActorPasses([process(13, 33), process(12, 34), process(6, 8)]);
    expect(verdict.faults).toEqual(['process 3: steady 8.0 M/s, 0.24x the fastest process (34.0 M/s): a slow mode']);
  });

  it('fails a process whose steady rate is below 0.9x its cold rate', () => {
    const verdict = judgeActorPasses([process(13, 33), process(30, 26)]);
    expect(verdict.faults).toEqual(['process 2: steady 26.0 M/s below 0.9x its cold rate (30.0 M/s)']);
  });

  it('judges a process by the median of its passes, so one slow pass is not a mode', () => {
    const noisy: ProcessPasses = { coldRate: 12 * M, rates: [33, 34, 9, 35, 33, 34, 32].map((rate) => rate * M) };
    expect(judgeActorPasses([process(13, 33), noisy]).faults).toEqual([]);
  });

  it('refuses no processes and a process without timed passes', () => {
    expect(() => judgeActorPasses([])).toThrow(RangeError);
    expect(() => judgeActorPasses([{ coldRate: M, rates: [] }])).toThrow('process 1 has no timed passes');
  });
});

describe('measureActorPasses', () => {
  it('runs the processes one after another and summarises them', async () => {
    const runs = [process(12, 31), process(14, 35), process(13, 33)];
    let next = 0;
    const finding = await measureActorPasses('quick', async () => runs[next++] as ProcessPasses);
    expect(next).toBe(3);
    expect(finding.summary).toBe(
      'sluice, new system and definition per pass, 3 fresh processes: steady 31.0 M/s to 35.0 M/s (slowest 0.89x the fastest), ' +
        'cold 12.0 M/s to 14.0 M/s, steady at least 2.50x cold: no slow mode',
    );
    expect(finding.values).toMatchObject({ processes: 3, minSteadyRate: 31 * M, maxSteadyRate: 35 * M });
  });

  it('throws with every fault, so the bench fails when the slow mode returns', async () => {
    const runs = [process(12, 31), process(6, 7), process(13, 33)];
    let next = 0;
    await expect(measureActorPasses('quick', async () => runs[next++] as ProcessPasses)).rejects.toThrow(
      'sluice, new system and definition per pass: process 2: steady 7.0 M/s, 0.21x the fastest process (33.0 M/s): a slow mode',
    );
  });
});
