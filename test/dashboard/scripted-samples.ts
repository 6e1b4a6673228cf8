/**
 * A scripted feed for the dashboard page: the samples a real handler would send for two jobs, made
 * from a tick count alone so each run of the browser tests sees the same story. The main job has a
 * source, two keyed stages and a sink; one partition of the second stage crashes every third tick,
 * the sink's mailbox fills to the brim (a slow sink), every other tick completes a checkpoint (the
 * third one fails), and dead letters carry hostile text that must reach the page as text.
 */
import type { CheckpointView, DashboardSample, DeadLetterView, JobView, PartitionView, StageView } from '../../src/dashboard/dashboard-view.js';

/** The main job's topology, as the tests name it: stage names and partition counts, source to sink. */
export const scriptedTopology = [
  { name: 'orders-topic', kind: 'source', partitions: 0 },
  { name: 'parse', kind: 'stage', partitions: 4 },
  { name: 'enrich-by-customer', kind: 'stage', partitions: 3 },
  { name: 'orders-table', kind: 'sink', partitions: 1 },
] as const;

/** The partition that crashes: stage 2, partition 1. */
export const crashingPartition = { stage: 2, partition: 1 } as const;
/** Dead letters' text a careless page would run as markup. */
export const hostileRecord = '{"id":7,"note":"<img src=x onerror=alert(1)>"}';
export const hostileError = '<script>alert(2)</script> is not a valid amount';
export const failedCheckpointReason = 'snapshot store timed out after 5000 ms';

/** A rate that moves every tick, slowly with a little jitter, and never reaches zero: numbers a test sees change. */
function wave(tick: number, base: number, phase: number): number {
  return Math.round(base * (1 + 0.25 * Math.sin(tick / 9 + phase) + 0.08 * Math.sin(tick * 1.7 + phase * 3)) + (tick % 7) * 3);
}

function partition(stage: number, index: number, tick: number, owner: string): PartitionView {
  const sink = stage === scriptedTopology.length - 1;
  const capacity = 16;
  // The slow sink's mailbox fills by four batches a tick and stays full; the others stay shallow.
  const depth = sink ? Math.min(capacity, 4 * tick) : (tick + index) % 4;
  const crashing = stage === crashingPartition.stage && index === crashingPartition.partition;
  return {
    index,
    actor: `/user/orders-enrichment/${scriptedTopology[stage]?.name ?? 'stage'}/${index}`,
    // A share of the stage's rate: the partitions of a stage add up to about its records/s.
    recordsPerSecond: wave(tick, (12_000 - 1_500 * stage) / (scriptedTopology[stage]?.partitions ?? 1), stage + index),
    batchesPerSecond: wave(tick, sink ? 40 : 120 - 10 * index, stage + index),
    mailboxDepth: depth,
    mailboxCapacity: capacity,
    mailboxFill: depth / capacity,
    restarts: crashing ? Math.floor(tick / 3) : 0,
    owner,
  };
}

function mainJob(tick: number, at: number, status: JobView['status']): JobView {
  const rate = wave(tick, 12_000, 0);
  const read = 50_000 + tick * 12_345;
  const stages: StageView[] = scriptedTopology.map((spec, i) => ({
    name: spec.name,
    kind: spec.kind,
    recordsIn: Math.round(read * (1 - 0.01 * i)),
    recordsOut: Math.round(read * (1 - 0.01 * (i + 1))),
    recordsPerSecond: i === 0 ? rate : wave(tick, 12_000 - 1_500 * i, i),
    watermarkLagMs: i === 0 ? undefined : 200 * i + (tick % 5) * 40,
    partitions: Array.from({ length: spec.partitions }, (_, p) => partition(i, p, tick, spec.kind === 'sink' ? 'main' : `thread ${(p % 2) + 1}`)),
  }));
  const checkpoints: CheckpointView[] = Array.from({ length: Math.floor(tick / 2) }, (_, k) => ({
    id: k + 1,
    at: at - (Math.floor(tick / 2) - k) * 2_000,
    durationMs: k === 2 ? undefined : 30 + ((k * 37) % 90),
    bytes: k === 2 ? undefined : 180_000 + k * 4_096,
    failure: k === 2 ? failedCheckpointReason : undefined,
  })).slice(-50);
  const recentDeadLetters: DeadLetterView[] = [
    { reason: 'poison', stage: 'parse', record: '"not json at all"', error: 'Unexpected token n in JSON at position 1' },
    { reason: 'rejected', stage: 'orders-table', record: hostileRecord, error: hostileError },
  ].slice(0, tick >= 2 ? 2 : tick);
  return {
    name: 'orders-enrichment',
    status,
    recordsRead: read,
    recordsWritten: Math.round(read * 0.96),
    recordsPerSecond: status === 'running' ? rate : 0,
    restarts: Math.floor(tick / 3),
    deadLetters: recentDeadLetters.length,
    stages,
    checkpoints,
    recentDeadLetters,
    watermarkLagMs: 600 + (tick % 5) * 40,
  };
}

/** A second, smaller job without checkpoints, so the page has a job selector. */
function auditJob(tick: number): JobView {
  const partitions = [partition(0, 0, tick, 'worker-2')].map((p) => ({ ...p, mailboxDepth: 1, mailboxFill: 1 / 16, restarts: 0 }));
  return {
    name: 'audit-log',
    status: 'running',
    recordsRead: tick * 100,
    recordsWritten: tick * 100,
    recordsPerSecond: 100,
    restarts: 0,
    deadLetters: 0,
    stages: [
      { name: 'audit-topic', kind: 'source', recordsIn: tick * 100, recordsOut: tick * 100, recordsPerSecond: 100, watermarkLagMs: undefined, partitions: [] },
      { name: 'audit-file', kind: 'sink', recordsIn: tick * 100, recordsOut: tick * 100, recordsPerSecond: 100, watermarkLagMs: undefined, partitions },
    ],
    checkpoints: undefined,
    recentDeadLetters: [],
    watermarkLagMs: undefined,
  };
}

/** The sample of `tick`, taken at `at`, with the main job in `status`. */
export function scriptedSample(tick: number, at: number, status: JobView['status']): DashboardSample {
  return { at, jobs: [mainJob(tick, at, status), auditJob(tick)] };
}
