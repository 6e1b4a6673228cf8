import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSystem,
  defineActor,
  fromArray,
  fromPipelineMetrics,
  fromSystemMetrics,
  openJournal,
  pipeline,
  toCallback,
  toPrometheus,
  type PipelineEvent,
  type PipelineStatus,
} from '../../src/index.js';
import { controlledSource } from '../streams/pipeline/controlled-source.js';
import { until } from './helpers.js';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-metrics-'));
  folders.push(dir);
  return dir;
}

type Msg = { type: 'add' } | { type: 'boom' } | { type: 'get' };
const fragile = defineActor<number, Msg>({
  initialState: () => 0,
  receive(state, msg, ctx) {
    if (msg.type === 'boom') throw new Error('boom');
    if (msg.type === 'get') ctx.reply(state);
    return msg.type === 'add' ? state + 1 : state;
  },
});

describe('system.metrics', () => {
  it('reports every live actor: processed, failed, restarts and its mailbox', async () => {
    const system = createSystem({ name: 'm' });
    const ref = system.spawn(fragile, { name: 'a' });
    system.spawn(fragile, { name: 'b' });
    ref.tell({ type: 'add' });
    ref.tell({ type: 'boom' });
    ref.tell({ type: 'add' });
    await ref.ask({ type: 'get' });
    const metrics = system.metrics();
    expect(metrics.name).toBe('m');
    expect(metrics.status).toBe('running');
    expect(metrics.actors.map((a) => a.path)).toEqual(['/user/a', '/user/b']);
    // The failing message is tried three times (two restarts), then set aside as poison.
    expect(metrics.actors[0]).toMatchObject({ status: 'running', processed: 4, failed: 3, restarts: 2, depth: 0, dropped: 0, capacity: 1024 });
    expect(metrics.actors[0]?.highWaterMark).toBeGreaterThanOrEqual(1);
    expect(metrics.actors[1]).toMatchObject({ processed: 0, failed: 0, restarts: 0 });
    expect(metrics.deadLetters).toBe(1);
    await system.shutdown();
    expect(system.metrics().actors).toEqual([]);
  });

  it('lists children after their parent', async () => {
    const system = createSystem({ name: 'tree' });
    const parent = defineActor<null, { type: 'spawn' }>({
      initialState: () => null,
      receive(state, _msg, ctx) {
        ctx.spawn(fragile, { name: 'child' });
        ctx.reply(true);
        return state;
      },
    });
    await system.spawn(parent, { name: 'p' }).ask({ type: 'spawn' });
    expect(system.metrics().actors.map((a) => a.path)).toEqual(['/user/p', '/user/p/child']);
    await system.shutdown();
  });
});

describe('fromSystemMetrics', () => {
  it('names the per-actor metrics by the OpenTelemetry conventions, and renders as Prometheus text', async () => {
    const system = createSystem({ name: 'm' });
    const ref = system.spawn(fragile, { name: 'a' });
    ref.tell({ type: 'boom' });
    await ref.ask({ type: 'get' });
    const metrics = fromSystemMetrics(system.metrics());
    expect(metrics.map((m) => `${m.name} ${m.kind} ${m.unit}`)).toEqual([
      'sluice.actor.messages.processed counter {message}',
      'sluice.actor.failures counter {failure}',
      'sluice.actor.restarts counter {restart}',
      'sluice.actor.messages.dropped counter {message}',
      'sluice.actor.mailbox.depth gauge {message}',
      'sluice.actor.mailbox.high_water_mark gauge {message}',
      'sluice.actor.mailbox.capacity gauge {message}',
      'sluice.system.dead_letters counter {message}',
    ]);
    const text = toPrometheus(metrics);
    expect(text).toContain('sluice_actor_failures_total{sluice_system_name="m",sluice_actor_path="/user/a"} 3\n');
    expect(text).toContain('sluice_actor_restarts_total{sluice_system_name="m",sluice_actor_path="/user/a"} 2\n');
    expect(text).toContain('sluice_system_dead_letters_total{sluice_system_name="m"} 1\n');
    expect(text).toContain('# TYPE sluice_actor_mailbox_depth gauge\n');
    await system.shutdown();
  });
});

describe('PipelineHandle.metrics', () => {
  it('goes through starting, running, stopping and finished', async () => {
    const source = controlledSource<number>();
    const handle = pipeline(source)
      .keyBy((n) => n % 2, { partitions: 2 })
      .reduce(
        (sum: number, n) => sum + n,
        () => 0,
      )
      .to(toCallback(() => undefined))
      .run();
    const seen: PipelineStatus[] = [handle.status];
    await until(() => handle.status === 'running');
    seen.push(handle.status);
    void handle.stop();
    seen.push(handle.status);
    await handle.done;
    seen.push(handle.status, handle.metrics().status);
    expect(seen).toEqual(['starting', 'running', 'stopping', 'finished', 'finished']);
  });

  it('reports each stage’s batch latency and watermark, every actor, throughput and the watermark lag', async () => {
    const source = controlledSource<{ user: string; at: number }>();
    const now = Date.now();
    const handle = pipeline(source)
      .withTimestamps((e) => e.at, { maxOutOfOrdernessMs: 0 })
      .keyBy((e) => e.user, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(toCallback(() => undefined))
      .run({ name: 'clicks', lingerMs: 0 });
    source.push(...Array.from({ length: 100 }, (_, i) => ({ user: `u${i % 7}`, at: now - 60_000 + i })));
    await until(() => handle.metrics().operators.at(-1)?.recordsIn === 100 && handle.metrics().stages[0]?.watermark !== undefined);
    const metrics = handle.metrics();
    expect(metrics.name).toBe('clicks');
    expect(metrics.stages).toHaveLength(1);
    const stage = metrics.stages[0];
    expect(stage?.name).toBe('reduce');
    expect(stage?.partitions).toBe(2);
    expect(stage?.latency.count).toBeGreaterThan(0);
    expect(stage?.latency.p99).toBeGreaterThanOrEqual(stage?.latency.p50 ?? Infinity);
    expect(stage?.watermark).toBe(now - 60_000 + 99 - 1);
    expect(metrics.watermark?.value).toBe(stage?.watermark);
    expect(metrics.watermark?.lagMs).toBeGreaterThanOrEqual(60_000 - 99);
    expect(metrics.throughput).toMatchObject({ recordsRead: 100, recordsWritten: 100 });
    expect(metrics.throughput.recordsPerSecond).toBeGreaterThan(0);
    expect(metrics.actors.map((a) => a.path).sort()).toEqual([
      '/user/clicks',
      '/user/clicks/reduce-0-partition-0',
      '/user/clicks/reduce-0-partition-1',
      '/user/clicks/sink',
    ]);
    const partitions = metrics.actors.filter((a) => a.path.includes('partition'));
    expect(partitions.reduce((sum, a) => sum + a.processed, 0)).toBeGreaterThan(0);
    expect(partitions.every((a) => a.failed === 0 && a.restarts === 0 && a.capacity === 4)).toBe(true);
    source.end();
    await handle.done;
  });

  it('counts restarts of partitions under injected crashes, per actor and in all', async () => {
    const records = Array.from({ length: 2_000 }, (_, i) => i);
    const handle = pipeline(fromArray(records))
      .keyBy((n) => n % 10, { partitions: 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final' },
      )
      .to(toCallback(() => undefined))
      .run({ chaos: { crashRate: 0.002, seed: 7 }, batchSize: 64 });
    let perActor = 0;
    handle.events.subscribe((event) => {
      if (event.type === 'actor-restarted') perActor = Math.max(perActor, event.restarts);
    });
    await handle.done;
    expect(handle.metrics().restarts).toBeGreaterThan(0);
    expect(perActor).toBeGreaterThan(0);
  });
});

describe('fromPipelineMetrics', () => {
  it('exposes status, throughput, checkpoints, operators, batch latency and actors', async () => {
    const journal = await openJournal<number>({ dir: await folder(), groupCommitMs: 0 });
    await journal.append(Array.from({ length: 50 }, (_, i) => i));
    const stop = new AbortController();
    const handle = pipeline(journal.source({ signal: stop.signal }))
      .keyBy((n) => n % 3, { partitions: 2 })
      .reduce(
        (sum: number, n) => sum + n,
        () => 0,
      )
      .to(toCallback(() => undefined))
      .run({ name: 'orders', checkpoint: { dir: await folder(), interval: Infinity }, signal: stop.signal });
    await until(() => handle.metrics().throughput.recordsWritten === 50);
    await handle.checkpoint();
    const text = toPrometheus(fromPipelineMetrics(handle.metrics(), { service: 'test' }));
    expect(text).toContain('sluice_pipeline_up_ratio{service="test",sluice_pipeline_name="orders",sluice_pipeline_status="running"} 1\n');
    expect(text).toContain('sluice_pipeline_up_ratio{service="test",sluice_pipeline_name="orders",sluice_pipeline_status="failed"} 0\n');
    expect(text).toContain('sluice_pipeline_records_read_total{service="test",sluice_pipeline_name="orders"} 50\n');
    expect(text).toContain('sluice_pipeline_checkpoints_total{service="test",sluice_pipeline_name="orders"} 1\n');
    expect(text).toMatch(/sluice_pipeline_checkpoint_duration_seconds\{[^}]*\} [\d.e-]+\n/);
    expect(text).toMatch(/sluice_pipeline_checkpoint_size_bytes\{[^}]*\} \d+\n/);
    expect(text).toContain('sluice_operator_records_in_total{service="test",sluice_pipeline_name="orders",sluice_operator_name="reduce"} 50\n');
    expect(text).toMatch(
      /sluice_operator_batch_duration_seconds\{service="test",sluice_pipeline_name="orders",sluice_operator_name="reduce",quantile="0.99"\} [\d.e-]+\n/,
    );
    expect(text).toMatch(/sluice_operator_batch_duration_seconds_count\{[^}]*\} [1-9]\d*\n/);
    expect(text).toContain('sluice_actor_mailbox_high_water_mark{service="test",sluice_pipeline_name="orders",sluice_actor_path="/user/orders/sink"}');
    expect(text).not.toContain('watermark_lag'); // an untimed stream has no watermark
    stop.abort();
    await handle.done;
    await journal.close();
  });
});

describe('PipelineHandle.events', () => {
  it('publishes each completed checkpoint with the offset a restart reads from, then the end of the run', async () => {
    const journal = await openJournal<number>({ dir: await folder(), groupCommitMs: 0 });
    await journal.append([1, 2, 3]);
    const stop = new AbortController();
    const handle = pipeline(journal.source({ signal: stop.signal }))
      .keyBy((n) => n % 2, { partitions: 2 })
      .reduce(
        (sum: number, n) => sum + n,
        () => 0,
      )
      .to(toCallback(() => undefined))
      .run({ name: 'j', checkpoint: { dir: await folder(), interval: Infinity } });
    const events: PipelineEvent[] = [];
    handle.events.subscribe((event) => {
      if (event.type === 'checkpoint-completed' || event.type === 'pipeline-finished') events.push(event);
    });
    await until(() => handle.metrics().throughput.recordsRead === 3);
    await handle.checkpoint();
    await journal.append([4]);
    await until(() => handle.metrics().throughput.recordsRead === 4);
    await handle.stop();
    expect(events).toMatchObject([
      { type: 'checkpoint-completed', pipeline: 'j', id: 1, offset: 3 },
      { type: 'checkpoint-completed', pipeline: 'j', id: 2, offset: 4 },
      { type: 'pipeline-finished', pipeline: 'j', stopped: true },
    ]);
    const first = events[0] as Extract<PipelineEvent, { type: 'checkpoint-completed' }>;
    expect(first.durationMs).toBeGreaterThanOrEqual(0);
    expect(first.bytes).toBeGreaterThan(0);
    expect('error' in (events[2] as object)).toBe(false);
    await journal.close();
  });

  it('says how a failed run failed', async () => {
    const handle = pipeline(fromArray([1]))
      .keyBy((n) => n, { partitions: 1 })
      .reduce(
        (n: number) => n,
        () => 0,
      )
      .to({ name: 'broken', write: () => Promise.reject(new Error('disk full')) })
      .run();
    const finished: PipelineEvent[] = [];
    handle.events.subscribe((event) => {
      if (event.type === 'pipeline-finished') finished.push(event);
    });
    await expect(handle.done).rejects.toThrow('disk full');
    expect(finished).toMatchObject([{ type: 'pipeline-finished', stopped: false, error: { message: 'disk full' } }]);
    expect(handle.status).toBe('failed');
  });
});
