/**
 * A run's counters: records in and out of the source, of each stage (with its batch latency and
 * each partition's watermark) and of the sink, and the restarts of its actors. Plain fields the
 * actors bump; `handle.metrics()` reads them.
 */
import { LatencyHistogram } from '../../metrics/latency-histogram.js';
import type { PhysicalPlan } from '../plan/physical-plan.js';
import type { OperatorCounters } from '../run/operator-counters.js';
import { NO_WATERMARK } from '../time/watermarks.js';

export class JobCounters {
  readonly source: OperatorCounters;
  readonly stages: readonly OperatorCounters[];
  readonly sink: OperatorCounters;
  restarts = 0;

  constructor(plan: PhysicalPlan) {
    this.source = { name: `source:${plan.source.name}`, recordsIn: 0, recordsOut: 0 };
    this.stages = plan.stages.map((stage): OperatorCounters => ({
      name: stage.step.name,
      recordsIn: 0,
      recordsOut: 0,
      latency: new LatencyHistogram(),
      watermarks: stage.inputTimed ? new Array<number>(stage.step.partitions).fill(NO_WATERMARK) : undefined,
      partitionRecordsIn: new Array<number>(stage.step.partitions).fill(0),
    }));
    this.sink = { name: `sink:${plan.sink.name}`, recordsIn: 0, recordsOut: 0 };
  }
}
