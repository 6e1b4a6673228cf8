/**
 * A job on worker threads with checkpoints, as one handle across attempts: when a thread dies (it
 * ran out of memory, user code called `process.exit`, an error escaped every handler), the attempt
 * fails with a WorkerThreadError and every thread is gone; a new attempt then starts on new threads
 * from the last checkpoint, up to `restarts` times, before the run fails with that error. Nothing
 * the failed attempt pre-committed is committed: its sink is recovered from the checkpoint, as after
 * a crash of the process. A stop or an abort ends the run without another attempt.
 */
import { InvalidOptionError, WorkerThreadError } from '../errors.js';
import { ignore } from '../internal/ignore.js';
import { Topic } from '../internal/topic.js';
import { RunHandle } from '../streams/job/run-handle.js';
import { upgradeRun, type RunOrigin } from '../streams/job/upgrade-run.js';
import type { PipelineHandle, PipelineResult, StopOptions } from '../streams/pipeline-handle.js';
import type { PipelineEvent } from '../streams/run/pipeline-events.js';

export interface RestartingRunSetup {
  /** Starts an attempt: a run that resumes from the last checkpoint. */
  readonly start: () => PipelineHandle;
  /** Attempts after the first, at most. */
  readonly restarts: number;
  /** The run's name, for its events. */
  readonly name: string;
  readonly signal: AbortSignal | undefined;
  /** How the run was started, for `upgrade`. */
  readonly origin: RunOrigin;
}

export function restartingRun(setup: RestartingRunSetup): PipelineHandle {
  const events = new Topic<PipelineEvent>('pipeline event');
  let attempt = 1;
  let stopRequested = setup.signal?.aborted === true;
  let current!: PipelineHandle;
  let unsubscribe: () => void = () => undefined;

  /** Whether `error` ends this attempt with another to follow. */
  const restarts = (error: unknown): boolean => error instanceof WorkerThreadError && attempt <= setup.restarts && !stopRequested;

  const begin = (): Promise<PipelineResult> => {
    current = setup.start();
    unsubscribe = current.events.subscribe((event) => {
      // The end of an attempt that is followed by another is not the end of the run.
      if (event.type === 'pipeline-finished' && restarts(event.error)) return;
      if (events.hasSubscribers) events.publish(event);
    });
    return current.done.then(
      (result) => {
        unsubscribe();
        return result;
      },
      (error: unknown) => {
        unsubscribe();
        if (!restarts(error)) throw error;
        attempt++;
        if (events.hasSubscribers) events.publish({ type: 'job-restarted', pipeline: setup.name, attempt, error, at: Date.now() });
        return begin();
      },
    );
  };
  const onAbort = (): void => void (stopRequested = true);
  setup.signal?.addEventListener('abort', onAbort, { once: true });
  const done = begin();
  const started = current.started;
  const forget = (): void => setup.signal?.removeEventListener('abort', onAbort);
  done.then(forget, forget); // observed here; the caller sees a rejection on `done` too

  const handle: PipelineHandle = new RunHandle({
    done,
    started,
    statusOf: () => current.status,
    events,
    metrics: () => current.metrics(),
    query: (stage, key, options) => current.query(stage, key, options),
    deadLetters: () => current.deadLetters(),
    stop: (options?: StopOptions) => {
      const stoppedBefore = stopRequested;
      stopRequested = true;
      const stopping = current.stop(options);
      if (options?.savepoint === undefined || options.savepoint === false) {
        stopping.catch(ignore);
        return done;
      }
      return stopping.then(
        () => done,
        (error: unknown) => {
          // Refused before anything stopped: the run goes on, restarts included.
          if (!(error instanceof InvalidOptionError && error.option === 'savepoint') || current.status === 'failed') return done;
          stopRequested = stoppedBefore || setup.signal?.aborted === true;
          throw error;
        },
      );
    },
    checkpoint: () => current.checkpoint(),
    savepoint: (dir?: string) => current.savepoint(dir),
    upgrade: (next, ...options) => upgradeRun(handle, setup.origin, next, options[0]),
  });
  return handle;
}
