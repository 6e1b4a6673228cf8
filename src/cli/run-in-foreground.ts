/**
 * A run in the foreground of the process: SIGINT and SIGTERM stop it through its `signal` (with
 * checkpoints, after a last one to resume from) and the process exits with 128 + the signal's
 * number once the run has settled; a second signal exits at once, abandoning whatever the run still
 * does. At the end one line goes to standard error — the summary, or the failure — since standard
 * output may be the job's. The listeners go when the run settles, so nothing of it keeps the
 * process alive.
 */
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import { failureText } from './failure-text.js';
import { runSummary } from './run-summary.js';

/** The signals that stop a run, and the exit status each one ends the process with (128 + its number). */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

type StopSignal = keyof typeof STOP_SIGNALS;

/** What {@link runInForeground} runs, and how it reports. */
export interface ForegroundRun {
  /** The command as typed, the prefix of its line on standard error: `sluice run`. */
  readonly command: string;
  /** Starts the run; it must stop when `signal` aborts. Called once, after the signal listeners are in place. */
  readonly start: (signal: AbortSignal) => PipelineHandle;
  /** The run's checkpoint folder, when it takes checkpoints (for the summary). */
  readonly checkpointDir: string | undefined;
}

/**
 * Runs `run.start` to its end and resolves with the exit status: 0 when it completed, 1 when it
 * failed, 130 or 143 when SIGINT or SIGTERM stopped it.
 * @throws what `run.start` throws (the run never began; the listeners are gone again).
 * @example
 * ```ts
 * process.exitCode = await runInForeground({ command: 'sluice run', checkpointDir: undefined, start: (signal) => job.run({ signal }) });
 * ```
 */
export async function runInForeground(run: ForegroundRun): Promise<number> {
  const controller = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal): void => {
    // process.exit here, not exitCode: the one asking twice wants the process gone, not the
    // last checkpoint or the slow sink the first request is still waiting for.
    if (stoppedBy !== undefined) process.exit(STOP_SIGNALS[signal]);
    stoppedBy = signal;
    controller.abort();
  };
  const signals = Object.keys(STOP_SIGNALS) as StopSignal[];
  for (const signal of signals) process.on(signal, onSignal);
  try {
    const handle = run.start(controller.signal);
    let line: string;
    let status: number;
    try {
      const result = await handle.done;
      line = runSummary(result, { signal: stoppedBy, checkpointDir: run.checkpointDir });
      status = 0;
    } catch (error) {
      line = failureText(error);
      status = 1;
    }
    process.stderr.write(`${run.command}: ${line}\n`);
    return stoppedBy === undefined ? status : STOP_SIGNALS[stoppedBy];
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
