import { describe, expect, it } from 'vitest';
import {
  describeFairness,
  fairnessLines,
  fairnessValues,
  meetsLatencyTarget,
  meetsThroughputTarget,
  percentile,
  pooledLatency,
  summarizeFairness,
  type FairnessRound,
} from '../../../bench/fairness/fairness-report.js';
import type { LoadResult } from '../../../bench/fairness/load-generator.js';

/** A window whose requests took 1 ms each, but for `slow` (ms each) at the end. */
function load(count: number, slow: readonly number[] = [], failed = 0): LoadResult {
  return { sent: count + slow.length + failed, failed, latencies: [...Array.from({ length: count }, () => 1), ...slow] };
}

function round(fields: Partial<FairnessRound> = {}): FairnessRound {
  return {
    alone: load(100),
    soloRate: 1_000_000,
    withPipeline: load(100),
    sharedRate: 900_000,
    loopDelayAlone: 2,
    loopDelayWithPipeline: 4,
    ...fields,
  };
}

describe('percentile', () => {
  it('takes the nearest rank of an ascending sample', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(percentile([7], 0.5)).toBe(7);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(hundred, 0.5)).toBe(50);
  });

  it('is NaN for an empty sample, which no target meets', () => {
    expect(percentile([], 0.99)).toBeNaN();
    expect(meetsLatencyTarget({ p99: Number.NaN, failed: 0 })).toBe(false);
  });
});

describe('targets', () => {
  it('wants p99 under 20 ms and no failed request', () => {
    expect(meetsLatencyTarget({ p99: 19.99, failed: 0 })).toBe(true);
    expect(meetsLatencyTarget({ p99: 20, failed: 0 })).toBe(false);
    expect(meetsLatencyTarget({ p99: 1, failed: 1 })).toBe(false);
  });

  it('wants the pipeline to keep at least 80% of its solo throughput', () => {
    expect(meetsThroughputTarget(0.8)).toBe(true);
    expect(meetsThroughputTarget(0.79)).toBe(false);
  });
});

describe('pooledLatency', () => {
  it('pools every window’s latencies and failures, and takes the median loop delay', () => {
    const pooled = pooledLatency([load(98, [30]), load(0, [2], 3)], [1, 5, 3]);
    expect(pooled).toEqual({ p50: 1, p99: 2, max: 30, answered: 100, failed: 3, loopDelayP99: 3 });
  });
});

describe('summarizeFairness', () => {
  it('pools latencies over the rounds, averages throughput, and judges both targets', () => {
    const summary = summarizeFairness([round(), round({ soloRate: 1_000_000, sharedRate: 700_000 })], { rate: 200, windowMs: 500 });
    expect(summary.rounds).toBe(2);
    expect(summary.serverAlone.p99).toBe(1);
    expect(summary.pipelineAlone).toBe(1_000_000);
    expect(summary.pipelineWithServer).toBe(800_000);
    expect(summary.ratio).toBeCloseTo(0.8);
    expect(summary.latencyMet).toBe(true);
    expect(summary.throughputMet).toBe(true);
    expect(summary.roundsMeetingLatency).toBe(2);
    expect(summary.roundsMeetingThroughput).toBe(1);
  });

  it('misses the latency target when the pooled p99 with the pipeline reaches 20 ms', () => {
    const slow = round({ withPipeline: load(95, [25, 25, 25, 25, 25]) });
    const summary = summarizeFairness([round(), slow], { rate: 200, windowMs: 500 });
    expect(summary.serverWithPipeline.p99).toBe(25);
    expect(summary.latencyMet).toBe(false);
    expect(summary.roundsMeetingLatency).toBe(1);
  });

  it('keeps only the settings, not the run plan, in the summary', () => {
    const plan = { rate: 200, windowMs: 500, rounds: 9, warmupMs: 250 };
    const summary = summarizeFairness([round()], plan);
    expect(summary.rounds).toBe(1);
    expect(summary).not.toHaveProperty('warmupMs');
  });

  it('throws for no rounds', () => {
    expect(() => summarizeFairness([], { rate: 200, windowMs: 500 })).toThrow(/at least one http-fairness round/);
  });
});

describe('reporting', () => {
  const summary = summarizeFairness([round(), round({ sharedRate: 500_000 })], { rate: 200, windowMs: 500 });

  it('says both percentiles alone and with the pipeline, both throughputs, the ratio and each verdict on one line', () => {
    const line = describeFairness(summary);
    expect(line).not.toContain('\n');
    expect(line).toBe(
      'HTTP server at 200 requests/s beside a pipeline running flat out (2 rounds of 0.5 s windows): ' +
        'p50 1.00 → 1.00 ms, p99 1.00 → 1.00 ms (alone → with the pipeline), target p99 < 20 ms met (2/2 rounds); ' +
        'pipeline 1.00 M records/s alone, 0.70 M beside the server (70%), target ≥ 80% MISSED (1/2 rounds)',
    );
  });

  it('lays the same out over lines for the standalone script', () => {
    const lines = fairnessLines(summary);
    expect(lines[0]).toMatch(/^http-fairness: 200 requests\/s, 2 rounds of 0.5 s windows/);
    expect(lines.at(-1)).toBe('  targets: p99 < 20 ms met (2/2 rounds); throughput >= 80% MISSED (1/2 rounds)');
  });

  it('gives the numbers flat, verdicts as 1 or 0', () => {
    expect(fairnessValues(summary)).toMatchObject({
      rate: 200,
      rounds: 2,
      aloneP99Ms: 1,
      withPipelineP99Ms: 1,
      pipelineAloneRecordsPerSec: 1_000_000,
      pipelineWithServerRecordsPerSec: 700_000,
      throughputRatio: 0.7,
      latencyTargetMet: 1,
      throughputTargetMet: 0,
    });
  });
});
