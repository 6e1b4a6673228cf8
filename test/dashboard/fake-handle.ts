/**
 * A PipelineHandle whose metrics, dead letters and events the test sets: for exact numbers (rates,
 * fill, owners, lags) that a real run only gives approximately.
 */
import type { ActorMetrics } from '../../src/actors/actor-metrics.js';
import { Topic } from '../../src/internal/topic.js';
import type { PipelineHandle, PipelineMetrics, PipelineResult } from '../../src/streams/pipeline-handle.js';
import type { PipelineDeadLetter } from '../../src/streams/run/messages.js';
import type { PipelineEvent } from '../../src/streams/run/pipeline-events.js';

export interface FakeHandle extends PipelineHandle {
  current: PipelineMetrics;
  letters: PipelineDeadLetter[];
  readonly topic: Topic<PipelineEvent>;
}

export function actor(path: string, fields: Partial<ActorMetrics> = {}): ActorMetrics {
  return { path, status: 'running', capacity: 4, depth: 0, highWaterMark: 0, dropped: 0, processed: 0, waitingSenders: 0, failed: 0, restarts: 0, ...fields };
}

/** Metrics of a job `name`: source, one keyed stage `count` of `partitions`, sink. */
export function metrics(name: string, partitions: number, fields: Partial<PipelineMetrics> = {}): PipelineMetrics {
  return {
    name,
    status: 'running',
    operators: [
      { name: 'source:numbers', recordsIn: 0, recordsOut: 0 },
      { name: 'count', recordsIn: 0, recordsOut: 0 },
      { name: 'sink:out', recordsIn: 0, recordsOut: 0 },
    ],
    stages: [
      {
        name: 'count',
        partitions,
        partitionRecordsIn: new Array<number>(partitions).fill(0),
        latency: { count: 0, sumMs: 0, p50: 0, p90: 0, p99: 0, max: 0 },
        watermark: undefined,
      },
    ],
    mailboxes: {},
    actors: [
      actor(`/user/${name}`, { capacity: 1024 }),
      actor(`/user/${name}/sink`),
      ...Array.from({ length: partitions }, (_, p) => actor(`/user/${name}/count-0-partition-${p}`)),
    ],
    restarts: 0,
    deadLetters: 0,
    lateRecords: 0,
    checkpoints: undefined,
    throughput: { elapsedMs: 0, recordsRead: 0, recordsWritten: 0, recordsPerSecond: 0 },
    watermark: undefined,
    placement: undefined,
    owners: undefined,
    ...fields,
  };
}

export function fakeHandle(initial: PipelineMetrics): FakeHandle {
  const topic = new Topic<PipelineEvent>('pipeline event');
  const never = new Promise<PipelineResult>(() => undefined);
  const handle: FakeHandle = {
    current: initial,
    letters: [],
    topic,
    done: never,
    get status() {
      return handle.current.status;
    },
    events: topic,
    metrics: () => handle.current,
    deadLetters: () => [...handle.letters],
    query: () => Promise.resolve(undefined),
    stop: () => never,
    checkpoint: () => Promise.resolve(0),
    started: Promise.resolve(true),
    savepoint: () => never.then(() => ({ id: 0, dir: '' })),
    upgrade: () => never.then(() => handle),
  };
  return handle;
}
