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
import { STOP_SIGNALS, StopSignals } from './stop-signals.js';

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
  const stops = new StopSignals();
  try {
    const handle = run.start(stops.signal);
    let line: string;
    let status: number;
    try {
      const result = await handle.done;
      line = runSummary(result, { signal: stops.stoppedBy, checkpointDir: run.checkpointDir });
      status = 0;
    } catch (error) {
      line = failureText(error);
      status = 1;
    }
    process.stderr.write(`${run.command}: ${line}\n`);
    return stops.stoppedBy === undefined ? status : STOP_SIGNALS[stops.stoppedBy];
  } finally {
    stops.dispose();
  }
}
