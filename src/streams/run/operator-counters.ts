/**
 * The live counters of one operator of a run (the source, a keyed or rebalanced stage, the sink):
 * plain fields its actors bump, which `handle.metrics()` reads.
 */
import type { LatencyHistogram } from '../../metrics/latency-histogram.js';

/** Counts of one operator, for metrics. */
export interface OperatorCounters {
  readonly name: string;
  recordsIn: number;
  recordsOut: number;
  /** How long each partition takes over a batch (operator and routing, not the wait for room downstream). */
  readonly latency?: LatencyHistogram | undefined;
  /** Each partition's input watermark, on a timed stream. */
  readonly watermarks?: number[] | undefined;
  /** Records each partition took in (a keyed or rebalanced stage), replays after a restart included. */
  readonly partitionRecordsIn?: number[] | undefined;
}
