import { describe, expect, it, vi } from 'vitest';
import { measure } from '../../../bench/harness/measure.js';

describe('measure', () => {
  it('prepares before every run, and keeps the rate and checksum of timed runs only', async () => {
    const calls: string[] = [];
    let run = 0;
    const measured = await measure(
      {
        prepare: () => void calls.push('prepare'),
        run: () => {
          calls.push('run');
          return ++run;
        },
      },
      1000,
      { warmups: 2, runs: 3 },
    );
    expect(calls).toEqual(['prepare', 'run', 'prepare', 'run', 'prepare', 'run', 'prepare', 'run', 'prepare', 'run']);
    expect(measured.checksums).toEqual([3, 4, 5]);
    expect(measured.rates).toHaveLength(3);
    for (const rate of measured.rates) expect(rate).toBeGreaterThan(0);
  });

  it('times the first run of all as the cold one, warm-up or not', async () => {
    let run = 0;
    const warmed = await measure({ run: () => ++run }, 1000, { warmups: 2, runs: 3 });
    expect(warmed.coldChecksum).toBe(1);
    expect(warmed.coldRate).toBeGreaterThan(0);
    run = 0;
    const unwarmed = await measure({ run: () => ++run }, 1000, { warmups: 0, runs: 2 });
    expect(unwarmed.coldChecksum).toBe(1);
    expect(unwarmed.checksums).toEqual([1, 2]);
  });

  it('disposes of the runner once, after the last run, untimed', async () => {
    const calls: string[] = [];
    await measure({ run: () => (calls.push('run'), 1), dispose: () => void calls.push('dispose') }, 1, { warmups: 1, runs: 2 });
    expect(calls).toEqual(['run', 'run', 'run', 'dispose']);
  });

  it('disposes of the runner when a run throws, and rethrows', async () => {
    let disposed = 0;
    const failing = measure({ run: () => Promise.reject(new Error('boom')), dispose: () => void disposed++ }, 1, { warmups: 0, runs: 2 });
    await expect(failing).rejects.toThrow('boom');
    expect(disposed).toBe(1);
  });

  it('keeps what the runner observes after each run, the first run’s as the cold one, and nothing for a runner that observes nothing', async () => {
    let run = 0;
    const measured = await measure({ run: () => ++run, observe: () => ({ startMs: run * 10, runs: 1 }) }, 1, { warmups: 1, runs: 2 });
    expect(measured.observations).toEqual({ cold: { startMs: 10, runs: 1 }, runs: { startMs: [20, 30], runs: [1, 1] } });
    expect((await measure({ run: () => 1 }, 1, { warmups: 0, runs: 1 })).observations).toBeUndefined();
  });

  it('keeps only the names every timed run observed, so each has a value per run', async () => {
    let run = 0;
    const observe = (): Record<string, number> => (++run === 2 ? { startMs: 2 } : { startMs: run, endMs: run });
    const measured = await measure({ run: () => 1, observe }, 1, { warmups: 0, runs: 3 });
    expect(measured.observations?.runs).toEqual({ startMs: [1, 2, 3] });
  });

  it('takes the checksum from `verify`, after the run and outside its time, when the runner has one', async () => {
    const calls: string[] = [];
    let run = 0;
    // The clock the harness reads: a run takes 1 ms of it, a verify 10 s; only the first counts.
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const runner = {
        run: () => {
          calls.push('run');
          now += 1;
          return 0;
        },
        verify: async () => {
          calls.push('verify');
          now += 10_000;
          return 100 + ++run;
        },
      };
      const measured = await measure(runner, 1000, { warmups: 1, runs: 2 });
      expect(calls).toEqual(['run', 'verify', 'run', 'verify', 'run', 'verify']);
      expect(measured.coldChecksum).toBe(101);
      expect(measured.checksums).toEqual([102, 103]);
      // 1,000 operations in the 1 ms of the run alone: a million a second.
      for (const rate of [measured.coldRate, ...measured.rates]) expect(rate).toBe(1_000_000);
    } finally {
      clock.mockRestore();
    }
  });

  it('awaits asynchronous runs', async () => {
    const measured = await measure({ run: async () => 7 }, 1, { warmups: 0, runs: 2 });
    expect(measured.checksums).toEqual([7, 7]);
  });

  it('waits for its turn before each run and its prepare, warm-ups included', async () => {
    const calls: string[] = [];
    await measure(
      { prepare: () => void calls.push('prepare'), run: () => (calls.push('run'), 1) },
      1,
      { warmups: 1, runs: 2 },
      async () => void calls.push('turn'),
    );
    expect(calls).toEqual(['turn', 'prepare', 'run', 'turn', 'prepare', 'run', 'turn', 'prepare', 'run']);
  });
});
