/**
 * Runs one {@link ChildTask} in a child process of its own (the compiled child under plain node once
 * `buildBenchEntries` ran, else the source under this process's loader; see `bench-entry.ts`), and
 * waits for its report. One child at a time: two would share the two cores and each other's timings.
 * Children that take turns (see `run-in-turns.ts`) are alive together but run one at a time too.
 */
import { fork } from 'node:child_process';
import { benchEntry } from './bench-entry.js';
import type { ChildReport, ChildTask, TurnRequest } from './child-protocol.js';

/** What a child says: that it is ready for its next turn, or (once it has exited) how it ended. */
export type ChildMessage = TurnRequest | ChildReport;

/** A started child, as its parent drives it. */
export interface BenchChild {
  /**
   * The child's next message; never rejects. A report comes once the child has exited; a child that
   * dies, exits without a report or is silent for `timeoutMs` (then killed) ends with an `error`
   * report. After its end every call resolves with the same report.
   */
  next(timeoutMs: number): Promise<ChildMessage>;
  /** Lets a child that asked for a turn start its next run. */
  grant(): void;
}

/**
 * Forks the bench's child with `task`, with `nodeOptions` on its command line after the entry's own.
 * @example
 * ```ts
 * const child = startChild({ kind: 'idle' });
 * await child.next(60_000); // { kind: 'idle', peakRssMb: 88.1 }
 * ```
 */
export function startChild(task: ChildTask, nodeOptions: readonly string[] = []): BenchChild {
  const { file, execArgv } = benchEntry('child');
  const child = fork(file, [JSON.stringify(task)], { execArgv: [...execArgv, ...nodeOptions], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending: ChildMessage[] = [];
  let waiter: ((message: ChildMessage) => void) | undefined;
  let report: ChildReport | undefined;
  let ended: ChildReport | undefined;
  let timedOutAfterMs: number | undefined;
  const deliver = (message: ChildMessage): void => {
    const waiting = waiter;
    waiter = undefined;
    if (waiting === undefined) pending.push(message);
    else waiting(message);
  };
  const end = (final: ChildReport): void => {
    if (ended !== undefined) return;
    ended = final;
    deliver(final);
  };
  child.on('message', (message) => {
    if ((message as { kind?: unknown }).kind === 'turn') deliver(message as TurnRequest);
    else report = message as ChildReport;
  });
  child.once('error', (error) => end({ kind: 'error', message: `could not run the child: ${error.message}` }));
  child.once('exit', (code, signal) => {
    if (report !== undefined) end(report);
    else if (timedOutAfterMs !== undefined) end({ kind: 'error', message: `child still running after ${timedOutAfterMs / 1000} s: killed` });
    else if (signal !== null) end({ kind: 'error', message: `child killed by ${signal} without a report` });
    else end({ kind: 'error', message: `child exited with code ${code} without a report` });
  });
  return {
    next(timeoutMs) {
      const queued = pending.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (ended !== undefined) return Promise.resolve(ended);
      return new Promise((resolve) => {
        // SIGKILL: a child stuck in a synchronous loop never gets to handle a gentler signal.
        const timer = setTimeout(() => {
          timedOutAfterMs = timeoutMs;
          child.kill('SIGKILL');
        }, timeoutMs);
        waiter = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
      });
    },
    grant() {
      child.send({ kind: 'go' });
    },
  };
}

/**
 * Forks the bench's child with `task` and resolves with its report; never rejects. A child that
 * dies, exits without a report or outlives `timeoutMs` resolves as an `error` report.
 *
 * @example
 * ```ts
 * const report = await runInChild({ kind: 'idle' }, 60_000); // { kind: 'idle', peakRssMb: 88.1 }
 * ```
 */
export async function runInChild(task: ChildTask, timeoutMs: number): Promise<ChildReport> {
  const child = startChild(task);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const message = await child.next(Math.max(0, deadline - performance.now()));
    if (message.kind !== 'turn') return message;
    child.grant();
  }
}
