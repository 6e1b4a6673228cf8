/**
 * The stats service, from outside, over real HTTP on loopback: ingestion and its refusals,
 * backpressure under a burst, kill -9 in the middle of ingestion (again and again) without losing
 * or double-counting anything acknowledged, and graceful shutdown and restart.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getStats, postEvents, startServiceProcess, stopServiceProcess, type ServiceProcess } from './service-process.js';

let root = '';
let running: ServiceProcess[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sluice-service-'));
});
afterEach(() => {
  for (const service of running) if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
  running = [];
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let folders = 0;
const stateDir = (): string => join(root, `state-${folders++}`);
async function start(dir: string, env?: Record<string, string>): Promise<ServiceProcess> {
  const service = await startServiceProcess(dir, env);
  running.push(service);
  return service;
}

describe('examples/http-service', () => {
  it('accepts records, answers stats from live state, refuses malformed batches whole, and exposes metrics and health', async () => {
    const service = await start(stateDir());
    const { url } = service;

    const one = await fetch(`${url}/events`, { method: 'POST', body: JSON.stringify({ key: 'ada', ts: 1_000, value: 2 }) });
    expect(one.status).toBe(202);
    expect(await one.json()).toEqual({ accepted: 1, offset: 1 });
    const lines = await postEvents(url, [
      { key: 'ada', ts: 1_001, value: 3 },
      { key: 'bob', ts: 1_002, value: -1.5 },
    ]);
    expect(lines.status).toBe(202);
    await lines.body?.cancel();
    expect(await getStats(url, 'ada')).toEqual({ key: 'ada', count: 2, sum: 5 });
    expect(await getStats(url, 'bob')).toEqual({ key: 'bob', count: 1, sum: -1.5 });
    expect(await getStats(url, 'cyd')).toBe(404);
    expect(await getStats(url, 'a key/with spaces')).toBe(404);

    // A malformed line refuses the batch: nothing of it enters, not even the good lines before it.
    const malformed = await fetch(`${url}/events`, { method: 'POST', body: '{"key":"ada","ts":1,"value":100}\n{"key":"ada",\n' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'malformed JSON', line: 2, text: '{"key":"ada",' });
    const invalid = await postEvents(url, [
      { key: 'ada', ts: 1, value: 100 },
      { key: 'ada', ts: 'yesterday', value: 1 },
    ]);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'invalid record', line: 2, reason: expect.stringContaining('"ts"') });
    const empty = await fetch(`${url}/events`, { method: 'POST', body: '\n' });
    expect(empty.status).toBe(400);
    await empty.body?.cancel();
    expect(await getStats(url, 'ada')).toEqual({ key: 'ada', count: 2, sum: 5 });

    const wrongMethod = await fetch(`${url}/events`);
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.body?.cancel();

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', pipeline: 'running', accepting: true, backlog: 0, journal: { end: 3 } });

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await metrics.text();
    expect(text).toContain('sluice_pipeline_up_ratio{sluice_pipeline_name="stats",sluice_pipeline_status="running"} 1\n');
    expect(text).toContain('sluice_operator_records_in_total{sluice_pipeline_name="stats",sluice_operator_name="stats"} 3\n');
    expect(text).toContain('service_journal_end 3\n');
    expect(text).toMatch(/http_server_responses_total\{http_route="POST \/events",http_response_status_code="400"\} 3\n/);
    expect(text).toMatch(/sluice_actor_mailbox_high_water_mark\{sluice_pipeline_name="stats",sluice_actor_path="\/user\/stats\/stats-0-partition-\d"\} \d+\n/);

    expect(await stopServiceProcess(service)).toBe(0);
  });

  it('serves the live dashboard of its pipeline at /dashboard, read-only, and still shuts down cleanly with a feed open', async () => {
    const service = await start(stateDir());
    const { url } = service;
    expect((await postEvents(url, [{ key: 'ada', ts: 1, value: 1 }])).status).toBe(202);
    const bare = await fetch(`${url}/dashboard`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/dashboard/');
    const snapshot = await fetch(`${url}/dashboard/snapshot.json`);
    expect(snapshot.status).toBe(200);
    const sample = (await snapshot.json()) as { title: string; jobs: { name: string; stages: { kind: string; partitions: unknown[] }[] }[] };
    expect(sample.title).toBe('stats service');
    expect(sample.jobs.map((job) => [job.name, job.stages.map((stage) => [stage.kind, stage.partitions.length])])).toEqual([
      [
        'stats',
        [
          ['source', 0],
          ['stage', 4],
          ['sink', 1],
        ],
      ],
    ]);
    expect((await fetch(`${url}/dashboard/feed`, { method: 'POST' })).status).toBe(405);
    const feed = await fetch(`${url}/dashboard/feed`);
    expect(feed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = (feed.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^retry: \d+\n\n/);
    // The rest of the service answers beside an open feed.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await stopServiceProcess(service)).toBe(0);
    await reader.cancel().catch(() => undefined);
  });

  it('under a burst, answers 503 with Retry-After when the backlog is full, and counts exactly what it accepted', async () => {
    const service = await start(stateDir(), { MAX_BACKLOG: '3000', MAX_WAIT_MS: '1' });
    const { url } = service;
    const batch = (r: number): { key: string; ts: number; value: number }[] =>
      Array.from({ length: 3000 }, (_, i) => ({ key: `k${i % 5}`, ts: r * 10_000 + i, value: 1 }));
    const statuses = await Promise.all(
      Array.from({ length: 24 }, async (_, r) => {
        const response = await postEvents(url, batch(r));
        await response.body?.cancel();
        if (response.status === 503) expect(response.headers.get('retry-after')).toBe('1');
        return response.status;
      }),
    );
    const accepted = statuses.filter((s) => s === 202).length;
    expect(accepted).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);
    for (let k = 0; k < 5; k++) expect(await getStats(url, `k${k}`)).toEqual({ key: `k${k}`, count: accepted * 600, sum: accepted * 600 });

    // Retried as Retry-After says, each refused batch gets in.
    let retried = accepted;
    for (const status of statuses) {
      if (status === 202) continue;
      for (let attempt = 0; ; attempt++) {
        expect(attempt).toBeLessThan(50);
        const response = await postEvents(url, batch(0));
        await response.body?.cancel();
        if (response.status === 202) break;
        expect(response.status).toBe(503);
      }
      retried++;
    }
    expect(await getStats(url, 'k0')).toEqual({ key: 'k0', count: retried * 600, sum: retried * 600 });
    expect(await stopServiceProcess(service)).toBe(0);
  });

  it('loses nothing acknowledged and counts nothing twice across kill -9 in the middle of ingestion', async () => {
    const dir = stateDir();
    const writers = 4;
    // Request j of writer w: (j % 3) + 1 records of value j for `w<w>a`, (j % 2) + 1 of value -j for `w<w>b`.
    const requestOf = (w: number, j: number): { key: string; ts: number; value: number }[] => [
      ...Array.from({ length: (j % 3) + 1 }, (_, i) => ({ key: `w${w}a`, ts: j * 10 + i, value: j })),
      ...Array.from({ length: (j % 2) + 1 }, (_, i) => ({ key: `w${w}b`, ts: j * 10 + i, value: -j })),
    ];
    const expected = (requests: number): { a: { count: number; sum: number }; b: { count: number; sum: number } } => {
      const a = { count: 0, sum: 0 };
      const b = { count: 0, sum: 0 };
      for (let j = 0; j < requests; j++) {
        a.count += (j % 3) + 1;
        a.sum += ((j % 3) + 1) * j;
        b.count += (j % 2) + 1;
        b.sum -= ((j % 2) + 1) * j;
      }
      return { a, b };
    };
    /** Requests of each writer known to be in (acknowledged, or found counted after a crash). */
    const done = Array.from({ length: writers }, () => 0);

    /** Checks each writer's keys hold exactly its first `done` requests, or those and the one in flight. */
    const check = async (url: string, inFlight: readonly boolean[]): Promise<void> => {
      for (let w = 0; w < writers; w++) {
        const a = await getStats(url, `w${w}a`);
        const b = await getStats(url, `w${w}b`);
        const acked = expected(done[w] as number);
        const withNext = expected((done[w] as number) + 1);
        const counted = (x: typeof a, want: { count: number; sum: number }, key: string) =>
          want.count === 0 ? x === 404 : typeof x === 'object' && x.key === key && x.count === want.count && x.sum === want.sum;
        const isAcked = counted(a, acked.a, `w${w}a`) && counted(b, acked.b, `w${w}b`);
        const isNext = inFlight[w] === true && counted(a, withNext.a, `w${w}a`) && counted(b, withNext.b, `w${w}b`);
        expect(isAcked || isNext, `writer ${w}: ${done[w]} acknowledged; got ${JSON.stringify([a, b])}`).toBe(true);
        if (isNext) done[w] = (done[w] as number) + 1;
      }
    };

    for (const [round, acks] of [150, 60, 300].entries()) {
      const service = await start(dir, { CHECKPOINT_INTERVAL_MS: '50', SEGMENT_BYTES: '4096' });
      await check(service.url, []);
      const inFlight = Array.from({ length: writers }, () => false);
      let total = 0;
      let killed = false;
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          while (!killed) {
            inFlight[w] = true;
            const response = await postEvents(service.url, requestOf(w, done[w] as number)).catch(() => undefined);
            if (response === undefined) return; // the connection died with the process: unknown
            await response.body?.cancel().catch(() => undefined);
            if (killed) return; // answered after the kill was decided: counts as unknown, like any in flight
            expect(response.status, `round ${round}`).toBe(202);
            inFlight[w] = false;
            done[w] = (done[w] as number) + 1;
            if (++total === acks) {
              killed = true;
              service.child.kill('SIGKILL');
            }
          }
        }),
      );
      expect(await service.exited).toBe('SIGKILL');
      const restarted = await start(dir, { CHECKPOINT_INTERVAL_MS: '50', SEGMENT_BYTES: '4096' });
      await check(restarted.url, inFlight);
      expect(await stopServiceProcess(restarted)).toBe(0);
    }
    expect(done.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(510);
    // Checkpoints let the journal drop old segments.
    expect((await readdir(join(dir, 'journal'))).filter((f) => f.endsWith('.seg')).length).toBeLessThan(20);
  });

  it('on SIGTERM stops accepting, drains, checkpoints and exits 0; restarted, it serves the same stats', async () => {
    const dir = stateDir();
    const service = await start(dir, { CHECKPOINT_INTERVAL_MS: '600000' });
    const keys = ['x', 'y', 'z'];
    for (let r = 0; r < 20; r++) {
      const response = await postEvents(
        service.url,
        Array.from({ length: 50 }, (_, i) => ({ key: keys[i % 3], ts: i, value: r })),
      );
      expect(response.status).toBe(202);
      await response.body?.cancel();
    }
    const before = await Promise.all(keys.map((key) => getStats(service.url, key)));
    expect(before[0]).toMatchObject({ count: 340 });

    // Keep posting while it stops: every answer is 202 (in before the stop) or 503 (refused), or the
    // connection is refused; whatever got a 202 is in the stats after the restart.
    let acceptedLate = 0;
    let stopping = true;
    const late = (async () => {
      for (let i = 0; i < 200 && stopping; i++) {
        const response = await postEvents(service.url, [{ key: 'late', ts: i, value: 1 }]).catch(() => undefined);
        if (response === undefined) return;
        await response.body?.cancel();
        if (response.status === 202) acceptedLate++;
        else expect(response.status).toBe(503);
      }
    })();
    expect(await stopServiceProcess(service)).toBe(0);
    stopping = false;
    await late;
    expect(service.stderr()).toMatch(/SIGTERM: stopping\n(.*\n)*info pipeline stats completed checkpoint \d+ at offset \d+/);

    const restarted = await start(dir, { CHECKPOINT_INTERVAL_MS: '600000' });
    expect(await Promise.all(keys.map((key) => getStats(restarted.url, key)))).toEqual(before);
    expect(await getStats(restarted.url, 'late')).toEqual(acceptedLate === 0 ? 404 : { key: 'late', count: acceptedLate, sum: acceptedLate });
    const health = await fetch(`${restarted.url}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', backlog: 0 });
    expect(await stopServiceProcess(restarted)).toBe(0);
  });
});
