/**
 * A run's live metrics, read from its counters, its actors and its checkpoints when asked: cheap
 * enough for every scrape, and nothing counted on the hot path for it.
 */
import type { ActorMetrics } from '../../actors/actor-metrics.js';
import type { ActorSystem } from '../../actors/actor-system.js';
import type { LatencyHistogram } from '../../metrics/latency-histogram.js';
import type { CheckpointStats } from '../checkpoint/coordinator.js';
import type { OperatorMetrics, PipelineMetrics, PipelineStatus, StageMetrics } from '../pipeline-handle.js';
import type { PhysicalPlan } from '../plan/physical-plan.js';
import { NO_WATERMARK } from '../time/watermarks.js';
import type { JobCounters } from './job-counters.js';
import type { JobOutputs } from './job-outputs.js';
import type { Topology } from './topology.js';

/** What the metrics are read from. */
export interface JobView {
  readonly name: string;
  readonly status: PipelineStatus;
  readonly plan: PhysicalPlan;
  readonly counters: JobCounters;
  readonly outputs: JobOutputs;
  /** Undefined until the actors are up. */
  readonly topology: Topology | undefined;
  readonly system: ActorSystem;
  readonly checkpoints: CheckpointStats | undefined;
  /** When the run started, on `performance.now()`. */
  readonly startedAt: number;
  /** The actors of the run's worker threads, as they last reported them. */
  readonly threadActors?: readonly ActorMetrics[] | undefined;
  /** With worker threads: the thread that runs each partition, by path. */
  readonly placement?: Readonly<Record<string, number>> | undefined;
  /** Who runs each partition, by path, when a host names it. */
  readonly owners?: Readonly<Record<string, string>> | undefined;
}

export function jobMetrics(view: JobView): PipelineMetrics {
  const { counters, topology } = view;
  const mailboxes: Record<string, { depth: number; highWaterMark: number }> = {};
  for (const ref of topology === undefined ? [] : [...topology.stages.flat(), topology.sink]) {
    const { depth, highWaterMark } = ref.metrics();
    mailboxes[ref.path] = { depth, highWaterMark };
  }
  const operators = [counters.source, ...counters.stages, counters.sink].map(({ name, recordsIn, recordsOut }): OperatorMetrics => ({
    name,
    recordsIn,
    recordsOut,
  }));
  const stages = counters.stages.map(({ name, latency, watermarks, partitionRecordsIn }, s): StageMetrics => {
    const lowest = watermarks === undefined ? NO_WATERMARK : Math.min(...watermarks);
    return {
      name,
      partitions: view.plan.stages[s]?.step.partitions ?? 0,
      partitionRecordsIn: partitionRecordsIn === undefined ? [] : [...partitionRecordsIn],
      latency: (latency as LatencyHistogram).summary(),
      watermark: Number.isFinite(lowest) ? lowest : undefined,
    };
  });
  const elapsedMs = performance.now() - view.startedAt;
  let watermark: PipelineMetrics['watermark'];
  for (const stage of stages) if (stage.watermark !== undefined) watermark = { value: stage.watermark, lagMs: Date.now() - stage.watermark };
  return {
    name: view.name,
    status: view.status,
    operators,
    stages,
    mailboxes,
    actors: view.threadActors === undefined ? view.system.metrics().actors : [...view.system.metrics().actors, ...view.threadActors],
    restarts: counters.restarts,
    deadLetters: view.outputs.deadLetters,
    lateRecords: view.outputs.lateRecords,
    checkpoints: view.checkpoints,
    throughput: {
      elapsedMs,
      recordsRead: counters.source.recordsIn,
      recordsWritten: counters.sink.recordsOut,
      recordsPerSecond: elapsedMs > 0 ? (counters.source.recordsIn * 1000) / elapsedMs : 0,
    },
    watermark,
    placement: view.placement,
    owners: view.owners,
  };
}
