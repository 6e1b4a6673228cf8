/**
 * A node:http service that embeds a Sluice pipeline. Accepted events are appended to a durable
 * journal before the 202 (acknowledged = fsync'd), and the pipeline tails the journal, taking
 * checkpoints of its keyed state and journal offset; so a kill -9 at any moment loses nothing that
 * was acknowledged and, on restart, counts nothing twice. GET /stats/:key asks the partition actor
 * that owns the key. When the pipeline falls behind, POST /events waits for room, then answers 503.
 * GET /dashboard/ is the pipeline's live dashboard (sluice/dashboard), read-only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  LatencyHistogram,
  PROMETHEUS_CONTENT_TYPE,
  fromPipelineMetrics,
  logEvents,
  openJournal,
  toPrometheus,
  type EventLogger,
  type Journal,
  type Metric,
  type PipelineHandle,
  type PipelineResult,
} from '../../src/index.js';
import { dashboard } from '../../src/dashboard/index.js';
import { Backlog } from './backlog.js';
import { parseEvents, type Event } from './ingest.js';
import { STATS_STAGE, runStatsPipeline, type Stats } from './stats-pipeline.js';
import { trackConsumption } from './tracked-source.js';

/** Options of {@link startService}; every limit has a default fit for a small service. */
export interface ServiceOptions {
  /** 0 for an ephemeral port. */
  readonly port: number;
  /** @defaultValue '127.0.0.1' */
  readonly host?: string | undefined;
  /** Holds `journal/` and `checkpoints/`. */
  readonly stateDir: string;
  /** Partition actors of the keyed stage. @defaultValue 4 */
  readonly partitions?: number | undefined;
  /** Records accepted but not yet taken by the pipeline before POST /events waits. @defaultValue 100000 */
  readonly maxBacklog?: number | undefined;
  /** How long POST /events waits for room before 503. @defaultValue 1000 */
  readonly maxWaitMs?: number | undefined;
  /** The Retry-After of a 503, in seconds. @defaultValue 1 */
  readonly retryAfterSeconds?: number | undefined;
  /** @defaultValue 5000 */
  readonly checkpointIntervalMs?: number | undefined;
  /** @defaultValue 4 MiB */
  readonly maxBodyBytes?: number | undefined;
  /** How long GET /stats waits for the pipeline to take what was accepted before it. @defaultValue 5000 */
  readonly readTimeoutMs?: number | undefined;
  /** How long SIGTERM waits for the pipeline to take the backlog before the final checkpoint. @defaultValue 30000 */
  readonly drainTimeoutMs?: number | undefined;
  /** @defaultValue 8 MiB */
  readonly segmentBytes?: number | undefined;
  /** Where log lines go. @defaultValue stderr */
  readonly log?: ((line: string) => void) | undefined;
}

export interface StatsService {
  readonly port: number;
  readonly url: string;
  readonly handle: PipelineHandle;
  /** Stop accepting, let the pipeline take the backlog, take a final checkpoint, close. Idempotent. */
  shutdown(): Promise<PipelineResult>;
}

type Route = 'POST /events' | 'GET /stats' | 'GET /metrics' | 'GET /healthz' | 'GET /dashboard' | 'other';

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => (tooLarge ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8'))));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(`${JSON.stringify(body)}\n`);
}

/** Opens the journal, starts the pipeline (resuming from its last checkpoint) and listens. */
export async function startService(options: ServiceOptions): Promise<StatsService> {
  const host = options.host ?? '127.0.0.1';
  const maxWaitMs = options.maxWaitMs ?? 1000;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const readTimeoutMs = options.readTimeoutMs ?? 5000;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));

  const journal: Journal<Event> = await openJournal<Event>({
    dir: join(options.stateDir, 'journal'),
    segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
    maxBatchBytes: Math.max(4 * 1024 * 1024, maxBodyBytes * 2),
  });
  // Until the pipeline says where it resumes, count the whole journal as backlog: it may all be unread.
  const backlog = new Backlog({ end: () => journal.end, consumed: journal.start, maxBacklog: options.maxBacklog ?? 100_000, maxWaitMs });
  // Checkpoint offsets still needed: the one resumed from, then each completed one. With `keep: 2`
  // the older of the last two is where a damaged newest checkpoint would send a restart back to.
  const kept: number[] = [];
  const source = trackConsumption(journal.source({ name: 'events' }), (offset) => {
    if (kept.length === 0) kept.push(offset);
    backlog.consumedUpTo(offset);
  });
  const handle = runStatsPipeline(source, options.partitions ?? 4, {
    name: 'stats',
    checkpoint: { dir: join(options.stateDir, 'checkpoints'), interval: options.checkpointIntervalMs ?? 5000, keep: 2 },
  });
  const logger: EventLogger = {
    debug: () => undefined,
    info: (message) => log(`info ${String(message)}`),
    warn: (message) => log(`warn ${String(message)}`),
    error: (message) => log(`error ${String(message)}`),
  };
  const stopLogging = logEvents(handle.events, logger);

  // Journal truncation after each checkpoint, one at a time.
  let truncation = Promise.resolve();
  handle.events.subscribe((event) => {
    if (event.type !== 'checkpoint-completed') return;
    kept.push(event.offset as number);
    while (kept.length > 2) kept.shift();
    const before = kept[0] as number;
    truncation = truncation
      .then(() => journal.truncateBefore(before))
      .then(
        () => undefined,
        (error: unknown) => log(`warn journal truncation failed: ${String(error)}`),
      );
  });
  handle.done.catch((error: unknown) => log(`error pipeline failed: ${String(error)}`));
  // The live dashboard, under /dashboard/ (it answers 405 to anything but GET there itself).
  const board = dashboard(handle, { title: 'stats service' });

  // Service metrics, beside the pipeline's.
  const latency = new Map<Route, LatencyHistogram>();
  const responses = new Map<string, number>();
  let refused = 0;

  let accepting = true;
  const inFlight = new Set<Promise<void>>();

  async function postEvents(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body: string;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) return send(response, 413, { error: `the body is over ${maxBodyBytes} bytes` }, { connection: 'close' });
      throw error;
    }
    const parsed = parseEvents(body);
    if ('refused' in parsed) return send(response, 400, parsed.refused);
    const { events } = parsed;
    if (!accepting || !(await backlog.admit(events.length))) {
      refused++;
      return send(response, 503, { error: accepting ? 'the pipeline is behind; retry later' : 'shutting down' }, { 'retry-after': retryAfter });
    }
    let offset: number;
    try {
      offset = await journal.append(events);
    } finally {
      backlog.appended(events.length);
    }
    send(response, 202, { accepted: events.length, offset });
  }

  async function getStats(key: string, response: ServerResponse): Promise<void> {
    // Everything acknowledged before this request is in the journal before `end`: wait until the
    // pipeline has taken it, then ask the partition that owns the key.
    const target = journal.end;
    if (!(await backlog.whenConsumed(target, readTimeoutMs))) {
      return send(response, 503, { error: 'the pipeline is behind; retry later' }, { 'retry-after': retryAfter });
    }
    let stats: Stats | undefined;
    try {
      stats = await handle.query<Stats>(STATS_STAGE, key);
    } catch (error) {
      return send(response, 503, { error: `the pipeline cannot answer: ${String(error)}` }, { 'retry-after': retryAfter });
    }
    if (stats === undefined) return send(response, 404, { error: 'unknown key', key });
    send(response, 200, { key, count: stats.count, sum: stats.sum });
  }

  function serviceMetrics(): Metric[] {
    const stats = journal.stats();
    const one = (value: number) => [{ attributes: {}, value }];
    return [
      {
        name: 'http.server.request.duration',
        kind: 'summary',
        unit: 's',
        description: 'Time to answer a request, by route.',
        points: [...latency].map(([route, histogram]) => {
          const s = histogram.summary();
          return {
            attributes: { 'http.route': route },
            count: s.count,
            sum: s.sumMs / 1000,
            quantiles: [
              { quantile: 0.5, value: s.p50 / 1000 },
              { quantile: 0.99, value: s.p99 / 1000 },
            ],
          };
        }),
      },
      {
        name: 'http.server.responses',
        kind: 'counter',
        unit: '{response}',
        description: 'Responses, by route and status code.',
        points: [...responses].map(([key, value]) => {
          const [route = '', status = ''] = key.split('|');
          return { attributes: { 'http.route': route, 'http.response.status_code': status }, value };
        }),
      },
      {
        name: 'service.events.refused',
        kind: 'counter',
        unit: '{request}',
        description: 'POST /events answered 503: the pipeline was behind.',
        points: one(refused),
      },
      {
        name: 'service.backlog',
        kind: 'gauge',
        unit: '{record}',
        description: 'Records accepted but not yet taken by the pipeline.',
        points: one(backlog.size),
      },
      {
        name: 'service.journal.records',
        kind: 'counter',
        unit: '{record}',
        description: 'Records made durable since the service started.',
        points: one(stats.records),
      },
      {
        name: 'service.journal.fsyncs',
        kind: 'counter',
        unit: '{fsync}',
        description: 'fsyncs of the journal since the service started.',
        points: one(stats.fsyncs),
      },
      { name: 'service.journal.segments', kind: 'gauge', unit: '{segment}', description: 'Journal segment files.', points: one(stats.segments) },
      {
        name: 'service.journal.end',
        kind: 'gauge',
        unit: '{record}',
        description: 'The journal offset after the last durable record.',
        points: one(stats.end),
      },
      { name: 'service.journal.start', kind: 'gauge', unit: '{record}', description: 'The oldest journal offset kept.', points: one(stats.start) },
    ];
  }

  function healthz(response: ServerResponse): void {
    const healthy = accepting && handle.status === 'running';
    send(response, healthy ? 200 : 503, {
      status: healthy ? 'ok' : 'unavailable',
      pipeline: handle.status,
      accepting,
      backlog: backlog.size,
      journal: { start: journal.start, end: journal.end },
    });
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<Route> {
    if (board(request, response)) return 'GET /dashboard';
    const url = new URL(request.url ?? '/', 'http://service');
    const path = url.pathname;
    if (path === '/events') {
      if (request.method !== 'POST') return (send(response, 405, { error: 'use POST' }, { allow: 'POST' }), 'other');
      if (!accepting) {
        request.resume();
        return (send(response, 503, { error: 'shutting down' }, { 'retry-after': retryAfter, connection: 'close' }), 'POST /events');
      }
      const work = postEvents(request, response);
      inFlight.add(work);
      try {
        await work;
      } finally {
        inFlight.delete(work);
      }
      return 'POST /events';
    }
    if (request.method !== 'GET') return (send(response, 405, { error: 'use GET' }, { allow: 'GET' }), 'other');
    if (path.startsWith('/stats/')) {
      let key: string;
      try {
        key = decodeURIComponent(path.slice('/stats/'.length));
      } catch {
        return (send(response, 400, { error: 'the key is not valid percent-encoding' }), 'GET /stats');
      }
      await getStats(key, response);
      return 'GET /stats';
    }
    if (path === '/metrics') {
      const text = toPrometheus([...fromPipelineMetrics(handle.metrics()), ...serviceMetrics()]);
      response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text);
      return 'GET /metrics';
    }
    if (path === '/healthz') {
      healthz(response);
      return 'GET /healthz';
    }
    send(response, 404, { error: 'not found' });
    return 'other';
  }

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    route(request, response).then(
      (name) => {
        let histogram = latency.get(name);
        if (histogram === undefined) latency.set(name, (histogram = new LatencyHistogram()));
        histogram.record(performance.now() - started);
        const key = `${name}|${response.statusCode}`;
        responses.set(key, (responses.get(key) ?? 0) + 1);
      },
      (error: unknown) => {
        log(`error ${request.method} ${request.url}: ${String(error)}`);
        if (!response.headersSent) send(response, 500, { error: 'internal error' });
        else response.destroy();
      },
    );
  });
  const closed = new Promise<void>((resolve) => server.once('close', resolve));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let shutdown: Promise<PipelineResult> | undefined;
  return {
    port,
    url: `http://${host}:${port}`,
    handle,
    shutdown() {
      shutdown ??= (async () => {
        accepting = false;
        backlog.stopAdmitting();
        server.close();
        server.closeIdleConnections();
        // Batches admitted before now finish their appends and are answered.
        await Promise.allSettled([...inFlight]);
        // Let the pipeline take what was accepted, so the final checkpoint covers it (a timeout is
        // safe too: what is left stays in the journal, and the next start reads it).
        await backlog.whenConsumed(journal.end, options.drainTimeoutMs ?? 30_000);
        backlog.close();
        try {
          return await handle.stop();
        } finally {
          stopLogging();
          // The open feeds end here, having shown the pipeline stopping and finished.
          board.close();
          await truncation;
          await journal.close();
          server.closeAllConnections();
          await closed;
        }
      })();
      return shutdown;
    },
  };
}
