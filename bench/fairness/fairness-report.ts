/**
 * What the http-fairness rounds add up to, and whether they meet the targets the project set: p99
 * under {@link LATENCY_TARGET_MS} with the pipeline running, and the pipeline keeping at least
 * {@link THROUGHPUT_TARGET} of its solo throughput. Latency percentiles are pooled over every
 * response of a kind across all rounds; throughput is the mean of the rounds' rates. Pure.
 */
import { median } from '../harness/median.js';
import type { LoadResult } from './load-generator.js';

/** p99 request latency with the pipeline running must stay under this, in milliseconds. */
export const LATENCY_TARGET_MS = 20;
/** The pipeline beside the server must keep at least this share of its solo throughput. */
export const THROUGHPUT_TARGET = 0.8;

/** One round: the three windows, taken in turn. */
export interface FairnessRound {
  /** The server with no pipeline. */
  readonly alone: LoadResult;
  /** The pipeline with no load on the server: records read per second. */
  readonly soloRate: number;
  /** The server with the pipeline running flat out. */
  readonly withPipeline: LoadResult;
  /** The pipeline while the server answers the load: records read per second. */
  readonly sharedRate: number;
  /** p99 of the event loop's delay (ms, 1 ms resolution) during the load, alone and with the pipeline. */
  readonly loopDelayAlone: number;
  readonly loopDelayWithPipeline: number;
}

/** The latencies of one kind of window, pooled. `NaN` percentiles when no request was answered. */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly answered: number;
  readonly failed: number;
  /** Median over the rounds of the event loop's delay p99, in milliseconds. */
  readonly loopDelayP99: number;
}

/** How the rounds were run. */
export interface FairnessSettings {
  /** Requests per second. */
  readonly rate: number;
  /** Length of each window, in milliseconds. */
  readonly windowMs: number;
  /** The dispatcher's turn budget, in milliseconds, when not the runtime's default. */
  readonly turnBudgetMs?: number | undefined;
}

/** Every round, pooled, with the verdicts. */
export interface FairnessSummary extends FairnessSettings {
  readonly rounds: number;
  readonly serverAlone: LatencySummary;
  readonly serverWithPipeline: LatencySummary;
  /** Records per second: the mean of the rounds. */
  readonly pipelineAlone: number;
  readonly pipelineWithServer: number;
  /** `pipelineWithServer / pipelineAlone`. */
  readonly ratio: number;
  /** p99 with the pipeline under the target, and no request failed. */
  readonly latencyMet: boolean;
  readonly throughputMet: boolean;
  /** Rounds that met each target on their own. */
  readonly roundsMeetingLatency: number;
  readonly roundsMeetingThroughput: number;
}

/**
 * The nearest-rank percentile `p` (0 < p ≤ 1) of an ascending sample; `NaN` for an empty one.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 0.5); // 2
 * percentile([1, 2, 3, 4], 0.99); // 4
 * ```
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

/**
 * Whether a window's latencies meet the latency target: a p99 under it and no failed request (a
 * request never answered is the worst latency of all).
 *
 * @example
 * ```ts
 * meetsLatencyTarget({ p99: 12.5, failed: 0 }); // true
 * meetsLatencyTarget({ p99: 12.5, failed: 1 }); // false
 * ```
 */
export function meetsLatencyTarget(latency: { readonly p99: number; readonly failed: number }): boolean {
  return latency.p99 < LATENCY_TARGET_MS && latency.failed === 0;
}

/**
 * Whether the pipeline kept enough of its solo throughput beside the server.
 *
 * @example
 * ```ts
 * meetsThroughputTarget(0.85); // true
 * ```
 */
export function meetsThroughputTarget(ratio: number): boolean {
  return ratio >= THROUGHPUT_TARGET;
}

/**
 * Percentiles over every latency of `loads` together, with their failures.
 *
 * @example
 * ```ts
 * pooledLatency([{ sent: 2, failed: 0, latencies: [3, 1] }], [4]); // { p50: 1, p99: 3, max: 3, answered: 2, failed: 0, loopDelayP99: 4 }
 * ```
 */
export function pooledLatency(loads: readonly LoadResult[], loopDelays: readonly number[]): LatencySummary {
  const sorted = loads.flatMap((load) => load.latencies).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    answered: sorted.length,
    failed: loads.reduce((sum, load) => sum + load.failed, 0),
    loopDelayP99: loopDelays.length === 0 ? Number.NaN : median(loopDelays),
  };
}

/**
 * Pools `rounds` and judges them against the targets.
 *
 * @throws Error for no rounds: nothing to judge.
 */
export function summarizeFairness(rounds: readonly FairnessRound[], settings: FairnessSettings): FairnessSummary {
  if (rounds.length === 0) throw new Error('Expected at least one http-fairness round, got none');
  const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const serverAlone = pooledLatency(
    rounds.map((round) => round.alone),
    rounds.map((round) => round.loopDelayAlone),
  );
  const serverWithPipeline = pooledLatency(
    rounds.map((round) => round.withPipeline),
    rounds.map((round) => round.loopDelayWithPipeline),
  );
  const pipelineAlone = mean(rounds.map((round) => round.soloRate));
  const pipelineWithServer = mean(rounds.map((round) => round.sharedRate));
  const ratio = pipelineWithServer / pipelineAlone;
  return {
    rate: settings.rate,
    windowMs: settings.windowMs,
    turnBudgetMs: settings.turnBudgetMs,
    rounds: rounds.length,
    serverAlone,
    serverWithPipeline,
    pipelineAlone,
    pipelineWithServer,
    ratio,
    latencyMet: meetsLatencyTarget(serverWithPipeline),
    throughputMet: meetsThroughputTarget(ratio),
    roundsMeetingLatency: rounds.filter((round) => meetsLatencyTarget(pooledLatency([round.withPipeline], []))).length,
    roundsMeetingThroughput: rounds.filter((round) => meetsThroughputTarget(round.sharedRate / round.soloRate)).length,
  };
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const mega = (rate: number): string => `${(rate / 1e6).toFixed(2)} M`;
const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');

/**
 * One line for the bench's list of other measurements.
 *
 * @example
 * ```ts
 * describeFairness(summary);
 * // 'HTTP server at 200 requests/s beside a pipeline running flat out (3 rounds of 0.5 s windows):
 * //  p50 0.91 → 1.02 ms, p99 6.80 → 9.10 ms, target p99 < 20 ms met (3/3 rounds); pipeline 1.77 M
 * //  records/s alone, 1.53 M beside the server (86%), target ≥ 80% met (2/3 rounds)' (one line)
 * ```
 */
export function describeFairness(summary: FairnessSummary): string {
  const { serverAlone: alone, serverWithPipeline: shared, rounds } = summary;
  const failed = alone.failed + shared.failed;
  return (
    `HTTP server at ${summary.rate} requests/s beside a pipeline running flat out ` +
    `(${rounds} round${rounds === 1 ? '' : 's'} of ${summary.windowMs / 1000} s windows` +
    `${summary.turnBudgetMs === undefined ? '' : `, turn budget ${summary.turnBudgetMs} ms`}): ` +
    `p50 ${alone.p50.toFixed(2)} → ${ms(shared.p50)}, p99 ${alone.p99.toFixed(2)} → ${ms(shared.p99)} ` +
    `(alone → with the pipeline${failed === 0 ? '' : `; ${failed} requests failed`}), ` +
    `target p99 < ${LATENCY_TARGET_MS} ms ${verdict(summary.latencyMet)} (${summary.roundsMeetingLatency}/${rounds} rounds); ` +
    `pipeline ${mega(summary.pipelineAlone)} records/s alone, ${mega(summary.pipelineWithServer)} beside the server ` +
    `(${(summary.ratio * 100).toFixed(0)}%), target ≥ ${THROUGHPUT_TARGET * 100}% ${verdict(summary.throughputMet)} ` +
    `(${summary.roundsMeetingThroughput}/${rounds} rounds)`
  );
}

/**
 * The same, laid out over several lines with the maxima and event-loop delays: the standalone
 * script's report.
 */
export function fairnessLines(summary: FairnessSummary): string[] {
  const { serverAlone: alone, serverWithPipeline: shared, rounds } = summary;
  const extra = (latency: LatencySummary): string =>
    `(max ${latency.max.toFixed(1)} ms; event-loop delay p99 ${latency.loopDelayP99.toFixed(1)} ms; ${latency.failed} failed)`;
  return [
    `http-fairness: ${summary.rate} requests/s, ${rounds} rounds of ${summary.windowMs / 1000} s windows against a server in the pipeline's process` +
      (summary.turnBudgetMs === undefined ? '' : `; turn budget ${summary.turnBudgetMs} ms`),
    `  server alone          p50 ${ms(alone.p50)}   p99 ${ms(alone.p99)}   ${extra(alone)}`,
    `  server + pipeline     p50 ${ms(shared.p50)}   p99 ${ms(shared.p99)}   ${extra(shared)}`,
    `  pipeline alone        ${mega(summary.pipelineAlone)} records/s`,
    `  pipeline + server     ${mega(summary.pipelineWithServer)} records/s (${(summary.ratio * 100).toFixed(0)}% of alone)`,
    `  targets: p99 < ${LATENCY_TARGET_MS} ms ${verdict(summary.latencyMet)} (${summary.roundsMeetingLatency}/${rounds} rounds); ` +
      `throughput >= ${THROUGHPUT_TARGET * 100}% ${verdict(summary.throughputMet)} (${summary.roundsMeetingThroughput}/${rounds} rounds)`,
  ];
}

/**
 * The summary as flat numbers, for a probe's `values` (verdicts as 1 or 0).
 */
export function fairnessValues(summary: FairnessSummary): Record<string, number> {
  const { serverAlone: alone, serverWithPipeline: shared } = summary;
  return {
    rate: summary.rate,
    windowMs: summary.windowMs,
    rounds: summary.rounds,
    aloneP50Ms: alone.p50,
    aloneP99Ms: alone.p99,
    aloneMaxMs: alone.max,
    aloneFailed: alone.failed,
    aloneLoopDelayP99Ms: alone.loopDelayP99,
    withPipelineP50Ms: shared.p50,
    withPipelineP99Ms: shared.p99,
    withPipelineMaxMs: shared.max,
    withPipelineFailed: shared.failed,
    withPipelineLoopDelayP99Ms: shared.loopDelayP99,
    pipelineAloneRecordsPerSec: summary.pipelineAlone,
    pipelineWithServerRecordsPerSec: summary.pipelineWithServer,
    throughputRatio: summary.ratio,
    latencyTargetMet: summary.latencyMet ? 1 : 0,
    throughputTargetMet: summary.throughputMet ? 1 : 0,
    roundsMeetingLatency: summary.roundsMeetingLatency,
    roundsMeetingThroughput: summary.roundsMeetingThroughput,
  };
}
