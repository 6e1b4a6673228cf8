/**
 * The load side of the http-fairness measurement: a steady, open-loop request rate against a
 * server, sent from a process of its own so that the load competes with nothing it measures. Each
 * request goes out at its scheduled time, whatever the earlier ones are doing, so a stalled server
 * cannot hide its stall by slowing the load. The loop sends a fixed number of requests and stops by
 * itself; a request unanswered after {@link REQUEST_TIMEOUT_MS} counts as failed.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { benchEntry } from '../harness/bench-entry.js';

/** How long a request may wait for its response before it counts as failed. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** One window of load: `rate` requests a second for `durationMs`, to `url` (loopback). */
export interface LoadRequest {
  readonly url: string;
  readonly rate: number;
  readonly durationMs: number;
}

/** What one window of load saw. */
export interface LoadResult {
  readonly sent: number;
  readonly failed: number;
  /** Every answered request's latency, in milliseconds, in the order they were answered. */
  readonly latencies: number[];
}

/**
 * Sends `floor(rate × durationMs / 1000)` requests, each at its due time, and resolves once every
 * one is answered, has failed or has timed out.
 *
 * @example
 * ```ts
 * const { latencies } = await generateLoad({ url: 'http://127.0.0.1:8080', rate: 200, durationMs: 3000 });
 * ```
 */
export async function generateLoad({ url, rate, durationMs }: LoadRequest): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  let failed = 0;
  const total = Math.floor((rate * durationMs) / 1000);
  const interval = 1000 / rate;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise<void>((resolve) => setTimeout(resolve, wait));
    pending.push(
      new Promise<void>((resolve) => {
        const sentAt = performance.now();
        const req = request(`${url}/?n=${i}`, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sentAt);
            resolve();
          });
        });
        // A timeout only reports; destroying the request turns it into the error below.
        req.on('timeout', () => req.destroy(new Error('timed out')));
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

/** A load generator in a child process, started once and given one window at a time. */
export interface LoadGenerator {
  /** Runs one window in the child; rejects if the child dies. One window at a time. */
  run(load: LoadRequest): Promise<LoadResult>;
  /** Ends the child. */
  close(): void;
}

/**
 * Forks `load-child.ts` (compiled under plain node in `npm run bench`, else from source under this
 * process's loader; see `bench-entry.ts`). One child for every window, so its start-up is paid
 * once, not per window.
 *
 * @example
 * ```ts
 * const load = startLoadGenerator();
 * try {
 *   await load.run({ url, rate: 200, durationMs: 1000 });
 * } finally {
 *   load.close();
 * }
 * ```
 */
export function startLoadGenerator(): LoadGenerator {
  const { file, execArgv } = benchEntry('fairness/load-child');
  const child = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    run(load) {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
          reject(new Error(`the load generator exited (${signal ?? `code ${String(code)}`}) before answering`));
        child.once('exit', onExit);
        child.once('message', (message) => {
          child.off('exit', onExit);
          resolve(message as LoadResult);
        });
        child.send(load);
      });
    },
    close() {
      // Closing the channel is the child's cue to exit; kill it in case it is stuck.
      if (child.connected) child.disconnect();
      if (child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
