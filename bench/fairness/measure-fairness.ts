/**
 * The http-fairness measurement: does an HTTP server in the same process stay responsive while a
 * pipeline runs flat out? A load generator in a child process ({@link startLoadGenerator}) sends a
 * steady, open-loop request rate to a server on 127.0.0.1 in this process. Three windows, each
 * `windowMs` long, taken in turn and repeated for every round — short alternating windows, so that
 * on a shared machine all three see the same background load:
 *
 *   server alone          the latency baseline
 *   pipeline alone        the pipeline's throughput baseline
 *   server + pipeline     both at once: latency against the first, throughput against the second
 *
 * {@link summarizeFairness} pools the rounds and judges them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fromGenerator, pipeline, toCallback, type PipelineHandle } from '../../src/index.js';
import type { FairnessRound, FairnessSettings } from './fairness-report.js';
import { startLoadGenerator, type LoadGenerator, type LoadResult } from './load-generator.js';

/** What {@link measureFairness} runs. */
export interface FairnessOptions extends FairnessSettings {
  readonly rounds: number;
  /**
   * How long a pipeline runs untimed before each throughput window (mailboxes filled, JIT warm),
   * and how long the load runs untimed against the server before the first round (connections
   * open, handler compiled: else round 1's "server alone" pays for starting up).
   */
  readonly warmupMs: number;
  /** Called after each round, with its number from 1: a full measurement takes a minute. */
  readonly onRound?: ((round: FairnessRound, index: number) => void) | undefined;
}

/**
 * Runs `options.rounds` rounds against a fresh server and load generator, after an untimed
 * warm-up of the load, and closes both.
 *
 * @example
 * ```ts
 * const rounds = await measureFairness({ rate: 200, windowMs: 3000, rounds: 10, warmupMs: 500 });
 * summarizeFairness(rounds, { rate: 200, windowMs: 3000 });
 * ```
 */
export async function measureFairness(options: FairnessOptions): Promise<FairnessRound[]> {
  const { server, url } = await startServer();
  const load = startLoadGenerator();
  const rounds: FairnessRound[] = [];
  try {
    await load.run({ url, rate: options.rate, durationMs: options.warmupMs });
    for (let index = 1; index <= options.rounds; index++) {
      const result = await round(load, url, options);
      rounds.push(result);
      options.onRound?.(result, index);
    }
  } finally {
    load.close();
    server.closeAllConnections();
    server.close();
  }
  return rounds;
}

/** A small, typical handler on an ephemeral loopback port: parse the query, build and serialize a little JSON. */
function startServer(): Promise<{ server: Server; url: string }> {
  let served = 0;
  const server = createServer((req, res) => {
    const n = new URL(req.url ?? '/', 'http://bench').searchParams.get('n');
    served++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n, served, at: Date.now() }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

/** A keyed count over an endless stream, as fast as it goes: 10,000 keys, 4 partitions, every update to the sink. */
function startPipeline(turnBudgetMs: number | undefined): PipelineHandle {
  let written = 0;
  return pipeline(
    fromGenerator(function* (from: number) {
      for (let i = from; ; i++) yield i;
    }),
  )
    .keyBy((n) => n % 10_000, { partitions: 4 })
    .reduce(
      (count: number) => count + 1,
      () => 0,
    )
    .to(toCallback(() => void written++))
    .run({ name: 'fairness', ...(turnBudgetMs === undefined ? {} : { dispatcher: { turnBudgetMs } }) });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Records per second a fresh pipeline reads over `window`, after `warmupMs`; the pipeline is stopped after. */
async function throughputDuring(options: FairnessOptions, window: () => Promise<unknown>): Promise<number> {
  const handle = startPipeline(options.turnBudgetMs);
  try {
    await sleep(options.warmupMs);
    const before = handle.metrics().throughput.recordsRead;
    const startedAt = performance.now();
    await window();
    const read = handle.metrics().throughput.recordsRead - before;
    return (read * 1000) / (performance.now() - startedAt);
  } finally {
    await handle.stop();
  }
}

/** Runs `work` while sampling the event loop's delay; resolves with its result and the delay's p99 in milliseconds. */
async function loopDelayDuring<T>(work: () => Promise<T>): Promise<{ result: T; loopDelayP99: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    const result = await work();
    return { result, loopDelayP99: histogram.percentile(99) / 1e6 };
  } finally {
    histogram.disable();
  }
}

async function round(load: LoadGenerator, url: string, options: FairnessOptions): Promise<FairnessRound> {
  const window = { url, rate: options.rate, durationMs: options.windowMs };
  const alone = await loopDelayDuring(() => load.run(window));
  const soloRate = await throughputDuring(options, () => sleep(options.windowMs));
  let shared!: { result: LoadResult; loopDelayP99: number };
  const sharedRate = await throughputDuring(options, async () => {
    shared = await loopDelayDuring(() => load.run(window));
  });
  return {
    alone: alone.result,
    soloRate,
    withPipeline: shared.result,
    sharedRate,
    loopDelayAlone: alone.loopDelayP99,
    loopDelayWithPipeline: shared.loopDelayP99,
  };
}
