/**
 * Sluice's own counters as {@link Metric}s: a system's actors, and a pipeline's operators,
 * partitions, throughput, watermark and checkpoints. Pure functions of `system.metrics()` and
 * `handle.metrics()`, so a scrape reads each counter once and allocates only what it returns.
 *
 * | metric | kind | unit | attributes |
 * | --- | --- | --- | --- |
 * | `sluice.actor.messages.processed` | counter | `{message}` | actor |
 * | `sluice.actor.failures` | counter | `{failure}` | actor |
 * | `sluice.actor.restarts` | counter | `{restart}` | actor |
 * | `sluice.actor.messages.dropped` | counter | `{message}` | actor |
 * | `sluice.actor.mailbox.depth` | gauge | `{message}` | actor |
 * | `sluice.actor.mailbox.high_water_mark` | gauge | `{message}` | actor |
 * | `sluice.actor.mailbox.capacity` | gauge | `{message}` | actor |
 * | `sluice.system.dead_letters` | counter | `{message}` | system |
 * | `sluice.pipeline.up` | gauge | `1` | pipeline, status |
 * | `sluice.pipeline.records.read` / `.written` | counter | `{record}` | pipeline |
 * | `sluice.pipeline.throughput` | gauge | `{record}/s` | pipeline |
 * | `sluice.pipeline.dead_letters`, `.late_records`, `.restarts` | counter | `{record}`, `{restart}` | pipeline |
 * | `sluice.pipeline.watermark.lag` | gauge | `s` | pipeline |
 * | `sluice.pipeline.checkpoints` | counter | `{checkpoint}` | pipeline |
 * | `sluice.pipeline.checkpoint.duration` | gauge | `s` | pipeline |
 * | `sluice.pipeline.checkpoint.size` | gauge | `By` | pipeline |
 * | `sluice.operator.records.in` / `.out` | counter | `{record}` | pipeline, operator |
 * | `sluice.operator.batch.duration` | summary | `s` | pipeline, operator |
 *
 * Actor attributes are `sluice.actor.path` plus `sluice.system.name` or `sluice.pipeline.name`.
 */
import type { ActorMetrics, SystemMetrics } from '../actors/actor-metrics.js';
import type { PipelineMetrics, PipelineStatus } from '../streams/pipeline-handle.js';
import type { Metric, MetricAttributes, MetricPoint, SummaryPoint } from './metric.js';

const PIPELINE_STATUSES: readonly PipelineStatus[] = ['starting', 'running', 'stopping', 'finished', 'failed'];

function actorMetrics(actors: readonly ActorMetrics[], base: MetricAttributes): Metric[] {
  const points = (value: (actor: ActorMetrics) => number): MetricPoint[] =>
    actors.map((actor) => ({ attributes: { ...base, 'sluice.actor.path': actor.path }, value: value(actor) }));
  return [
    {
      name: 'sluice.actor.messages.processed',
      kind: 'counter',
      unit: '{message}',
      description: 'Messages the actor finished processing.',
      points: points((a) => a.processed),
    },
    {
      name: 'sluice.actor.failures',
      kind: 'counter',
      unit: '{failure}',
      description: 'Times a handler failed the actor, retries included.',
      points: points((a) => a.failed),
    },
    { name: 'sluice.actor.restarts', kind: 'counter', unit: '{restart}', description: 'Times the actor was restarted.', points: points((a) => a.restarts) },
    {
      name: 'sluice.actor.messages.dropped',
      kind: 'counter',
      unit: '{message}',
      description: 'Messages the mailbox overflow policy dropped.',
      points: points((a) => a.dropped),
    },
    {
      name: 'sluice.actor.mailbox.depth',
      kind: 'gauge',
      unit: '{message}',
      description: 'Messages queued in the mailbox now.',
      points: points((a) => a.depth),
    },
    {
      name: 'sluice.actor.mailbox.high_water_mark',
      kind: 'gauge',
      unit: '{message}',
      description: 'The most messages ever queued in the mailbox at once.',
      points: points((a) => a.highWaterMark),
    },
    { name: 'sluice.actor.mailbox.capacity', kind: 'gauge', unit: '{message}', description: 'The mailbox capacity.', points: points((a) => a.capacity) },
  ];
}

/**
 * A system's metrics: per actor, and its dead letters.
 *
 * @example
 * ```ts
 * const text = toPrometheus(fromSystemMetrics(system.metrics()));
 * ```
 */
export function fromSystemMetrics(metrics: SystemMetrics, attributes: MetricAttributes = {}): Metric[] {
  const base = { ...attributes, 'sluice.system.name': metrics.name };
  return [
    ...actorMetrics(metrics.actors, base),
    {
      name: 'sluice.system.dead_letters',
      kind: 'counter',
      unit: '{message}',
      description: 'Messages that went to dead letters.',
      points: [{ attributes: base, value: metrics.deadLetters }],
    },
  ];
}

/**
 * A pipeline's metrics: throughput, watermark lag, checkpoints, each operator's counts and batch
 * latency, and each of its actors' (partitions', the sink's) counters.
 *
 * @example
 * ```ts
 * const text = toPrometheus(fromPipelineMetrics(handle.metrics()));
 * ```
 */
export function fromPipelineMetrics(metrics: PipelineMetrics, attributes: MetricAttributes = {}): Metric[] {
  const base = { ...attributes, 'sluice.pipeline.name': metrics.name };
  const one = (value: number): MetricPoint[] => [{ attributes: base, value }];
  const perOperator = (value: (operator: PipelineMetrics['operators'][number]) => number): MetricPoint[] =>
    metrics.operators.map((operator) => ({ attributes: { ...base, 'sluice.operator.name': operator.name }, value: value(operator) }));
  const latencies: SummaryPoint[] = [];
  for (const stage of metrics.stages) {
    const latency = stage.latency;
    latencies.push({
      attributes: { ...base, 'sluice.operator.name': stage.name },
      count: latency.count,
      sum: latency.sumMs / 1000,
      quantiles: [
        { quantile: 0.5, value: latency.p50 / 1000 },
        { quantile: 0.9, value: latency.p90 / 1000 },
        { quantile: 0.99, value: latency.p99 / 1000 },
      ],
    });
  }
  const checkpoints = metrics.checkpoints;
  const result: Metric[] = [
    {
      name: 'sluice.pipeline.up',
      kind: 'gauge',
      unit: '1',
      description: 'The pipeline status: 1 for the one it is in, 0 for the others.',
      points: PIPELINE_STATUSES.map((status) => ({ attributes: { ...base, 'sluice.pipeline.status': status }, value: status === metrics.status ? 1 : 0 })),
    },
    {
      name: 'sluice.pipeline.records.read',
      kind: 'counter',
      unit: '{record}',
      description: 'Records read from the source.',
      points: one(metrics.throughput.recordsRead),
    },
    {
      name: 'sluice.pipeline.records.written',
      kind: 'counter',
      unit: '{record}',
      description: 'Records the sink accepted.',
      points: one(metrics.throughput.recordsWritten),
    },
    {
      name: 'sluice.pipeline.throughput',
      kind: 'gauge',
      unit: '{record}/s',
      description: 'Records read per second, averaged since the run started.',
      points: one(metrics.throughput.recordsPerSecond),
    },
    {
      name: 'sluice.pipeline.dead_letters',
      kind: 'counter',
      unit: '{record}',
      description: 'Records sent to the dead-letter output.',
      points: one(metrics.deadLetters),
    },
    {
      name: 'sluice.pipeline.late_records',
      kind: 'counter',
      unit: '{record}',
      description: 'Records too late for every window.',
      points: one(metrics.lateRecords),
    },
    { name: 'sluice.pipeline.restarts', kind: 'counter', unit: '{restart}', description: 'Restarts of the pipeline actors.', points: one(metrics.restarts) },
  ];
  if (metrics.watermark !== undefined) {
    result.push({
      name: 'sluice.pipeline.watermark.lag',
      kind: 'gauge',
      unit: 's',
      description: 'How far the watermark trails the wall clock.',
      points: one(metrics.watermark.lagMs / 1000),
    });
  }
  if (checkpoints !== undefined) {
    result.push({
      name: 'sluice.pipeline.checkpoints',
      kind: 'counter',
      unit: '{checkpoint}',
      description: 'Checkpoints this run completed.',
      points: one(checkpoints.completed),
    });
    if (checkpoints.lastDurationMs !== undefined) {
      result.push({
        name: 'sluice.pipeline.checkpoint.duration',
        kind: 'gauge',
        unit: 's',
        description: 'How long the last checkpoint took, barrier to durable manifest.',
        points: one(checkpoints.lastDurationMs / 1000),
      });
    }
    if (checkpoints.lastBytes !== undefined) {
      result.push({
        name: 'sluice.pipeline.checkpoint.size',
        kind: 'gauge',
        unit: 'By',
        description: "Bytes of the last checkpoint's snapshot files.",
        points: one(checkpoints.lastBytes),
      });
    }
  }
  result.push(
    {
      name: 'sluice.operator.records.in',
      kind: 'counter',
      unit: '{record}',
      description: 'Records into the operator (work a restart did again included).',
      points: perOperator((o) => o.recordsIn),
    },
    {
      name: 'sluice.operator.records.out',
      kind: 'counter',
      unit: '{record}',
      description: 'Records out of the operator.',
      points: perOperator((o) => o.recordsOut),
    },
  );
  if (latencies.length > 0) {
    result.push({
      name: 'sluice.operator.batch.duration',
      kind: 'summary',
      unit: 's',
      description: 'Time a partition takes over one batch; quantiles of the last one to two minutes.',
      points: latencies,
    });
  }
  result.push(...actorMetrics(metrics.actors, base));
  return result;
}
