/**
 * A run of a case on worker threads, as a workers fault asks: the job resumes from the last
 * checkpoint on that many threads and reads on, on the system clock, until the fault's
 * `forRecords` more records are read; there the source is held and the run stopped, which takes a
 * checkpoint the next run (on one thread, on the engine again) resumes from. Threads cannot be
 * driven step by step, so nothing else strikes meanwhile: throws, kills and time wait for the next
 * run. The outcome is still the same every time: which records each checkpoint covers is fixed by
 * where the source is held, whatever the threads' timing.
 */
import type { PipelineHandle } from '../../streams/pipeline-handle.js';
import type { PipelineDeadLetter } from '../../streams/run/messages.js';
import type { RunOptions } from '../../streams/run-options.js';
import type { CheckpointStorage } from '../../streams/checkpoint/checkpoint-storage.js';
import type { Sink } from '../../streams/sinks/sink.js';
import type { Source } from '../../streams/sources/source.js';
import type { WorkersFault } from '../faults.js';
import type { Schedule } from '../schedule.js';
import type { SourceItem } from '../../streams/sources/source.js';
import { records } from './fault-ledger.js';
import { inputOffset, TEST_INPUT } from './gated-source.js';

/** Runs a job on `workers` worker threads over the case's source and sink (the check's `job`). */
export type ThreadedStart<TRecord, TOut> = (
  source: Source<TRecord, number>,
  sink: Sink<TOut>,
  partitions: number | undefined,
  workers: number,
  options: RunOptions,
) => PipelineHandle;

export interface ThreadedRun<TRecord, TOut> {
  readonly start: ThreadedStart<TRecord, TOut>;
  readonly fault: WorkersFault;
  readonly run: number;
  readonly delivered: readonly TRecord[];
  readonly schedule: Schedule;
  /** The case's checkpoints; a workers fault implies them. */
  readonly storage: CheckpointStorage;
  readonly sink: Sink<TOut>;
  readonly partitions: number | undefined;
  readonly runOptions: RunOptions;
  readonly deadLetters: PipelineDeadLetter[];
  readonly events: string[];
}

/** How a threaded run ended: it completed the job, failed, or was stopped at a checkpoint for the next run to resume from. */
export type ThreadedEnd =
  | { readonly kind: 'completed'; readonly resumedFrom: number | undefined }
  | { readonly kind: 'failed'; readonly error: unknown }
  | { readonly kind: 'stopped' };

export async function runThreaded<TRecord, TOut>(threaded: ThreadedRun<TRecord, TOut>): Promise<ThreadedEnd> {
  const { fault, run, storage, events } = threaded;
  const latest = await storage.latest();
  const from = typeof latest?.manifest.source.offset === 'number' ? latest.manifest.source.offset : 0;
  const stopAt = from + fault.forRecords;
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const deadLetters: Sink<PipelineDeadLetter> = { name: 'test-dead-letters', write: (letters) => void threaded.deadLetters.push(...letters) };
  const handle = threaded.start(heldSource(threaded.delivered, stopAt, reach), threaded.sink, threaded.partitions, fault.workers, {
    ...threaded.runOptions,
    batchSize: threaded.schedule.batchSize,
    mailboxBatches: threaded.schedule.mailboxBatches,
    deadLetters,
    checkpoint: { storage, interval: Infinity, keep: 1_000_000 },
  });
  const resumed = `run ${run} resumed from ${latest === undefined ? 'the start' : `checkpoint ${latest.manifest.id}`} on ${fault.workers} worker threads`;
  const ended = handle.done.then(
    (result): ThreadedEnd => ({ kind: 'completed', resumedFrom: result.resumedFrom }),
    (error: unknown): ThreadedEnd => ({ kind: 'failed', error }),
  );
  const first = await Promise.race([ended, reached.then(() => 'held' as const)]);
  if (first !== 'held') {
    if (first.kind === 'completed') events.push(`${resumed}, which completed the job`);
    return first;
  }
  const stopped = await handle.stop().then(
    (): ThreadedEnd => ({ kind: 'stopped' }),
    (error: unknown): ThreadedEnd => ({ kind: 'failed', error }),
  );
  if (stopped.kind === 'stopped') events.push(`${resumed}, stopped at a checkpoint after ${records(stopAt)}`);
  return stopped;
}

/**
 * The source of a threaded run, which runs on the system clock: the case's records from where the
 * run resumes, at once, up to `stopAt`; there (or at the end of the input, when that is `stopAt`)
 * it is held for good, and `reached` is called for the engine to stop the run at a checkpoint. A
 * `stopAt` past the input's length never holds it. Named as the engine's source is, so every run
 * of a case builds the same plan.
 */
function heldSource<TRecord>(delivered: readonly TRecord[], stopAt: number, reached: () => void): Source<TRecord, number> {
  const held = (): Promise<never> => {
    reached();
    return new Promise<never>(() => undefined);
  };
  return {
    name: TEST_INPUT,
    replayable: true,
    start: 0,
    read(from = 0) {
      const start = inputOffset(from, delivered.length);
      return (async function* (): AsyncGenerator<SourceItem<TRecord, number>> {
        for (let i = start; i < delivered.length; i++) {
          if (i >= stopAt) await held();
          yield { kind: 'record', value: delivered[i] as TRecord, next: i + 1 };
        }
        if (stopAt === delivered.length) await held();
      })();
    },
  };
}
