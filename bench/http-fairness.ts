/**
 * Fairness: does an HTTP server in the same process stay responsive while a pipeline runs flat
 * out? A load generator in a child process sends a steady, open-loop request rate (each request at
 * its scheduled time, whatever the previous one is doing, so a stalled server cannot hide its stall
 * by slowing the load) and measures each response's latency. Three measurements, each `--seconds`
 * long, taken in turn and repeated `--repeat` times — short alternating windows, so that on a shared
 * machine all three see the same background load — then pooled: latency percentiles over every
 * response of a kind, throughput over all its windows.
 *
 *   server alone          the latency baseline
 *   pipeline alone        the pipeline's throughput baseline
 *   server + pipeline     both at once: latency against the first, throughput against the second
 *
 * Targets: p99 under 20 ms with the pipeline running, and the pipeline keeping at least 80% of its
 * solo throughput. Standalone (not part of `npm run bench`):
 *
 *   npx tsx bench/http-fairness.ts [--seconds 3] [--rate 200] [--repeat 10] [--turn-budget-ms 5] [--json FILE]
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { fromGenerator, pipeline, toCallback, type PipelineHandle } from '../src/index.js';

interface LoadResult {
  readonly sent: number;
  readonly failed: number;
  /** Every response's latency, in milliseconds. */
  readonly latencies: number[];
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// ─── The load generator (child process) ──────────────────────────────────────────────────────────

async function generateLoad(url: string, rate: number, durationMs: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let failed = 0;
  const total = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
    pending.push(
      new Promise<void>((resolve) => {
        const sentAt = performance.now();
        const req = request(`${url}/?n=${i}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sentAt);
            resolve();
          });
        });
        req.on('error', () => {
          failed++;
          resolve();
        });
        req.end();
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { sent: total, failed, latencies };
}

// ─── The measured process ────────────────────────────────────────────────────────────────────────

function startServer(): Promise<{ server: Server; url: string }> {
  let served = 0;
  // A small, typical handler: parse the query, build and serialize a little JSON.
  const server = createServer((req, res) => {
    const n = new URL(req.url ?? '/', 'http://bench').searchParams.get('n');
    served++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n, served, at: Date.now() }));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

function runLoad(url: string, rate: number, durationMs: number): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--load', url, String(rate), String(durationMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${String(code)}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
  });
}

/** `--turn-budget-ms`: the pipeline dispatcher's turn budget (default: the runtime's, 5 ms). */
let turnBudgetMs: number | undefined;

/** A keyed count over an endless stream, as fast as it goes: 10,000 keys, 4 partitions, every update to the sink. */
function startPipeline(): PipelineHandle {
  let written = 0;
  return pipeline(
    fromGenerator(function* (from: number) {
      for (let i = from; ; i++) yield i;
    }),
  )
    .keyBy((n) => n % 10_000, { partitions: 4 })
    .reduce((count: number) => count + 1, () => 0)
    .to(toCallback(() => void written++))
    .run({ name: 'fairness', ...(turnBudgetMs === undefined ? {} : { dispatcher: { turnBudgetMs } }) });
}

/** Records per second the pipeline reads over `window` (which the pipeline must outlive). */
async function throughputDuring(handle: PipelineHandle, window: () => Promise<unknown>): Promise<number> {
  // Warm-up: every mailbox filled (and, the first time, the JIT).
  await new Promise<void>((resolve) => setTimeout(resolve, 500));
  const before = handle.metrics().throughput.recordsRead;
  const startedAt = performance.now();
  await window();
  const read = handle.metrics().throughput.recordsRead - before;
  return (read * 1000) / (performance.now() - startedAt);
}

interface Round {
  readonly alone: LoadResult;
  readonly soloRate: number;
  readonly withPipeline: LoadResult;
  readonly sharedRate: number;
  /** p99 of the event loop's delay (ms, 1 ms resolution) during the load, alone and with the pipeline. */
  readonly loopDelayAlone: number;
  readonly loopDelayWithPipeline: number;
}

/** Runs `work` while sampling the event loop's delay; resolves with its p99 in milliseconds. */
async function loopDelayDuring(work: () => Promise<void>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return histogram.percentile(99) / 1e6;
}

async function round(url: string, rate: number, durationMs: number): Promise<Round> {
  let alone!: LoadResult;
  const loopDelayAlone = await loopDelayDuring(async () => {
    alone = await runLoad(url, rate, durationMs);
  });

  let handle = startPipeline();
  const soloRate = await throughputDuring(handle, () => new Promise<void>((resolve) => setTimeout(resolve, durationMs)));
  await handle.stop();

  handle = startPipeline();
  let withPipeline!: LoadResult;
  let loopDelayWithPipeline = 0;
  const sharedRate = await throughputDuring(handle, async () => {
    loopDelayWithPipeline = await loopDelayDuring(async () => {
      withPipeline = await runLoad(url, rate, durationMs);
    });
  });
  await handle.stop();
  return { alone, soloRate, withPipeline, sharedRate, loopDelayAlone, loopDelayWithPipeline };
}

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

async function main(args: string[]): Promise<void> {
  if (args[0] === '--load') {
    const [, url = '', rate = '0', durationMs = '0'] = args;
    process.stdout.write(JSON.stringify(await generateLoad(url, Number(rate), Number(durationMs))));
    return;
  }
  const seconds = option(args, 'seconds', 3);
  const rate = option(args, 'rate', 200);
  const repeat = option(args, 'repeat', 10);
  const jsonAt = args.indexOf('--json');
  if (args.includes('--turn-budget-ms')) turnBudgetMs = option(args, 'turn-budget-ms', 5);
  const { server, url } = await startServer();
  const rounds: Round[] = [];
  for (let r = 0; r < repeat; r++) {
    const result = await round(url, rate, seconds * 1000);
    rounds.push(result);
    const sortedAlone = [...result.alone.latencies].sort((a, b) => a - b);
    const sortedWith = [...result.withPipeline.latencies].sort((a, b) => a - b);
    process.stderr.write(
      `round ${r + 1}: p99 alone ${percentile(sortedAlone, 0.99).toFixed(2)} / with pipeline ${percentile(sortedWith, 0.99).toFixed(2)} ms; ` +
        `pipeline ${(result.soloRate / 1e6).toFixed(2)} → ${(result.sharedRate / 1e6).toFixed(2)} M records/s; ` +
        `event-loop delay p99 ${result.loopDelayAlone.toFixed(1)} → ${result.loopDelayWithPipeline.toFixed(1)} ms\n`,
    );
  }
  server.close();
  const pooled = (pick: (r: Round) => LoadResult): { p50: number; p99: number; max: number; failed: number } => {
    const sorted = rounds.flatMap((r) => pick(r).latencies).sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0, failed: rounds.reduce((n, r) => n + pick(r).failed, 0) };
  };
  const alone = pooled((r) => r.alone);
  const shared = pooled((r) => r.withPipeline);
  const pipelineAlone = rounds.reduce((sum, r) => sum + r.soloRate, 0) / rounds.length;
  const pipelineWithServer = rounds.reduce((sum, r) => sum + r.sharedRate, 0) / rounds.length;
  const summary = {
    rate,
    seconds,
    repeat,
    turnBudgetMs: turnBudgetMs ?? 5,
    serverAlone: { ...alone, loopDelayP99: median(rounds.map((r) => r.loopDelayAlone)) },
    serverWithPipeline: { ...shared, loopDelayP99: median(rounds.map((r) => r.loopDelayWithPipeline)) },
    pipelineAlone,
    pipelineWithServer,
    ratio: pipelineWithServer / pipelineAlone,
    /** Rounds where p99 with the pipeline stayed under 20 ms, and where the pipeline kept 80%. */
    roundsMeetingLatency: rounds.filter((r) => percentile([...r.withPipeline.latencies].sort((a, b) => a - b), 0.99) < 20).length,
    roundsMeetingThroughput: rounds.filter((r) => r.sharedRate >= 0.8 * r.soloRate).length,
  };
  const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const lines = [
    `http-fairness: ${rate} requests/s, ${repeat} rounds of ${seconds} s windows against a server in the pipeline's process` +
      (turnBudgetMs === undefined ? '' : `; turn budget ${turnBudgetMs} ms`),
    `  server alone          p50 ${alone.p50.toFixed(2)} ms   p99 ${alone.p99.toFixed(2)} ms   (max ${alone.max.toFixed(1)} ms; event-loop delay p99 ${summary.serverAlone.loopDelayP99.toFixed(1)} ms)`,
    `  server + pipeline     p50 ${shared.p50.toFixed(2)} ms   p99 ${shared.p99.toFixed(2)} ms   (max ${shared.max.toFixed(1)} ms; event-loop delay p99 ${summary.serverWithPipeline.loopDelayP99.toFixed(1)} ms; ${shared.failed + alone.failed} failed)`,
    `  pipeline alone        ${(pipelineAlone / 1e6).toFixed(2)} M records/s`,
    `  pipeline + server     ${(pipelineWithServer / 1e6).toFixed(2)} M records/s (${(summary.ratio * 100).toFixed(0)}% of alone)`,
    `  targets: p99 < 20 ms ${met(shared.p99 < 20)} (${summary.roundsMeetingLatency}/${repeat} rounds); throughput >= 80% ${met(summary.ratio >= 0.8)} (${summary.roundsMeetingThroughput}/${repeat} rounds)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (jsonAt >= 0) await writeFile(args[jsonAt + 1] ?? 'http-fairness.json', `${JSON.stringify(summary, null, 2)}\n`);
}

await main(process.argv.slice(2));
