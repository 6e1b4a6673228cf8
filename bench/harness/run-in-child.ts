/**
 * Runs one {@link ChildTask} in a child process of its own (the compiled child under plain node once
 * `buildBenchEntries` ran, else the source under this process's loader; see `bench-entry.ts`), and
 * waits for its report. One child at a time: two would share the two cores and each other's timings.
 */
import { fork } from 'node:child_process';
import { benchEntry } from './bench-entry.js';
import type { ChildReport, ChildTask } from './child-protocol.js';

/**
 * Forks the bench's child with `task` and resolves with its report; never rejects. A child that
 * dies, exits without a report or outlives `timeoutMs` resolves as an `error` report.
 *
 * @example
 * ```ts
 * const report = await runInChild({ kind: 'idle' }, 60_000); // { kind: 'idle', peakRssMb: 88.1 }
 * ```
 */
export function runInChild(task: ChildTask, timeoutMs: number): Promise<ChildReport> {
  return new Promise((resolve) => {
    let report: ChildReport | undefined;
    let timedOut = false;
    const { file, execArgv } = benchEntry('child');
    const child = fork(file, [JSON.stringify(task)], {
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    // SIGKILL: a child stuck in a synchronous loop never gets to handle a gentler signal.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('message', (message) => {
      report = message as ChildReport;
    });
    child.once('error', (error) => resolve({ kind: 'error', message: `could not run the child: ${error.message}` }));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (report !== undefined) resolve(report);
      else if (timedOut) resolve({ kind: 'error', message: `child still running after ${timeoutMs / 1000} s: killed` });
      else if (signal !== null) resolve({ kind: 'error', message: `child killed by ${signal} without a report` });
      else resolve({ kind: 'error', message: `child exited with code ${code} without a report` });
    });
  });
}
